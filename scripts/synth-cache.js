/**
 * The assembly of the last synths, kept per digest of everything the app reads (scripts/app.js).
 * `cdk deploy` right after `cdk synth`, a second `npm run synth`, the pull-request diff's head
 * after CI's synth: each ran the whole app again (module loading, CDK's synthesis of ~900
 * resources, cdk-nag, the preflight gate) to write the same files. Here a run whose inputs are
 * those of a kept assembly copies that assembly to CDK_OUTDIR and replays what the app printed,
 * instead of running it. The gates ran on exactly these inputs when it was kept, and only a
 * synth that ended with exit code 0 is kept, so the findings are the same.
 *
 * The inputs:
 * - every file esbuild finds bin/app.ts and the Lambda handlers (lambda/<name>/index.ts, which
 *   the constructs bundle as assets) import, outside node_modules: the app, the constructs, the
 *   config, the parts of src/ they use, the price table;
 * - scripts/app.js and this file, cdk.json, cdk.context.json, package-lock.json and npm's
 *   node_modules/.package-lock.json (rewritten by every install: the packages, cdk-nag's and
 *   cfn-guard's rules among them);
 * - the environment variables the CDK CLI and the app read (CDK_* but the output paths, the
 *   context the CLI passes among them; BLUEGREEN_FLEET_*, BGF_*, JSII_*), the arguments and the
 *   Node.js version.
 * Which files those are is recorded with the last kept assembly (inputs.json) and read back
 * first, so a hit costs a digest of ~130 files, not a bundling: the list can only be out of date
 * when one of its files changed (an import is added in a file already on it), and then the
 * digest differs anyway. A miss makes the list afresh, digests the files before the app runs and
 * again after it, and keeps the assembly only when nothing changed in between (a file saved
 * during the synth). `BLUEGREEN_FLEET_SYNTH_CACHE=off` turns it off. Why: docs/decisions.md.
 *
 * A file the app reads that is not an import must be on FIXED_INPUTS.
 *
 * assumed: an import resolves to the same file as long as the files on the list are unchanged.
 * Adding a file that takes precedence in resolution (a `x.tsx` beside an imported `x.ts`) would
 * not be seen; the repository has no such files.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = 'bin/app.ts';
const FIXED_INPUTS = ['scripts/app.js', 'scripts/synth-cache.js', 'cdk.json', 'cdk.context.json', 'tsconfig.json', 'package-lock.json', 'node_modules/.package-lock.json'];
// The CLI passes a large context in a file it names here (aws-cdk-lib cx-api, readContextFromTempFile).
const CONTEXT_FILE_ENV = 'CONTEXT_OVERFLOW_LOCATION_ENV';
const INPUT_ENV = /^(CDK_|BLUEGREEN_FLEET_|BGF_|JSII_)/;
/** Where the CLI wants the output (and its error and performance files): not what the app makes. */
const OUTPUT_ENV = new Set(['CDK_OUTDIR', 'CDK_ERROR_FILE', 'CDK_PERF_COUNTERS_FILE', 'BLUEGREEN_FLEET_SYNTH_CACHE']);
const KEEP = 3;
/** How far a file's modification time may lag behind Date.now (the kernel's coarse clock). */
const COARSE_CLOCK_MS = 10;
/** The clock (tests set it). */
let now = () => Date.now();

function enabled(env = process.env) {
  return env.BLUEGREEN_FLEET_SYNTH_CACHE !== 'off';
}

function cacheDirectory(root = ROOT) {
  return path.join(root, 'node_modules', '.cache', 'bluegreen-fleet', 'synth');
}

/**
 * The files `entries` import, relative to root and sorted, outside node_modules, as the code that
 * runs sees them: `import ... from '../constructs'` is constructs/index.ts (jest maps it so, and
 * scripts/app.js runs the transpiled sources), not the `main` of constructs/package.json, which
 * names the jsii build (constructs/dist/, present after a pack) esbuild would otherwise follow.
 */
function importedFiles(root, entries) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: entries.filter((e) => fs.existsSync(path.join(root, e))),
    bundle: true,
    packages: 'external',
    // No package.json field names a folder's entry, so a folder import is its index file (the
    // packages, the only other thing that has a package.json, are left out anyway).
    mainFields: ['bluegreen-fleet-sources'],
    platform: 'node',
    write: false,
    metafile: true,
    outdir: 'unused',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs)
    .filter((f) => !f.startsWith('node_modules/'))
    .sort();
}

/** The Lambda handlers' entry points (lambda/<name>/index.ts). */
function handlerEntries(root) {
  const lambdaRoot = path.join(root, 'lambda');
  return fs.existsSync(lambdaRoot) ? fs.readdirSync(lambdaRoot).filter((n) => fs.existsSync(path.join(lambdaRoot, n, 'index.ts'))).map((n) => `lambda/${n}/index.ts`) : [];
}

/** The files the app and the handlers import (relative to root, sorted), and the fixed inputs. */
function inputFiles(root = ROOT) {
  return [...new Set([...importedFiles(root, [ENTRY, ...handlerEntries(root)]), ...FIXED_INPUTS])].sort();
}

