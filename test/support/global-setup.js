// Runs once before a jest run's test files, in jest's own process; its workers inherit the
// environment. BGF_TEST_TEMPLATES is the run's folder of synthesized service templates
// (test/release/support/aws-model/service-template.ts), one per version of what they are made
// of, so no run reads a template an earlier version of the app produced. A caller that knows
// the app does not change between its runs may set it (a mutation run, whose mutants are in src/
// and lambda/ only, sets it in stryker.config.mjs); that folder is used and kept.
//
// Without BGF_TEST_TEMPLATES, the folder is node_modules/.cache/bluegreen-fleet/test-templates/<key>,
// where the key is a hash of every file the templates can depend on (templateInputs below: the
// app's and the constructs' sources, the Lambda sources their assets bundle, the model's own
// template code, the lock file and the CDK context). A run after a change to any of them gets a
// new folder and synthesizes again; a run with nothing changed reads the templates the last one
// wrote (the background synthesis is about 7 s of a core, and the first test files wait for it).
// BGF_TEST_TEMPLATE_CACHE=off makes a fresh folder for the run instead, removed at its end.
//
// When the run may include the tests that use the AWS model (no path pattern, or one naming
// their folders), one background process synthesizes the templates they use
// (synth-templates.js) while the first test files run; it is started once per folder.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The markers' names: MARKERS in test/release/support/aws-model/service-template.ts, which reads them.
const MARKERS = { started: '.synthesizing', done: '.synthesized', failed: '.synthesis-failed' };

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

const ROOT = path.resolve(__dirname, '..', '..');
// What the kept folder's contents are made of: the model's templates
// (test/release/support/aws-model/service-template.ts, through lib/app) and the gated whole-app
// assembly (test/support/gated-app.ts, through bin/app), with everything they import, and the
// Lambda handlers the constructs bundle as assets; besides, the files synthesis reads
// (cdk.json, cdk.context.json), the lock file that pins aws-cdk-lib, cdk-nag, cfn-guard's rules
// and esbuild, the jest setup file, and the environment variables that change what synthesis
// does (the policy gates' switch, CDK's own).
const ENTRIES = ['bin/app.ts', 'test/release/support/aws-model/service-template.ts', 'test/support/gated-app.ts', 'test/support/synth-templates.js'];
const INPUT_FILES = ['package-lock.json', 'node_modules/.package-lock.json', 'cdk.json', 'cdk.context.json', 'tsconfig.json', 'test/support/environment.js', 'scripts/synth-cache.js'];

// The digest, the pruning and the saved-since check are the kept assembly's (scripts/synth-cache.js):
// the same inputs, read the same way.
const synthCache = require('../../scripts/synth-cache.js');

/** Every input file, relative to the checkout, sorted: what esbuild finds the entries import. */
function templateInputs(root = ROOT) {
  const imported = synthCache.importedFiles(root, [...ENTRIES, ...synthCache.handlerEntries(root)]);
  return [...new Set([...imported, ...INPUT_FILES.filter((f) => fs.existsSync(path.join(root, f)))])].sort();
}

/**
 * The cache key: each input's path and content, and the environment variables that steer
 * synthesis (synth-cache.js's digest: the CDK and project variables, Node.js, the UTC hour the
 * gated app's release-window checks depend on).
 */
function templateKey(root = ROOT, env = process.env) {
  const steering = Object.fromEntries(Object.entries(env).filter(([n]) => !n.startsWith('BGF_TEST_TEMPLATE')));
  return synthCache.digest(root, templateInputs(root), steering, []).slice(0, 24);
}

const KEEP_FOLDERS = 3;

/** The cache folder for this checkout's inputs, made ready for a run; older folders beyond KEEP_FOLDERS are removed. */
function cachedFolder(root = ROOT) {
  const base = path.join(root, 'node_modules', '.cache', 'bluegreen-fleet', 'test-templates');
  const dir = path.join(base, templateKey(root));
  fs.mkdirSync(dir, { recursive: true });
  const now = new Date();
  fs.utimesSync(dir, now, now);
  // A synthesis that did not finish (stopped with its run, or failed) is started again; the
  // templates it wrote are whole (written, then renamed) and are kept.
  const started = path.join(dir, MARKERS.started);
  if (!fs.existsSync(path.join(dir, MARKERS.done)) && fs.existsSync(started) && (fs.existsSync(path.join(dir, MARKERS.failed)) || !running(started))) {
    fs.rmSync(started, { force: true });
    fs.rmSync(path.join(dir, MARKERS.failed), { force: true });
  }
  // The gated whole-app assembly (test/support/gated-app.ts) likewise, when its synthesis stopped.
  const lock = path.join(dir, 'whole-app.lock');
  if (fs.existsSync(lock) && !fs.existsSync(path.join(dir, 'whole-app.done')) && !running(lock)) {
    fs.rmSync(path.join(dir, 'whole-app'), { recursive: true, force: true });
    fs.rmSync(lock, { force: true });
  }
  synthCache.prune(base, dir, KEEP_FOLDERS);
  return dir;
}

/**
 * Whether an input was saved after `since` (ms): what a kept folder holds may then come from
 * sources that are not the ones its key names (saved while they were synthesized, even if saved
 * back since), so the folder is not kept.
 */
function savedSince(since, root = ROOT) {
  return synthCache.savedSince(root, templateInputs(root), since);
}

/** Whether the process a marker names still runs (signal 0 only checks; EPERM means it exists). */
function running(marker) {
  const pid = Number(fs.readFileSync(marker, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The kept folder, or undefined (and a fresh folder for the run) when the inputs cannot be read: a source that does not parse fails its tests anyway. */
function keptFolder() {
  try {
    return cachedFolder();
  } catch {
    return undefined;
  }
}

async function globalSetup(globalConfig) {
  const keptSince = Date.now();
  const kept = process.env.BGF_TEST_TEMPLATES || process.env.BGF_TEST_TEMPLATE_CACHE === 'off' ? undefined : keptFolder();
  if (process.env.BGF_TEST_TEMPLATES) {
    fs.mkdirSync(process.env.BGF_TEST_TEMPLATES, { recursive: true });
  } else if (kept) {
    process.env.BGF_TEST_TEMPLATES = kept;
    // global-teardown.js drops the folder when an input was saved during the run.
    process.env.BGF_TEST_TEMPLATES_KEPT_SINCE = String(keptSince);
  } else {
    process.env.BGF_TEST_TEMPLATES = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-test-templates-'));
    process.env.BGF_TEST_TEMPLATES_OWNED = '1';
  }
  if (needsModel(globalConfig)) startSynthesis(process.env.BGF_TEST_TEMPLATES);
}

module.exports = globalSetup;
module.exports.MARKERS = MARKERS;
module.exports.templateInputs = templateInputs;
module.exports.templateKey = templateKey;
module.exports.cachedFolder = cachedFolder;
module.exports.savedSince = savedSince;
