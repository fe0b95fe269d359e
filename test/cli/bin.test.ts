import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

// The `bluegreen-fleet` command as users start it: the bin of the bluegreen-fleet-cli package
// (src/bin/bluegreen-fleet.js). In this checkout it runs the TypeScript sources through esbuild
// (no build step after `npm ci`); installed, it runs the prebuilt bundle (src/dist/cli.js).

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'src', 'bin', 'bluegreen-fleet.js');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'src', 'package.json'), 'utf8')) as { version: string };

function run(file: string, args: string[]): string {
  return execFileSync(process.execPath, [file, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
}

describe('bluegreen-fleet bin in a checkout', () => {
  test('--version prints the CLI package version', () => {
    expect(run(bin, ['--version']).trim()).toBe(version);
  });

  test('--help lists every command', () => {
    const help = run(bin, ['--help']);
    for (const command of ['status', 'deploy', 'swap', 'rollback', 'promote', 'diff', 'build', 'preflight']) {
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  test('the workspace links the bin, so `npx bluegreen-fleet` finds it after npm ci', () => {
    const link = path.join(root, 'node_modules', '.bin', 'bluegreen-fleet');
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(bin));
  });

  test('a bad option exits 2 with commander\'s message', () => {
    let status: number | null = null;
    let stderr = '';
    try {
      run(bin, ['--no-such-option']);
    } catch (error) {
      ({ status } = error as { status: number });
      stderr = String((error as { stderr: Buffer | string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/unknown option '--no-such-option'/);
  });
});

describe('bluegreen-fleet bin as installed (no sources beside it)', () => {
  let dir: string;

  beforeAll(() => {
    // Inside node_modules, so the bundle's requires (commander, the SDK) resolve as they would
    // from an installed bluegreen-fleet-cli.
    const cache = path.join(root, 'node_modules', '.cache');
    fs.mkdirSync(cache, { recursive: true });
    dir = fs.mkdtempSync(path.join(cache, 'bgf-cli-bin-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(bin, path.join(dir, 'bin', 'bluegreen-fleet.js'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { bundleOptions } = require(path.join(root, 'scripts', 'cli-bundle-options.js')) as { bundleOptions(root: string): import('esbuild').BuildOptions };
    esbuild.buildSync({ ...bundleOptions(path.join(root, 'src')), outfile: path.join(dir, 'dist', 'cli.js') });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs the prebuilt bundle: --version and --help', () => {
    expect(fs.existsSync(path.join(dir, 'cli', 'main.ts'))).toBe(false);
    expect(run(path.join(dir, 'bin', 'bluegreen-fleet.js'), ['--version']).trim()).toBe(version);
    expect(run(path.join(dir, 'bin', 'bluegreen-fleet.js'), ['--help'])).toMatch(/^ {2}deploy\b/m);
  });

  test('the bundle inlines the contract and requires only the CLI package\'s dependencies', () => {
    const code = fs.readFileSync(path.join(dir, 'dist', 'cli.js'), 'utf8');
    const { dependencies, peerDependencies } = JSON.parse(fs.readFileSync(path.join(root, 'src', 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const allowed = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies ?? {})]);
    const required = [...code.matchAll(/(?:require|import)\("([^".][^"]*)"\)/g)].map((m) => m[1]);
    const packages = [...new Set(required.filter((r) => !r.startsWith('node:') && !builtinModules.includes(r)).map((r) => r.split('/').slice(0, r.startsWith('@') ? 2 : 1).join('/')))];
    expect(packages.filter((p) => !allowed.has(p))).toEqual([]);
    expect(required.some((r) => /contract|constructs\//.test(r))).toBe(false);
  });
});
