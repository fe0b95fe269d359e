import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pastTimes } from '../support/past-times';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cache = require('../../scripts/synth-cache.js') as {
  cacheDirectory(root: string): string;
  inputFiles(root: string): string[];
  lookup(root: string, env: NodeJS.ProcessEnv, argv: string[]): string | undefined;
  restore(dir: string, outdir: string, streams: Record<'stdout' | 'stderr', { write(text: string): unknown }>): void;
  begin(root: string, env: NodeJS.ProcessEnv, argv: string[], streams: Record<'stdout' | 'stderr', { write(chunk: unknown): unknown }>): { keep(outdir: string): string | undefined };
  setClock(clock: () => number): void;
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A checkout: an app that imports lib/ and src/, a handler that imports src/, and the files synthesis reads. */
function checkout(app = "import { x } from '../lib/x';\nimport { c } from '../constructs';\nexport function run(): void { void x; void c; }\n"): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-synth-cache-'));
  roots.push(root);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('bin/app.ts', app);
  write('lib/x.ts', "import { y } from '../src/y';\nexport const x = y;\n");
  write('src/y.ts', 'export const y = 1;\n');
  write('src/cli.ts', 'export const notTheApp = 1;\n');
  write('lambda/h/index.ts', "import { z } from '../../src/z';\nexport const handler = z;\n");
  write('src/z.ts', 'export const z = 1;\n');
  write('cdk.json', '{}');
  write('package-lock.json', '{}');
  write('data/table.json', '{}');
  // The library's package.json names its jsii build, which a pack leaves behind: not what runs.
  write('constructs/index.ts', 'export const c = 1;\n');
  write('constructs/package.json', '{"name": "bluegreen-fleet", "main": "dist/index.js"}');
  write('constructs/dist/index.js', 'exports.c = 1;\n');
  pastTimes(root);
  return root;
}

