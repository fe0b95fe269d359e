import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('../support/sequencer');

const root = path.resolve(__dirname, '..', '..');

describe('the test sequencer (test/support/sequencer.js)', () => {
  test("keeps jest's order (slowest first, from its timing cache) but runs the gated-app readers after the first one last", () => {
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
    sequencer._cache.set(context, Object.fromEntries(tests.map((t) => [t.path, [0, durations[path.relative(root, t.path)]]])));
    expect(sequencer.sort(tests).map((t: { path: string }) => path.relative(root, t.path))).toEqual([
      'test/lib/service-stack.test.ts',
      'test/release/deploy-faults.test.ts',
      'test/constructs/fleet/fleet.test.ts',
      'test/lib/app.test.ts',
      'test/lib/shared-stack.test.ts',
      'test/lib/service-stack-deploy.test.ts',
    ]);
  });
});
