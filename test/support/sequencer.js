/**
 * Jest's own order (failed files first, then the slowest, from its cache), except that the files
 * which read the gated whole-app assembly (test/support/gated-app.ts) and do not synthesize it
 * run last. Jest starts the slowest files first, and the gated-app readers are among the slowest
 * only because the first reader synthesizes the whole app: started together on the two workers,
 * two of them synthesized it side by side (the second makes its own copy rather than idle its
 * worker). With test/lib/app.test.ts first and the other readers last, the other worker has the
 * rest of the suite to run meanwhile, and the readers find the assembly done.
 */
const Sequencer = require('@jest/test-sequencer').default;

/** The file that synthesizes the run's gated app, and the ones that only read it. */
const GATED_APP_OWNER = 'test/lib/app.test.ts';
const GATED_APP_READERS = ['test/lib/service-stack.test.ts', 'test/lib/service-stack-deploy.test.ts', 'test/lib/shared-stack.test.ts'];

const relative = (test) => test.path.slice(test.context.config.rootDir.length + 1).split('\\').join('/');

class GatedAppLastSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const owner = sorted.filter((t) => relative(t) === GATED_APP_OWNER);
    const readers = sorted.filter((t) => GATED_APP_READERS.includes(relative(t)));
    const rest = sorted.filter((t) => !owner.includes(t) && !readers.includes(t));
    return [...owner, ...rest, ...readers];
  }
}

module.exports = GatedAppLastSequencer;
module.exports.GATED_APP_OWNER = GATED_APP_OWNER;
module.exports.GATED_APP_READERS = GATED_APP_READERS;
