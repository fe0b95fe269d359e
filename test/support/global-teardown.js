// Removes the run's folder of synthesized service templates (see global-setup.js).
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.BGF_TEST_TEMPLATES;
  if (dir && /bgf-test-templates-/.test(dir)) fs.rmSync(dir, { recursive: true, force: true });
};
