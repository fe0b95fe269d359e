import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where the release Lambdas' code comes from. In a checkout of this repository (from the
 * TypeScript sources, from scripts/app.js's transpiled .build/, or from constructs/dist/) each
 * handler is bundled from `lambda/<name>/index.ts` in-process by esbuild: minified, CommonJS, the
 * AWS SDK v3 left out (the Node.js runtime ships it). The result is cached by a digest of every
 * file it is made from (cachedHandlerBundle), so an app with fifty service stacks bundles each
 * handler once, and the asset hash changes only when the code does. The installed package has no sources: it ships the same
 * bundles prebuilt under `lambda-bundles/<name>/index.js` in the package (built by its prepack,
 * scripts/build-lambda-bundles.js), and needs no esbuild.
 */

const PACKAGE_NAME = 'bluegreen-fleet';
/** The checkout: the folder that holds `lambda/` and this file's source, `constructs/release/bundle.ts`. */
const SOURCE_ROOT = findUp(__dirname, (dir) => fs.existsSync(path.join(dir, 'lambda')) && fs.existsSync(path.join(dir, 'constructs', 'release', 'bundle.ts')));
/** The construct package: the nearest package.json named bluegreen-fleet (constructs/ in the checkout). */
const PACKAGE_ROOT = findUp(__dirname, isPackageRoot) ?? (SOURCE_ROOT === undefined ? undefined : path.join(SOURCE_ROOT, 'constructs'));
const built = new Map<string, string>();

