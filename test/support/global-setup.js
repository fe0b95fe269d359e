// Runs once before a jest run's test files, in jest's own process; its workers inherit the
// environment. BGF_TEST_TEMPLATES is the run's folder of synthesized service templates
// (test/release/support/aws-model/service-template.ts): fresh for every run, so no run reads a
// template an earlier version of the app produced. A caller that knows the app does not change
// between its runs may set it (a mutation run, whose mutants are in src/ and lambda/ only, sets
// it in stryker.config.mjs); that folder is used and kept.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.BGF_TEST_TEMPLATES) {
    fs.mkdirSync(process.env.BGF_TEST_TEMPLATES, { recursive: true });
    return;
  }
  process.env.BGF_TEST_TEMPLATES = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-test-templates-'));
  process.env.BGF_TEST_TEMPLATES_OWNED = '1';
};
