import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { existsSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_DEPENDENCIES, DiffCommandOptions, DiffDependencies, runDiffCommand } from '../../src/commands/diff';
import { main } from '../../src/cli/main';
import { loadAssembly } from '../../src/diff/assembly';
import { dropCdkMetadata } from '../../src/diff/template';
import { DANGER_EXIT_CODE, DiffReport } from '../../src/diff/types';
import { removeTemporaryFolders, synthAssembly, temporaryFolder } from './fixtures';

const REPO = path.resolve(__dirname, '../..');

describe('bluegreen-fleet diff (offline)', () => {
  let base: string;
  let dangerous: string;
  let harmless: string;
  beforeAll(() => {
    base = synthAssembly({ shared: {}, services: { production: {} }, networks: { production: {} } });
    dangerous = synthAssembly({ shared: { repositoryName: 'api-v2' }, services: { production: { blue: { taskStatements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })] } } }, networks: { production: {} } });
    // A second NAT gateway: a cost, not a danger.
    harmless = synthAssembly({ shared: {}, services: { production: {} }, networks: { production: { natGateways: 2 } } });
  });

  function deps(overrides: Partial<DiffDependencies> = {}): DiffDependencies & { output: string[] } {
    const output: string[] = [];
    return {
      ...DEFAULT_DEPENDENCIES,
      cwd: REPO,
      env: {},
      write: (t) => void output.push(t),
      liveColors: () => { throw new Error('live colors must not be looked up without credentials'); },
      synthHead: async () => { throw new Error('no synthesis expected'); },
      synthRef: async () => { throw new Error('no synthesis expected'); },
      ...overrides,
      output,
    };
  }
  const run = (options: DiffCommandOptions, d = deps()) => runDiffCommand(options, d).then((code) => ({ code, out: d.output.join('') }));

  test('GIVEN two assemblies with a dangerous change, no credentials THEN exit 3, text on stdout, Markdown and JSON files written', async () => {
    const dir = temporaryFolder('bgf-diff-cmd-');
    const { code, out } = await run({ baseAssembly: base, headAssembly: dangerous, markdownOut: `${dir}/comment.md`, jsonOut: `${dir}/report.json` });
    expect(code).toBe(DANGER_EXIT_CODE);
    expect(out).toMatch(/live fleet unknown \(no AWS credentials\)/);
    expect(out).toMatch(/DANGER +\[iam\] IAM permissions broadened/);
    expect(readFileSync(`${dir}/comment.md`, 'utf8')).toMatch(/^<!-- bluegreen-fleet-diff -->/);
    const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as DiffReport;
    expect(report).toMatchObject({ dangerous: true, liveColorSource: 'unknown', base, head: dangerous });
  });

  test('a harmless change exits 0; --json prints the report', async () => {
    const { code, out } = await run({ baseAssembly: base, headAssembly: harmless, json: true });
    expect(code).toBe(0);
    const report = JSON.parse(out) as DiffReport;
    expect(report.dangerous).toBe(false);
    expect(report.environments.find((e) => e.environment === 'production')!.cost.deltaUsd).toBeGreaterThan(0);
  });

  test('with credentials the live colors are looked up; --no-live-color skips them', async () => {
    let asked = 0;
    const lookup = { lookup: async () => (asked++, { colors: new Map([['bgf-production-api/Service', 'green' as const]]), warnings: [] }) };
    const withCreds = deps({ env: { AWS_PROFILE: 'ci' }, liveColors: () => lookup });
    const { out } = await run({ baseAssembly: base, headAssembly: dangerous, format: 'markdown' }, withCreds);
    expect(asked).toBe(1);
    expect(out).toMatch(/\| `bgf-production-api\/Service` \| green \| changed \|/);
    await run({ baseAssembly: base, headAssembly: dangerous, liveColor: false }, deps({ env: { AWS_PROFILE: 'ci' }, liveColors: () => lookup }));
    expect(asked).toBe(1);
  });

  test('a base ref is verified as a commit, then synthesized (HEAD by default) beside the working tree, with the context given', async () => {
    const calls: string[] = [];
    const d = deps({
      resolveCommit: async (root, ref) => (calls.push(`resolve ${ref} ${root === REPO}`), 'c0ffee'.padEnd(40, '0')),
      synthRef: async (root, commit, _out, context) => (calls.push(`ref ${commit} ${context.join(',')} ${root === REPO}`), base),
      synthHead: async (root, _out, context) => (calls.push(`head ${context.join(',')} ${root === REPO}`), dangerous),
    });
    const { code, out } = await run({ context: ['env=production'] }, d);
    // Verified first; both sides start before either finishes.
    expect(calls).toEqual(['resolve HEAD true', 'head env=production true', `ref ${'c0ffee'.padEnd(40, '0')} env=production true`]);
    expect(code).toBe(DANGER_EXIT_CODE);
    expect(out).toMatch(/^bluegreen-fleet diff: HEAD -> working tree/);
  });

  test('the two sides synthesize at the same time, and an error of one is reported after both finished', async () => {
    const events: string[] = [];
    let releaseHead!: () => void;
    const headGate = new Promise<void>((resolve) => (releaseHead = resolve));
    const d = deps({
      resolveCommit: async () => 'a'.repeat(40),
      synthHead: async () => (events.push('head started'), await headGate, events.push('head done'), dangerous),
      synthRef: async () => {
        events.push('base started');
        // The head is still running when the base starts and fails.
        releaseHead();
        throw new Error('base synth failed');
      },
    });
    await expect(run({}, d)).rejects.toThrow(/base synth failed/);
    expect(events).toEqual(['head started', 'base started', 'head done']);
  });

  test('--deployed diffs the toolkit’s diffs against the deployed templates', async () => {
    const deployed = new Map(loadAssembly(base).stacks.map((s) => [s.stackName, s.template]));
    const head = loadAssembly(dangerous);
    const d = deps({
      env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
      liveColors: () => ({ lookup: async () => ({ colors: new Map(), warnings: [] }) }),
      deployed: {
        toolkitDiff: async () => Object.fromEntries(head.stacks.map((s) => [s.displayName ?? s.stackName, fullDiff(dropCdkMetadata(deployed.get(s.stackName)!), dropCdkMetadata(s.template))])),
        deployedTemplate: async (s) => deployed.get(s.stackName),
      },
    });
    const { code, out } = await run({ deployed: true, headAssembly: dangerous, json: true }, d);
    const report = JSON.parse(out) as DiffReport;
    expect(code).toBe(DANGER_EXIT_CODE);
    expect(report.base).toBe('deployed stacks');
    expect(report.environments.flatMap((e) => e.stacks.flatMap((s) => s.flags)).map((f) => f.category).sort()).toEqual(['iam', 'live-fleet', 'stateful-resource']);
  });

  test.each([
    [{ deployed: true }, /--deployed needs AWS credentials/],
    [{ deployed: true, baseRef: 'main' }, /cannot be combined/],
    [{ baseRef: 'main', baseAssembly: 'x' }, /either --base-ref or --base-assembly/],
    [{ format: 'html' }, /--format must be text, markdown or json/],
  ])('%j is refused', async (options, message) => {
    await expect(run(options)).rejects.toThrow(message);
  });

  test('synthesis outside the project root is refused with a hint', async () => {
    await expect(run({ baseAssembly: base }, deps({ cwd: tmpdir() }))).rejects.toThrow(/has no cdk.json/);
  });

  test('a folder that is not an assembly is an error', async () => {
    await expect(run({ baseAssembly: tmpdir(), headAssembly: base })).rejects.toThrow(/not a cloud assembly/);
  });

  test('through the CLI: exit 3 for a dangerous change, 1 for an error, and the temporary folder is cleaned', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      process.exitCode = undefined;
      expect(await main(['node', 'bluegreen-fleet', 'diff', '--base-assembly', base, '--head-assembly', dangerous, '--no-live-color'])).toBe(3);
      process.exitCode = undefined;
      expect(await main(['node', 'bluegreen-fleet', 'diff', '--base-assembly', '/nonexistent', '--head-assembly', dangerous])).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/not a cloud assembly/));
    } finally {
      process.exitCode = undefined;
      write.mockRestore();
      error.mockRestore();
    }
    expect(existsSync(base)).toBe(true);
  });
});

afterAll(removeTemporaryFolders);
