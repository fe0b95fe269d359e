/**
 * Loads a TypeScript module of this checkout without a build: esbuild bundles it in memory (its
 * relative imports inlined, packages left as `require`s) and the result is compiled as if it were
 * the `.js` file beside the source, so `__dirname` and package resolution are the source's.
 * Used by the checkout's `bluegreen-fleet` shim and by the build scripts; no type check
 * (`npm test` type-checks).
 */
const Module = require('module');
const path = require('path');

function requireTs(entry, options = {}) {
  // esbuild is a development dependency of the repository: only a checkout loads this file.
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    ...options,
    write: false,
  });
  const filename = entry.replace(/\.ts$/, '.js');
  const mod = new Module(filename, module);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(path.dirname(filename));
  mod._compile(result.outputFiles[0].text, filename);
  return mod.exports;
}

module.exports = { requireTs };
