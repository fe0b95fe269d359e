#!/usr/bin/env node
// Started in the background by global-setup.js: synthesizes the service templates the AWS model
// needs (KNOWN_VARIANTS of test/release/support/aws-model/service-template.ts) into the folder it
// is given, in this one process, while jest's workers run the first test files. It marks the
// folder started (by global-setup.js), then done or failed; a test file that needs a template
// waits only while the folder says started.
const fs = require('node:fs');
const path = require('node:path');
const { requireTs } = require('../../scripts/require-ts');

const dir = process.argv[2];
const source = path.join(__dirname, '..', 'release', 'support', 'aws-model', 'service-template.ts');
const { writeTemplates, MARKERS } = requireTs(source);
try {
  writeTemplates(dir);
  fs.writeFileSync(path.join(dir, MARKERS.done), '');
} catch (error) {
  fs.writeFileSync(path.join(dir, MARKERS.failed), String((error && error.stack) || error));
  process.exitCode = 1;
}
