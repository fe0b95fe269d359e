import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * The CLI as it ships (each source file transpiled on its own, like `tsc` does): `--help` must
 * not load the AWS SDK, which only a command's action may load.
 */
const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join(ROOT, 'tmp', `cli-test-${process.pid}`);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Runs `main(argv)` in a fresh node and reports what it loaded. */
function probe(argv: string[], extraRequire?: string): { code: number; sdkModules: number; stdout: string } {
  const script = `
    const out = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (s) => (out.push(String(s)), true);
    ${extraRequire ? `require(${JSON.stringify(extraRequire)});` : ''}
    require(${JSON.stringify(path.join(OUT, 'src', 'cli', 'main.js'))}).main(${JSON.stringify(['node', 'bluegreen-fleet', ...argv])}).then((code) => {
      const sdkModules = Object.keys(require.cache).filter((k) => k.includes('/node_modules/@aws-sdk/')).length;
      write(JSON.stringify({ code, sdkModules, stdout: out.join('') }));
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

describe('bluegreen-fleet start-up', () => {
  beforeAll(() => {
    buildSync({
      entryPoints: ['src', 'lib', 'constructs', 'lambda'].flatMap((d) => sources(path.join(ROOT, d))),
      outdir: OUT,
      outbase: ROOT,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'error',
    });
    // JSON data the sources require (lib/config reads the price list through src/diff), as the package ships it.
    fs.cpSync(path.join(ROOT, 'data'), path.join(OUT, 'data'), { recursive: true });
  });
  afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

  test('--help lists the release commands and loads no AWS SDK module', () => {
    const { code, sdkModules, stdout } = probe(['--help']);
    expect(code).toBe(0);
    for (const command of ['status', 'deploy', 'swap', 'rollback', 'promote']) expect(stdout).toMatch(new RegExp(`\\n\\s+${command} `));
    expect(sdkModules).toBe(0);
  });

  test('deploy --help shows its options, still without the SDK', () => {
    const { code, sdkModules, stdout } = probe(['deploy', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--image-from <env>[\s\S]*--no-swap[\s\S]*--dry-run/);
    expect(sdkModules).toBe(0);
  });

  test('the probe does see the SDK once a command module is loaded (so the checks above can fail)', () => {
    expect(probe(['--help'], path.join(OUT, 'src', 'commands', 'deploy.js')).sdkModules).toBeGreaterThan(0);
  });

  test('a missing required option is a usage error (exit 2)', () => {
    expect(probe(['promote', '--service', 'api']).code).toBe(2);
  });
});
