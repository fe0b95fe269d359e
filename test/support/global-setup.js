// Runs once before a jest run's test files, in jest's own process; its workers inherit the
// environment. BGF_TEST_TEMPLATES is the run's folder of synthesized service templates
// (test/release/support/aws-model/service-template.ts): fresh for every run, so no run reads a
// template an earlier version of the app produced.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  process.env.BGF_TEST_TEMPLATES = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-test-templates-'));
};
