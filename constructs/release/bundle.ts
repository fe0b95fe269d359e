import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where the release Lambdas' code comes from. In this repository (and any checkout with the
 * sources) each handler is bundled from `lambda/<name>/index.ts` in-process by esbuild: minified,
 * CommonJS, the AWS SDK v3 left out (the Node.js runtime ships it). The result is cached by a
 * hash of the sources, so an app with fifty service stacks bundles each handler once, and the
 * asset hash changes only when the code does. An installed package has no sources: it ships the
 * same bundles prebuilt under `dist/lambda-bundles/<name>/` (`npm run build:lambda`).
 */

const PACKAGE_ROOT = findPackageRoot(__dirname);
const built = new Map<string, string>();

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
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

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Bundles `lambda/<name>/index.ts` into `outdir/index.js`. */
export function bundleHandler(name: string, outdir: string): void {
  // esbuild is a build-time dependency: loaded only when bundling from source.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({ ...BUNDLE_OPTIONS, external: [...BUNDLE_OPTIONS.external], mainFields: [...BUNDLE_OPTIONS.mainFields], entryPoints: [path.join(PACKAGE_ROOT, 'lambda', name, 'index.ts')], outfile: path.join(outdir, 'index.js') });
}

/** A directory holding `index.js` for the handler, ready for `lambda.Code.fromAsset`. */
export function handlerCodeDirectory(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const sourceRoot = path.join(PACKAGE_ROOT, 'lambda');
  const entry = path.join(sourceRoot, name, 'index.ts');
  let dir: string;
  if (fs.existsSync(entry)) {
    const hash = crypto.createHash('sha256');
    hash.update(JSON.stringify(BUNDLE_OPTIONS));
    for (const file of sourceFiles(sourceRoot).sort()) hash.update(file.slice(sourceRoot.length)).update(fs.readFileSync(file));
    dir = path.join(os.tmpdir(), 'bluegreen-fleet-lambda', `${name}-${hash.digest('hex').slice(0, 16)}`);
    if (!fs.existsSync(path.join(dir, 'index.js'))) {
      const staging = `${dir}.${process.pid}.tmp`;
      bundleHandler(name, staging);
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      try {
        fs.renameSync(staging, dir);
      } catch {
        // Another process finished the same bundle first: theirs is identical.
        fs.rmSync(staging, { recursive: true, force: true });
      }
    }
  } else {
    dir = path.join(PACKAGE_ROOT, 'dist', 'lambda-bundles', name);
    if (!fs.existsSync(path.join(dir, 'index.js'))) {
      throw new Error(`ReleaseSupport: no code for the ${name} handler: neither lambda/${name}/index.ts nor dist/lambda-bundles/${name}/index.js exists under ${PACKAGE_ROOT}`);
    }
  }
  built.set(name, dir);
  return dir;
}

/** The handlers under `lambda/` (one folder each with an `index.ts`). */
export function handlerNames(): string[] {
  const root = path.join(PACKAGE_ROOT, 'lambda');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'index.ts'))).sort();
}