/** An assembly the "app" wrote. */
function assembly(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-synth-out-'));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Streams that record what is written to them, in order. */
function recorder() {
  const written: string[] = [];
  const stream = (name: string) => ({ write: (chunk: unknown) => written.push(`${name}:${String(chunk)}`) });
  return { written, streams: { stdout: stream('stdout'), stderr: stream('stderr') } };
}

const ENV = { CDK_CONTEXT_JSON: '{"env":"dev"}', CDK_OUTDIR: '/out/a', HOME: '/home/x' };

describe('the kept assembly of a synth (scripts/synth-cache.js)', () => {
  test('the inputs are what the app and the handlers import, and the files synthesis reads', () => {
    expect(cache.inputFiles(checkout())).toEqual([
      'bin/app.ts',
      'cdk.context.json',
      'cdk.json',
      'constructs/index.ts',
      'lambda/h/index.ts',
      'lib/x.ts',
      'node_modules/.package-lock.json',
      'package-lock.json',
      'scripts/app.js',
      'scripts/synth-cache.js',
      'src/y.ts',
      'src/z.ts',
      'tsconfig.json',
    ]);
  });

  test('kept after the app ran, then copied to the output folder with what the app printed, in order', () => {
    const root = checkout();
    expect(cache.lookup(root, ENV, [])).toBeUndefined();
    const run = recorder();
    const pending = cache.begin(root, ENV, [], run.streams);
    run.streams.stdout.write('one\n');
    run.streams.stderr.write('two\n');
    const kept = pending.keep(assembly({ 'manifest.json': '{"version":"55.0.0"}', 'a.template.json': '{}' }));
    expect(kept).toBeDefined();
    expect(cache.lookup(root, ENV, [])).toBe(kept);
    const replay = recorder();
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-synth-restored-'));
    roots.push(outdir);
    cache.restore(kept as string, outdir, replay.streams);
    expect(fs.readdirSync(outdir).sort()).toEqual(['a.template.json', 'manifest.json']);
    expect(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).toBe('{"version":"55.0.0"}');
    expect(replay.written).toEqual(['stdout:one\n', 'stderr:two\n']);
  });

  test('a change to an imported file, the CLI context, the debug switch or the arguments is another synth; the output folder and files nothing imports are not', () => {
    const root = checkout();
    cache.begin(root, ENV, [], recorder().streams).keep(assembly({ 'manifest.json': '{}' }));
    expect(cache.lookup(root, { ...ENV, CDK_OUTDIR: '/out/b', CDK_ERROR_FILE: '/out/b/error.txt', CDK_PERF_COUNTERS_FILE: '/out/b/p.json', HOME: '/elsewhere' }, [])).toBeDefined();
    fs.writeFileSync(path.join(root, 'src', 'cli.ts'), 'export const notTheApp = 2;\n');
    expect(cache.lookup(root, ENV, [])).toBeDefined();
    expect(cache.lookup(root, { ...ENV, CDK_CONTEXT_JSON: '{"env":"prod"}' }, [])).toBeUndefined();
    expect(cache.lookup(root, { ...ENV, BGF_DEBUG: '1' }, [])).toBeUndefined();
    expect(cache.lookup(root, { ...ENV, BLUEGREEN_FLEET_POLICY_GATES: 'off' }, [])).toBeUndefined();
    expect(cache.lookup(root, ENV, ['--extra'])).toBeUndefined();
    fs.writeFileSync(path.join(root, 'src', 'z.ts'), 'export const z = 2;\n');
    expect(cache.lookup(root, ENV, [])).toBeUndefined();
  });

  test('the construct sources, not the jsii build; a context the CLI passes in a file; the hour', () => {
    const root = checkout();
    cache.begin(root, ENV, [], recorder().streams).keep(assembly({ 'manifest.json': '{}' }));
    fs.writeFileSync(path.join(root, 'constructs', 'dist', 'index.js'), 'exports.c = 2;\n');
    expect(cache.lookup(root, ENV, [])).toBeDefined();
    fs.writeFileSync(path.join(root, 'constructs', 'index.ts'), 'export const c = 2;\n');
    expect(cache.lookup(root, ENV, [])).toBeUndefined();

    const withFile = checkout();
    const context = path.join(withFile, 'overflow.json');
    fs.writeFileSync(context, '{"env":"dev"}');
    const env = { ...ENV, CONTEXT_OVERFLOW_LOCATION_ENV: context };
    cache.begin(withFile, env, [], recorder().streams).keep(assembly({ 'manifest.json': '{}' }));
    const moved = path.join(withFile, 'elsewhere.json');
    fs.copyFileSync(context, moved);
    expect(cache.lookup(withFile, { ...ENV, CONTEXT_OVERFLOW_LOCATION_ENV: moved }, [])).toBeDefined();
    fs.writeFileSync(moved, '{"env":"prod"}');
    expect(cache.lookup(withFile, { ...ENV, CONTEXT_OVERFLOW_LOCATION_ENV: moved }, [])).toBeUndefined();

    try {
      const hour = Date.parse('2026-03-29T00:10:00Z');
      cache.setClock(() => hour);
      const atNight = checkout();
      cache.begin(atNight, ENV, [], recorder().streams).keep(assembly({ 'manifest.json': '{}' }));
      cache.setClock(() => hour + 40 * 60_000);
      expect(cache.lookup(atNight, ENV, [])).toBeDefined();
      // A time zone's offset may change on the next hour (a release window's checks use it).
      cache.setClock(() => hour + 60 * 60_000);
      expect(cache.lookup(atNight, ENV, [])).toBeUndefined();
    } finally {
      cache.setClock(() => Date.now());
    }
  });

  test('a file saved while the app ran, even back to what it was: the assembly is not kept', () => {
    const root = checkout();
    const old = Date.now() / 1000 - 60;
    fs.utimesSync(path.join(root, 'lib', 'x.ts'), old, old);
    const text = fs.readFileSync(path.join(root, 'lib', 'x.ts'), 'utf8');
    const pending = cache.begin(root, ENV, [], recorder().streams);
    fs.writeFileSync(path.join(root, 'lib', 'x.ts'), text);
    expect(pending.keep(assembly({ 'manifest.json': '{}' }))).toBeUndefined();
  });

  test('a file changed while the app ran: the assembly is not kept', () => {
    const root = checkout();
    const pending = cache.begin(root, ENV, [], recorder().streams);
    fs.writeFileSync(path.join(root, 'lib', 'x.ts'), "import { y } from '../src/y';\nexport const x = y + 1;\n");
    expect(pending.keep(assembly({ 'manifest.json': '{}' }))).toBeUndefined();
    expect(cache.lookup(root, ENV, [])).toBeUndefined();
  });

  test("the CLI's own error and performance files are not kept; only the newest three assemblies are", () => {
    const root = checkout();
    const out = assembly({ 'manifest.json': '{}', 'error.txt': 'x', 'performance-counters.json': '{}' });
    const env = { ...ENV, CDK_ERROR_FILE: path.join(out, 'error.txt'), CDK_PERF_COUNTERS_FILE: path.join(out, 'performance-counters.json') };
    const first = cache.begin(root, env, [], recorder().streams).keep(out) as string;
    expect(fs.readdirSync(path.join(first, 'assembly'))).toEqual(['manifest.json']);
    const past = Date.now() / 1000 - 60;
    fs.utimesSync(first, past, past);
    const kept = [first];
    for (const n of [1, 2, 3]) {
      fs.writeFileSync(path.join(root, 'src', 'y.ts'), `export const y = ${n + 1};\n`);
      fs.utimesSync(path.join(root, 'src', 'y.ts'), past, past);
      const dir = cache.begin(root, env, [], recorder().streams).keep(out) as string;
      fs.utimesSync(dir, past + n, past + n);
      kept.push(dir);
    }
    const left = fs.readdirSync(cache.cacheDirectory(root)).filter((n) => n !== 'inputs.json');
    expect(left.sort()).toEqual(kept.slice(1).map((d) => path.basename(d)).sort());
  });
});

describe('scripts/app.js with the kept assembly', () => {
  /** A checkout with scripts/app.js and an app that counts its runs, prints a line, and fails when FAIL is set. */
  function appCheckout(): string {
    const root = checkout(
      [
        "import * as fs from 'fs';",
        "import * as path from 'path';",
        'export function run(): void {',
        "  fs.appendFileSync(path.join(__dirname, '..', '..', 'runs.log'), 'run\\n');",
        "  fs.mkdirSync(process.env.CDK_OUTDIR as string, { recursive: true });",
        "  fs.writeFileSync(path.join(process.env.CDK_OUTDIR as string, 'manifest.json'), '{}');",
        "  console.log('printed by the app');",
        '  if (process.env.FAIL) process.exit(1);',
        '}',
        '',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(root, 'scripts'));
    for (const f of ['app.js', 'synth-cache.js']) fs.copyFileSync(path.join(ROOT, 'scripts', f), path.join(root, 'scripts', f));
    fs.mkdirSync(path.join(root, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'node_modules', 'esbuild'), path.join(root, 'node_modules', 'esbuild'));
    pastTimes(root);
    return root;
  }
  const synth = (root: string, env: Record<string, string> = {}) => {
    const outdir = path.join(root, 'cdk.out');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'app.js')], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, CDK_OUTDIR: outdir, ...env } });
    return { status: r.status, stdout: r.stdout, runs: fs.existsSync(path.join(root, 'runs.log')) ? fs.readFileSync(path.join(root, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0 };
  };

  test('the second synth with the same inputs does not run the app and prints what it printed', () => {
    const root = appCheckout();
    expect(synth(root)).toEqual({ status: 0, stdout: 'printed by the app\n', runs: 1 });
    fs.rmSync(path.join(root, 'cdk.out'), { recursive: true });
    expect(synth(root)).toEqual({ status: 0, stdout: 'printed by the app\n', runs: 1 });
    expect(fs.existsSync(path.join(root, 'cdk.out', 'manifest.json'))).toBe(true);
    expect(synth(root, { BLUEGREEN_FLEET_SYNTH_CACHE: 'off' })).toEqual({ status: 0, stdout: 'printed by the app\n', runs: 2 });
  });

  test('a synth that fails is not kept: the next one runs the app again', () => {
    const root = appCheckout();
    expect(synth(root, { FAIL: '1', BGF_FAIL_MODE: 'x' })).toMatchObject({ status: 1, runs: 1 });
    expect(synth(root, { FAIL: '1', BGF_FAIL_MODE: 'x' })).toMatchObject({ status: 1, runs: 2 });
  });
});
