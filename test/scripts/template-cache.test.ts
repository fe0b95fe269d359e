import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pastTimes } from '../support/past-times';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('../support/global-setup.js') as {
  templateInputs(root: string): string[];
  templateKey(root: string, env?: NodeJS.ProcessEnv): string;
  savedSince(since: number, root: string): boolean;
  cachedFolder(root: string): string;
  MARKERS: { started: string; done: string; failed: string };
};

/** A checkout whose app imports a library file and one src/ file, with a handler that imports src/ too. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-template-cache-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('bin/app.ts', "import { x } from '../lib/x';\nimport { c } from '../constructs';\nexport const app = x + c;\n");
  // The library's package.json names its jsii build, which a pack leaves behind: not what runs.
  write('constructs/index.ts', 'export const c = 1;\n');
  write('constructs/package.json', '{"name": "bluegreen-fleet", "main": "dist/index.js"}');
  write('constructs/dist/index.js', 'exports.c = 1;\n');
  write('lib/x.ts', "import { y } from '../src/y';\nexport const x = y + 1;\n");
  write('src/y.ts', 'export const y = 1;\n');
  write('src/cli.ts', 'export const notImported = 1;\n');
  write('lambda/h/index.ts', "import { z } from '../../src/z';\nexport const handler = z;\n");
  write('src/z.ts', 'export const z = 3;\n');
  write('cdk.json', '{}');
  write('package-lock.json', '{}');
  fs.mkdirSync(path.join(root, 'node_modules'));
  pastTimes(root);
  return root;
}

describe('the kept folder of model templates (test/support/global-setup.js)', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const fresh = () => {
    const root = checkout();
    roots.push(root);
    return root;
  };

  test('the inputs are what the app and the handlers import, and the files synthesis reads', () => {
    expect(setup.templateInputs(fresh())).toEqual(['bin/app.ts', 'cdk.json', 'constructs/index.ts', 'lambda/h/index.ts', 'lib/x.ts', 'package-lock.json', 'src/y.ts', 'src/z.ts']);
  });

  test('the key changes with an imported file, the lock file or a CDK or policy-gate variable, and not with a file nothing imports', () => {
    const root = fresh();
    const key = setup.templateKey(root, {});
    fs.writeFileSync(path.join(root, 'src', 'cli.ts'), 'export const notImported = 2;\n');
    expect(setup.templateKey(root, {})).toBe(key);
    expect(setup.templateKey(root, { HOME: '/elsewhere' })).toBe(key);
    expect(setup.templateKey(root, { BLUEGREEN_FLEET_POLICY_GATES: 'off' })).not.toBe(key);
    expect(setup.templateKey(root, { CDK_VALIDATION: 'false' })).not.toBe(key);
    fs.writeFileSync(path.join(root, 'src', 'z.ts'), 'export const z = 4;\n');
    const afterHandler = setup.templateKey(root, {});
    expect(afterHandler).not.toBe(key);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
    expect(setup.templateKey(root, {})).not.toBe(afterHandler);
  });

  test('a change to the construct sources changes the key, whatever the jsii build left behind', () => {
    const root = fresh();
    const key = setup.templateKey(root, {});
    fs.writeFileSync(path.join(root, 'constructs', 'index.ts'), 'export const c = 2;\n');
    expect(setup.templateKey(root, {})).not.toBe(key);
  });

  test('an input saved after a time, even back to what it was, is seen (global-teardown.js then drops the folder)', () => {
    const root = fresh();
    const since = Date.now() - 60_000;
    const old = since / 1000 - 60;
    for (const f of setup.templateInputs(root)) fs.utimesSync(path.join(root, f), old, old);
    expect(setup.savedSince(since, root)).toBe(false);
    fs.writeFileSync(path.join(root, 'src', 'cli.ts'), 'export const notImported = 3;\n');
    expect(setup.savedSince(since, root)).toBe(false);
    fs.writeFileSync(path.join(root, 'src', 'y.ts'), 'export const y = 1;\n');
    expect(setup.savedSince(since, root)).toBe(true);
  });

  test('a synthesis that stopped is started again, a finished one is kept, and only the newest folders stay', () => {
    const root = fresh();
    const dir = setup.cachedFolder(root);
    expect(path.dirname(dir)).toBe(path.join(root, 'node_modules', '.cache', 'bluegreen-fleet', 'test-templates'));
    // Stopped at the end of its run: the teardown marked it failed.
    fs.writeFileSync(path.join(dir, setup.MARKERS.started), String(process.pid));
    fs.writeFileSync(path.join(dir, setup.MARKERS.failed), 'stopped');
    fs.writeFileSync(path.join(dir, 'template.json'), '{}');
    expect(setup.cachedFolder(root)).toBe(dir);
    expect(fs.readdirSync(dir)).toEqual(['template.json']);
    // Still running (this process): left alone.
    fs.writeFileSync(path.join(dir, setup.MARKERS.started), String(process.pid));
    setup.cachedFolder(root);
    expect(fs.existsSync(path.join(dir, setup.MARKERS.started))).toBe(true);
    // Its process gone without a word: started again.
    fs.writeFileSync(path.join(dir, setup.MARKERS.started), '999999999');
    setup.cachedFolder(root);
    expect(fs.existsSync(path.join(dir, setup.MARKERS.started))).toBe(false);
    // Finished: kept as it is.
    fs.writeFileSync(path.join(dir, setup.MARKERS.started), '999999999');
    fs.writeFileSync(path.join(dir, setup.MARKERS.done), '');
    setup.cachedFolder(root);
    expect(fs.existsSync(path.join(dir, setup.MARKERS.started))).toBe(true);
    // A gated whole-app synthesis whose worker is gone is removed; a finished one is kept.
    fs.mkdirSync(path.join(dir, 'whole-app'));
    fs.writeFileSync(path.join(dir, 'whole-app.lock'), '999999999');
    setup.cachedFolder(root);
    expect(fs.existsSync(path.join(dir, 'whole-app'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'whole-app.lock'))).toBe(false);
    fs.mkdirSync(path.join(dir, 'whole-app'));
    fs.writeFileSync(path.join(dir, 'whole-app.lock'), '999999999');
    fs.writeFileSync(path.join(dir, 'whole-app.done'), '');
    setup.cachedFolder(root);
    expect(fs.existsSync(path.join(dir, 'whole-app'))).toBe(true);

    const folders = [dir];
    // Each one used a second after the one before (set, so that no two share a timestamp).
    const past = Date.now() / 1000 - 60;
    fs.utimesSync(dir, past, past);
    for (const n of [1, 2, 3]) {
      fs.writeFileSync(path.join(root, 'src', 'y.ts'), `export const y = ${n + 1};\n`);
      const folder = setup.cachedFolder(root);
      fs.utimesSync(folder, past + n, past + n);
      folders.push(folder);
    }
    expect(new Set(folders).size).toBe(4);
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(folders.slice(1).map((f) => path.basename(f)).sort());
  });
});
