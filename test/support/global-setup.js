// Runs once before a jest run's test files, in jest's own process; its workers inherit the
// environment. BGF_TEST_TEMPLATES is the run's folder of synthesized service templates
// (test/release/support/aws-model/service-template.ts): fresh for every run, so no run reads a
// template an earlier version of the app produced. A caller that knows the app does not change
// between its runs may set it (a mutation run, whose mutants are in src/ and lambda/ only, sets
// it in stryker.config.mjs); that folder is used and kept.
//
// When the run may include the tests that use the AWS model (no path pattern, or one naming
// their folders), one background process synthesizes the templates they use
// (synth-templates.js) while the first test files run; it is started once per folder.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The markers' names: MARKERS in test/release/support/aws-model/service-template.ts, which reads them.
const MARKERS = { started: '.synthesizing', failed: '.synthesis-failed' };

const MODEL_TESTS = /release|lambda|aws|diff|test\/?$/;

function needsModel(globalConfig) {
  const patterns = globalConfig?.testPathPatterns?.patterns ?? [];
  return patterns.length === 0 || patterns.some((p) => MODEL_TESTS.test(p));
}

function startSynthesis(dir) {
  const started = path.join(dir, MARKERS.started);
  try {
    fs.writeFileSync(started, String(process.pid), { flag: 'wx' });
  } catch {
    return; // started before, for this folder
  }
  const log = fs.openSync(path.join(dir, 'synthesis.log'), 'a');
  const child = spawn(process.execPath, [path.join(__dirname, 'synth-templates.js'), dir], { stdio: ['ignore', log, log] });
  child.on('error', (error) => fs.writeFileSync(path.join(dir, MARKERS.failed), String(error)));
  // The marker names the process, so a waiting test file can tell a stopped one from a slow one.
  if (child.pid) fs.writeFileSync(started, String(child.pid));
  child.unref();
  fs.closeSync(log);
  globalThis.__bgfTemplateSynthesis = child;
}

async function globalSetup(globalConfig) {
  if (process.env.BGF_TEST_TEMPLATES) {
    fs.mkdirSync(process.env.BGF_TEST_TEMPLATES, { recursive: true });
  } else {
    process.env.BGF_TEST_TEMPLATES = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-test-templates-'));
    process.env.BGF_TEST_TEMPLATES_OWNED = '1';
  }
  if (needsModel(globalConfig)) startSynthesis(process.env.BGF_TEST_TEMPLATES);
};

module.exports = globalSetup;
module.exports.MARKERS = MARKERS;
