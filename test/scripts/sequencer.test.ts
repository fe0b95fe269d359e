import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('../support/sequencer');

const root = path.resolve(__dirname, '..', '..');

function filesCalling(dir: string, needle: RegExp): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    const rel = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (entry.isFile() && rel.endsWith('.test.ts') && needle.test(fs.readFileSync(path.join(root, rel), 'utf8'))) found.push(rel);
  }
  return found.sort();
}

describe('the test sequencer (test/support/sequencer.js)', () => {
  test('names every test file that reads the gated whole app, and only those', () => {
    expect([Sequencer.GATED_APP_OWNER, ...Sequencer.GATED_APP_READERS].sort()).toEqual(filesCalling('test', /\bgatedApp\(\)/));
  });

  test("keeps jest's order (slowest first, from its timing cache) but runs the owner first and the other readers last", () => {
    const durations: Record<string, number> = {
      'test/lib/service-stack.test.ts': 20,
      'test/lib/app.test.ts': 19,
      'test/release/deploy-faults.test.ts': 9,
      'test/lib/shared-stack.test.ts': 3,
      'test/constructs/fleet/fleet.test.ts': 2,
      'test/lib/service-stack-deploy.test.ts': 1,
    };
    const sequencer = new Sequencer({});
    const context = { config: { rootDir: root, cache: false }, hasteFS: { getSize: () => 1 } };
    const tests = Object.keys(durations).map((rel) => ({ path: path.join(root, rel), context }));
    const cache = Object.fromEntries(tests.map((t) => [t.path, [0, durations[path.relative(root, t.path)]]]));
    sequencer._cache.set(context, cache);
    expect(sequencer.sort(tests).map((t: { path: string }) => path.relative(root, t.path))).toEqual([
      'test/lib/app.test.ts',
      'test/release/deploy-faults.test.ts',
      'test/constructs/fleet/fleet.test.ts',
      'test/lib/service-stack.test.ts',
      'test/lib/shared-stack.test.ts',
      'test/lib/service-stack-deploy.test.ts',
    ]);
  });
});
