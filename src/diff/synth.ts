import { execFile } from 'child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';

/**
 * Synthesizes the app offline: the working tree as it is, or a git ref in a temporary worktree
 * that reuses this checkout's node_modules (a second `npm ci` would cost minutes). The worktree is
 * removed afterwards, also when the build fails.
 */

const exec = promisify(execFile);

export type Runner = (command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) => Promise<void>;

export const runCommand: Runner = async (command, args, cwd, env = {}) => {
  try {
    await exec(command, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', ...env } });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${output || e.message}`, { cause: error });
  }
};

export interface SynthOptions {
  /** `cdk synth -c key=value` entries, e.g. `env=production`. */
  readonly context?: readonly string[];
  readonly run?: Runner;
  /**
   * Skip the policy gates (cdk-nag, cfn-guard, CloudFormation validation). The diff's base side
   * only supplies templates to compare with; its findings were the gates' business when it
   * merged. Revisions that predate the switch run their gates anyway.
   * @default false
   */
  readonly withoutPolicyGates?: boolean;
}

/**
 * The environment that turns the gates off: lib/policy reads BLUEGREEN_FLEET_POLICY_GATES, and
 * aws-cdk-lib skips its built-in CloudFormation validation on CDK_VALIDATION=false (documented
 * on the App's `builtinCloudFormationValidation` prop, aws-cdk-lib core/lib/app.d.ts).
 */
export const WITHOUT_POLICY_GATES: Readonly<Record<string, string>> = { BLUEGREEN_FLEET_POLICY_GATES: 'off', CDK_VALIDATION: 'false' };

const execText = async (args: readonly string[], cwd: string): Promise<string> => (await exec('git', [...args], { cwd, encoding: 'utf8' })).stdout.trim();

/**
 * The commit a `--base-ref` names, verified before anything uses it: `git rev-parse --verify
 * <ref>^{commit}` (https://git-scm.com/docs/git-rev-parse#Documentation/git-rev-parse.txt---verify),
 * so a tag of a tree, a typo or something shaped like an option is refused with the option named.
 */
export async function resolveCommit(repoRoot: string, ref: string, git: (args: readonly string[], cwd: string) => Promise<string> = execText): Promise<string> {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (ref === '' || ref.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(ref)) {
    throw new Error(`--base-ref "${ref}" is not a git ref: give a branch, tag or commit (no leading "-", no spaces or control characters)`);
  }
  let sha: string;
  try {
    sha = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repoRoot);
  } catch {
    throw new Error(`--base-ref "${ref}" is not a commit in ${repoRoot} (git rev-parse --verify "${ref}^{commit}" failed): fetch it first, or name another ref`);
  }
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) throw new Error(`--base-ref "${ref}": git rev-parse printed "${sha}", not a commit id`);
  return sha;
}

/** Whether the checkout's cdk.json runs compiled output (older revisions) rather than the sources. */
export function needsBuild(dir: string): boolean {
  const file = path.join(dir, 'cdk.json');
  if (!existsSync(file)) return false;
  const app = (JSON.parse(readFileSync(file, 'utf8')) as { app?: string }).app ?? '';
  return /\bdist\//.test(app);
}

/**
 * Synthesizes the app in `dir` into `outDir` with the project's own cdk. Revisions whose cdk.json
 * runs `dist/` are compiled with tsc first; newer ones run the sources (scripts/app.js).
 */
export async function synthesizeApp(dir: string, outDir: string, modulesDir: string, options: SynthOptions = {}): Promise<string> {
  const run = options.run ?? runCommand;
  const bin = (name: string) => path.join(modulesDir, '.bin', name);
  if (needsBuild(dir)) await run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
  const context = (options.context ?? []).flatMap((c) => ['-c', c]);
  await run(bin('cdk'), ['synth', '--quiet', '--no-notices', '-o', outDir, ...context], dir, options.withoutPolicyGates ? WITHOUT_POLICY_GATES : {});
  return outDir;
}

export interface RefSynthOptions extends SynthOptions {
  readonly repoRoot: string;
  /** A commit id (resolveCommit): a ref could move between verification and use. */
  readonly ref: string;
  /** Where the assembly goes; it must outlive the worktree. */
  readonly outDir: string;
  /** Replaces synthesizeApp (tests). */
  readonly synth?: (worktree: string, outDir: string) => Promise<void>;
}

export async function synthesizeRef(options: RefSynthOptions): Promise<string> {
  const run = options.run ?? runCommand;
  const scratch = mkdtempSync(path.join(tmpdir(), 'bgf-diff-base-'));
  const worktree = path.join(scratch, 'tree');
  const modules = path.join(options.repoRoot, 'node_modules');
  try {
    await run('git', ['worktree', 'add', '--detach', '--force', worktree, '--end-of-options', options.ref], options.repoRoot);
    if (existsSync(modules)) symlinkSync(modules, path.join(worktree, 'node_modules'), 'dir');
    if (options.synth) await options.synth(worktree, options.outDir);
    else await synthesizeApp(worktree, options.outDir, modules, options);
    return options.outDir;
  } finally {
    // Unlink the shared node_modules first, so nothing below can ever delete through it.
    const link = path.join(worktree, 'node_modules');
    if (existsSync(link) && lstatSync(link).isSymbolicLink()) unlinkSync(link);
    await run('git', ['worktree', 'remove', '--force', worktree], options.repoRoot).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    await run('git', ['worktree', 'prune'], options.repoRoot).catch(() => undefined);
  }
}
