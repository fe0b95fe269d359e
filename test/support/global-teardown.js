// Stops the background template synthesis if it is still running (a run of a few files can end
// first) and removes the run's folder of synthesized service templates when global-setup.js made it,
// or when it is the kept folder of a version of the inputs and one of them was saved during the run.
const fs = require('node:fs');
const path = require('node:path');
const { MARKERS, savedSince } = require('./global-setup');

module.exports = async function globalTeardown() {
  const child = globalThis.__bgfTemplateSynthesis;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill();
    // A kept folder (a caller's) must not say "started" for good: the next run would wait on it.
    if (process.env.BGF_TEST_TEMPLATES) fs.writeFileSync(path.join(process.env.BGF_TEST_TEMPLATES, MARKERS.failed), 'stopped at the end of the jest run that started it');
  }
  delete globalThis.__bgfTemplateSynthesis;
  const dir = process.env.BGF_TEST_TEMPLATES;
  const since = Number(process.env.BGF_TEST_TEMPLATES_KEPT_SINCE);
  if (dir && since > 0) {
    let stale = true;
    try {
      stale = savedSince(since);
    } catch {
      // The inputs cannot be read (a source that does not parse): not kept either.
    }
    if (stale) fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.BGF_TEST_TEMPLATES;
    delete process.env.BGF_TEST_TEMPLATES_KEPT_SINCE;
  }
  if (dir && process.env.BGF_TEST_TEMPLATES_OWNED === '1') {
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.BGF_TEST_TEMPLATES;
    delete process.env.BGF_TEST_TEMPLATES_OWNED;
  }
};