function findUp(from: string, match: (dir: string) => boolean): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (match(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isPackageRoot(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return false;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The prebuilt bundle of a handler in the package (what `lambda.Code.fromAsset` takes). */
export function prebuiltBundleDirectory(name: string): string | undefined {
  return PACKAGE_ROOT === undefined ? undefined : path.join(PACKAGE_ROOT, 'lambda-bundles', name);
}

/** The esbuild options every handler bundle uses (also used by the benchmark and `build:lambda`). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The ES module builds first, so esbuild can drop the unused parts of zod/mini (the contract's
  // schemas): 14 KB instead of the 430 KB its CommonJS build bundles.
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  legalComments: 'none',
  logLevel: 'silent',
} as const;

function requireSourceRoot(): string {
  if (SOURCE_ROOT === undefined) throw new Error(`ReleaseSupport: the handler sources (lambda/) are not here (${__dirname}): bundling needs a checkout of the repository`);
  return SOURCE_ROOT;
}

/**
 * Bundles `lambda/<name>/index.ts` of the checkout at `root` (default: this one) into
 * `outdir/index.js`, and returns the files the bundle was made from, relative to `root` (the
 * handler's own, what it imports from src/, and the packages bundled into it).
 */
export function bundleHandler(name: string, outdir: string, root = requireSourceRoot()): string[] {
  const result = esbuildModule().buildSync({
    ...BUNDLE_OPTIONS,
    external: [...BUNDLE_OPTIONS.external],
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    absWorkingDir: root,
    entryPoints: [path.join(root, 'lambda', name, 'index.ts')],
    outfile: path.join(outdir, 'index.js'),
    metafile: true,
  });
  return Object.keys(result.metafile.inputs).sort();
}

/** esbuild, a build-time dependency: loaded only when bundling from source. */
function esbuildModule(): typeof import('esbuild') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  return esbuild;
}

/** A digest of the bundle options, esbuild's version and each file's path and content; undefined when one is gone. */
function inputsDigest(root: string, files: readonly string[]): string | undefined {
  const hash = crypto.createHash('sha256').update(JSON.stringify(BUNDLE_OPTIONS)).update(esbuildModule().version);
  for (const file of files) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) return undefined;
    hash.update(`${file}\0`).update(fs.readFileSync(full)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes a file whole: another process reading it never sees half of it. */
function writeWhole(file: string, text: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, file);
}

/**
 * The bundle of handler `name` of the checkout at `root`, cached under `cacheRoot` by the digest
 * of the files it is made from: `<name>-<digest>/index.js`. Which files those are comes from the
 * last bundling (`<name>.inputs.json`, esbuild's list): a handler imports code outside lambda/
 * (src/release/core), so a digest of lambda/ alone would keep a stale bundle after a change
 * there, and `cdk deploy` would ship it. The list can only be out of date when a file on it
 * changed (a new import is written in a file already bundled), and then the digest differs and
 * the handler is bundled again. `bundled` says whether this call ran esbuild.
 */
export function cachedHandlerBundle(name: string, root: string, cacheRoot: string): { readonly dir: string; readonly bundled: boolean } {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const listFile = path.join(cacheRoot, `${name}.inputs.json`);
  let files: string[] | undefined;
  try {
    const recorded = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { files?: unknown };
    if (Array.isArray(recorded.files) && recorded.files.every((f) => typeof f === 'string')) files = recorded.files as string[];
  } catch {
    // No list yet (or an unreadable one): bundle.
  }
  const known = files && inputsDigest(root, files);
  if (known && fs.existsSync(path.join(cacheRoot, `${name}-${known}`, 'index.js'))) return { dir: path.join(cacheRoot, `${name}-${known}`), bundled: false };
  // A file saved while esbuild reads the sources would put the old code under the new content's
  // digest: a bundle is kept only when none of its files changed after it started (their
  // modification times), else it is made again.
  for (let attempt = 1; ; attempt++) {
    const staging = path.join(cacheRoot, `${name}.${process.pid}.${Date.now()}.tmp`);
    const started = Date.now();
    const inputs = bundleHandler(name, staging, root);
    const digest = inputsDigest(root, inputs);
    // (A file's time may lag a few ms behind Date.now: the kernel's coarse clock.)
    if (digest !== undefined && !inputs.some((f) => fs.statSync(path.join(root, f)).mtimeMs > started - 10)) {
      const dir = path.join(cacheRoot, `${name}-${digest}`);
      try {
        fs.renameSync(staging, dir);
      } catch {
        // Another process finished the same bundle first: theirs is identical.
        fs.rmSync(staging, { recursive: true, force: true });
      }
      writeWhole(listFile, JSON.stringify({ files: inputs }));
      return { dir, bundled: true };
    }
    fs.rmSync(staging, { recursive: true, force: true });
    if (attempt === 3) throw new Error(`ReleaseSupport: the sources of the ${name} handler changed while it was being bundled, three times in a row; synthesize again once they are saved`);
    // The next attempt starts after the newest file's time (and the clock's lag), so a file saved
    // just before the synth is not taken for one saved during it (at most a second's wait).
    const newest = Math.max(...inputs.map((f) => (fs.existsSync(path.join(root, f)) ? fs.statSync(path.join(root, f)).mtimeMs : 0)));
    const wait = Math.min(1000, newest + 11 - Date.now());
    if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  }
}

/**
 * Where this checkout keeps its handler bundles: its own node_modules/.cache (not a shared
 * temporary folder another user of the machine could write a bundle into).
 */
function bundleCacheRoot(root: string): string {
  if (fs.existsSync(path.join(root, 'node_modules'))) return path.join(root, 'node_modules', '.cache', 'bluegreen-fleet', 'lambda');
  const own = path.join(os.tmpdir(), `bluegreen-fleet-lambda-${os.userInfo().uid}`);
  fs.mkdirSync(own, { recursive: true, mode: 0o700 });
  return own;
}

/** A directory holding `index.js` for the handler, ready for `lambda.Code.fromAsset`. */
export function handlerCodeDirectory(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  let dir: string;
  if (SOURCE_ROOT !== undefined && fs.existsSync(path.join(SOURCE_ROOT, 'lambda', name, 'index.ts'))) {
    dir = cachedHandlerBundle(name, SOURCE_ROOT, bundleCacheRoot(SOURCE_ROOT)).dir;
  } else {
    const prebuilt = prebuiltBundleDirectory(name);
    if (prebuilt === undefined || !fs.existsSync(path.join(prebuilt, 'index.js'))) {
      throw new Error(`ReleaseSupport: no code for the ${name} handler: neither lambda/${name}/index.ts (a checkout) nor lambda-bundles/${name}/index.js (the ${PACKAGE_NAME} package) exists${PACKAGE_ROOT === undefined ? '' : ` under ${PACKAGE_ROOT}`}; reinstall ${PACKAGE_NAME}`);
    }
    dir = prebuilt;
  }
  built.set(name, dir);
  return dir;
}

/** The handlers under `lambda/` (one folder each with an `index.ts`). */
export function handlerNames(): string[] {
  if (SOURCE_ROOT === undefined) return [];
  const root = path.join(SOURCE_ROOT, 'lambda');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'index.ts'))).sort();
}
