// Stops the background template synthesis if it is still running (a run of a few files can end
// first) and removes the run's folder of synthesized service templates when global-setup.js made it.
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const child = globalThis.__bgfTemplateSynthesis;
  if (child && child.exitCode === null && child.signalCode === null) child.kill();
  delete globalThis.__bgfTemplateSynthesis;
  const dir = process.env.BGF_TEST_TEMPLATES;
  if (dir && process.env.BGF_TEST_TEMPLATES_OWNED === '1') {
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.BGF_TEST_TEMPLATES;
    delete process.env.BGF_TEST_TEMPLATES_OWNED;
  }
};
