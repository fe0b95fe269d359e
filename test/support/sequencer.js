/**
 * Jest's own order (failed files first, then the slowest, from its cache), except that of the
 * files which read the gated whole-app assembly (they call `gatedApp()`, test/support/gated-app.ts)
 * only the first keeps its place; the others run last. Jest starts the slowest files first, and
 * the gated-app readers are among the slowest only because the first of them synthesizes the
 * whole app: started together on the two workers, two of them synthesized it side by side (the
 * second makes its own copy rather than idle its worker). With the others last, the other worker
 * runs the rest of the suite meanwhile, and they find the assembly done. The readers are found
 * from the files' text, so a new one needs no list kept here.
 */
const fs = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

const READS_GATED_APP = /\bgatedApp\(\)/;

class GatedAppLastSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const readers = sorted.filter((t) => READS_GATED_APP.test(fs.readFileSync(t.path, 'utf8'))).slice(1);
    return [...sorted.filter((t) => !readers.includes(t)), ...readers];
  }
}

module.exports = GatedAppLastSequencer;
