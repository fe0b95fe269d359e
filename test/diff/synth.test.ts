import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { needsBuild, resolveCommit, synthesizeApp, synthesizeRef, WITHOUT_POLICY_GATES } from '../../src/diff/synth';
import { removeTemporaryFolders, temporaryFolder } from './fixtures';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

describe('base-ref synthesis in a temporary worktree', () => {
  let repo: string;
  let firstCommit: string;
  beforeAll(() => {
    repo = temporaryFolder('bgf-diff-repo-');
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'cdk.json'), JSON.stringify({ app: 'node scripts/app.js' }));
    writeFileSync(path.join(repo, 'version.txt'), 'one');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
    firstCommit = git(repo, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(repo, 'version.txt'), 'two');
    git(repo, 'commit', '-q', '-am', 'two');
    writeFileSync(path.join(repo, 'version.txt'), 'working tree');
    mkdirSync(path.join(repo, 'node_modules'));
    writeFileSync(path.join(repo, 'node_modules', 'marker'), 'installed');
  });

  const worktrees = () => git(repo, 'worktree', 'list').trim().split('\n');

  test('GIVEN a ref WHEN synthesizing THEN the ref’s files are built, with the checkout’s node_modules, and the worktree is gone after', async () => {
    const outDir = temporaryFolder('bgf-diff-out-');
    const seen: Record<string, string> = {};
    let tree = '';
    await synthesizeRef({
      repoRoot: repo, ref: firstCommit, outDir,
      synth: async (worktree, out) => {
        tree = worktree;
        seen.version = readFileSync(path.join(worktree, 'version.txt'), 'utf8');
        seen.modules = readFileSync(path.join(worktree, 'node_modules', 'marker'), 'utf8');
        writeFileSync(path.join(out, 'manifest.json'), '{}');
      },
    });
    expect(seen).toEqual({ version: 'one', modules: 'installed' });
    expect(existsSync(path.join(outDir, 'manifest.json'))).toBe(true);
    expect(existsSync(tree)).toBe(false);
    expect(worktrees()).toHaveLength(1);
    // The shared node_modules survives the worktree's removal, and the working tree is untouched.
    expect(readFileSync(path.join(repo, 'node_modules', 'marker'), 'utf8')).toBe('installed');
    expect(readFileSync(path.join(repo, 'version.txt'), 'utf8')).toBe('working tree');
  });

  test('a failed build still removes the worktree, and the error is the build’s', async () => {
    let tree = '';
    const failing = synthesizeRef({
      repoRoot: repo, ref: 'HEAD', outDir: temporaryFolder('bgf-diff-out-'),
      synth: async (worktree) => {
        tree = worktree;
        throw new Error('cdk synth failed: policy finding');
      },
    });
    await expect(failing).rejects.toThrow(/policy finding/);
    expect(existsSync(tree)).toBe(false);
    expect(worktrees()).toHaveLength(1);
    expect(existsSync(path.join(repo, 'node_modules', 'marker'))).toBe(true);
  });

  test('an unknown ref fails with git’s message and leaves no temporary folder', async () => {
    const scratch = () => readdirSync(tmpdir()).filter((n) => n.startsWith('bgf-diff-base-')).sort();
    const before = scratch();
    await expect(synthesizeRef({ repoRoot: repo, ref: 'no-such-ref', outDir: tmpdir(), synth: async () => undefined })).rejects.toThrow(/git worktree add .* no-such-ref failed/);
    expect(scratch()).toEqual(before);
  });
});

describe('--base-ref verified as a commit', () => {
  let repo: string;
  let first: string;
  beforeAll(() => {
    repo = temporaryFolder('bgf-diff-verify-');
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'a.txt'), 'one');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
    first = git(repo, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(repo, 'a.txt'), 'two');
    git(repo, 'commit', '-q', '-am', 'two');
    git(repo, 'tag', 'tree-tag', git(repo, 'rev-parse', 'HEAD^{tree}').trim());
  });

  test('a branch, a relative ref and a commit id resolve to the commit id', async () => {
    expect(await resolveCommit(repo, 'HEAD~1')).toBe(first);
    expect(await resolveCommit(repo, first)).toBe(first);
    expect(await resolveCommit(repo, 'main')).toBe(git(repo, 'rev-parse', 'main').trim());
  });

  test.each([
    ['no-such-ref', /--base-ref "no-such-ref" is not a commit/],
    ['tree-tag', /--base-ref "tree-tag" is not a commit/],
    ['--all', /--base-ref "--all" is not a git ref/],
    ['', /--base-ref "" is not a git ref/],
  ])('%j is refused', async (ref, message) => {
    await expect(resolveCommit(repo, ref)).rejects.toThrow(message);
  });
});

describe('synthesizing an app folder', () => {
  test('sources run directly: only cdk synth, into the given folder, with context', async () => {
    const dir = temporaryFolder('bgf-diff-app-');
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node scripts/app.js' }));
    const calls: string[] = [];
    const envs: unknown[] = [];
    await synthesizeApp(dir, '/tmp/out', '/repo/node_modules', { context: ['env=production'], run: async (cmd, args, _cwd, env) => void (calls.push([cmd, ...args].join(' ')), envs.push(env)) });
    expect(needsBuild(dir)).toBe(false);
    expect(calls).toEqual(['/repo/node_modules/.bin/cdk synth --quiet --no-notices -o /tmp/out -c env=production']);
    expect(envs).toEqual([{}]);
  });

  test('the base side synthesizes with the policy gates off', async () => {
    const dir = temporaryFolder('bgf-diff-app-');
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node scripts/app.js' }));
    const envs: unknown[] = [];
    await synthesizeApp(dir, '/tmp/out', '/m', { withoutPolicyGates: true, run: async (_cmd, _args, _cwd, env) => void envs.push(env) });
    expect(envs).toEqual([{ BLUEGREEN_FLEET_POLICY_GATES: 'off', CDK_VALIDATION: 'false' }]);
    expect(WITHOUT_POLICY_GATES).toEqual({ BLUEGREEN_FLEET_POLICY_GATES: 'off', CDK_VALIDATION: 'false' });
  });

  test('a revision whose cdk.json runs dist/ is compiled first', async () => {
    const dir = temporaryFolder('bgf-diff-app-');
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node dist/bin/app.js' }));
    const calls: string[] = [];
    await synthesizeApp(dir, '/tmp/out', '/m', { run: async (cmd, args) => void calls.push([cmd, ...args].join(' ')) });
    expect(calls).toEqual(['/m/.bin/tsc -p tsconfig.json', '/m/.bin/cdk synth --quiet --no-notices -o /tmp/out']);
  });
});

afterAll(removeTemporaryFolders);