/** A digest of the files' paths and contents (a missing file counts as missing), the environment, the arguments and Node.js. */
function digest(root, files, env = process.env, argv = process.argv.slice(2)) {
  const hash = crypto.createHash('sha256');
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file}\0`);
    hash.update(fs.existsSync(full) ? fs.readFileSync(full) : '\u0000missing');
    hash.update('\0');
  }
  for (const name of Object.keys(env).filter((n) => INPUT_ENV.test(n) && !OUTPUT_ENV.has(n)).sort()) hash.update(`${name}=${env[name]}\0`);
  // Its content, not its (temporary) path.
  if (env[CONTEXT_FILE_ENV]) hash.update(`${CONTEXT_FILE_ENV}\0`).update(fs.existsSync(env[CONTEXT_FILE_ENV]) ? fs.readFileSync(env[CONTEXT_FILE_ENV]) : '\u0000missing');
  // The config checks read the clock: a release window's time zone offset is today's
  // (lib/config/schedule-checks.ts), so an assembly is reused within the UTC hour it was made in
  // (offsets change on the hour).
  hash.update(`${JSON.stringify(argv)}\0${process.version}\0${new Date(now()).toISOString().slice(0, 13)}`);
  return hash.digest('hex').slice(0, 32);
}

/** The kept assembly for the current inputs, if there is one. */
function lookup(root = ROOT, env = process.env, argv = process.argv.slice(2)) {
  let files;
  try {
    const recorded = JSON.parse(fs.readFileSync(path.join(cacheDirectory(root), 'inputs.json'), 'utf8'));
    if (Array.isArray(recorded.files) && recorded.files.every((f) => typeof f === 'string')) files = recorded.files;
  } catch {
    return undefined;
  }
  if (!files) return undefined;
  const dir = path.join(cacheDirectory(root), digest(root, files, env, argv));
  if (!fs.existsSync(path.join(dir, 'assembly', 'manifest.json')) || !fs.existsSync(path.join(dir, 'output.json'))) return undefined;
  return dir;
}

/** Copies a kept assembly to `outdir` and replays the app's output; marks it as the newest. */
function restore(dir, outdir, streams = { stdout: process.stdout, stderr: process.stderr }) {
  fs.mkdirSync(outdir, { recursive: true });
  fs.cpSync(path.join(dir, 'assembly'), outdir, { recursive: true });
  for (const chunk of JSON.parse(fs.readFileSync(path.join(dir, 'output.json'), 'utf8'))) streams[chunk.stream].write(chunk.text);
  const now = new Date();
  fs.utimesSync(dir, now, now);
}

/**
 * Before the app runs on a miss: the inputs and their digest now, and a recorder of what the
 * app prints. `keep(outdir)` (after the app ended with exit code 0) keeps the assembly when the
 * inputs still have that digest.
 */
function begin(root = ROOT, env = process.env, argv = process.argv.slice(2), streams = { stdout: process.stdout, stderr: process.stderr }) {
  const files = inputFiles(root);
  const started = Date.now();
  const before = digest(root, files, env, argv);
  const output = [];
  for (const name of ['stdout', 'stderr']) {
    const stream = streams[name];
    const write = stream.write.bind(stream);
    stream.write = (chunk, ...rest) => {
      output.push({ stream: name, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
      return write(chunk, ...rest);
    };
  }
  return {
    key: before,
    keep(outdir) {
      // Saved while the app ran (even if saved back since): not kept.
      // (The file system stamps times from a clock up to a few ms behind Date.now.)
      if (savedSince(root, files, started) || digest(root, files, env, argv) !== before) return undefined;
      const base = cacheDirectory(root);
      const dir = path.join(base, before);
      const staging = path.join(base, `${before}.${process.pid}.tmp`);
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      // The CLI's own files in the output folder (its error and performance files) are not the app's.
      const own = new Set(['CDK_ERROR_FILE', 'CDK_PERF_COUNTERS_FILE'].map((n) => env[n] && path.resolve(env[n])).filter(Boolean));
      fs.cpSync(outdir, path.join(staging, 'assembly'), { recursive: true, filter: (src) => !own.has(path.resolve(src)) });
      fs.writeFileSync(path.join(staging, 'output.json'), JSON.stringify(output));
      if (fs.existsSync(dir)) fs.rmSync(staging, { recursive: true, force: true });
      else fs.renameSync(staging, dir);
      const list = path.join(base, `inputs.json.${process.pid}.tmp`);
      fs.writeFileSync(list, JSON.stringify({ files }));
      fs.renameSync(list, path.join(base, 'inputs.json'));
      prune(base, dir);
      return dir;
    },
  };
}

/** Keeps the `keep` newest folders of `base` (`current` among them); staging folders are left alone. */
function prune(base, current, keep = KEEP) {
  const others = fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.endsWith('.tmp') && path.join(base, e.name) !== current)
    .map((e) => ({ dir: path.join(base, e.name), at: fs.statSync(path.join(base, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of others.slice(keep - 1)) fs.rmSync(old.dir, { recursive: true, force: true });
}

/** Whether one of the files was saved after `since` (ms), the file system's coarse clock allowed for. */
function savedSince(root, files, since) {
  return files.some((f) => fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).mtimeMs > since - COARSE_CLOCK_MS);
}

module.exports = { enabled, cacheDirectory, importedFiles, handlerEntries, inputFiles, digest, lookup, restore, begin, prune, savedSince, setClock: (clock) => (now = clock) };
