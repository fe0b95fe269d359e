#!/usr/bin/env node
/**
 * Builds the published release CLI: one CommonJS bundle, src/dist/cli.js, that needs nothing from
 * this repository at run time (only the packages src/package.json depends on). Run by the CLI
 * package's prepack (`npm pack -w src`). Fails when the bundle would inline a package from
 * node_modules: such a package belongs in src/package.json's dependencies, not in the bundle.
 */
const esbuild = require('esbuild');
const path = require('path');
const { bundleOptions } = require('./cli-bundle-options');

const packageRoot = path.resolve(__dirname, '..', 'src');
const started = Date.now();
const result = esbuild.buildSync({ ...bundleOptions(packageRoot), metafile: true });
const inlined = [...new Set(Object.keys(result.metafile.inputs)
  .filter((file) => file.includes('node_modules/'))
  .map((file) => file.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')))];
if (inlined.length > 0) {
  console.error(`build-cli: the bundle would inline ${inlined.join(', ')}; add ${inlined.length > 1 ? 'them' : 'it'} to src/package.json's dependencies`);
  process.exit(1);
}
const out = Object.entries(result.metafile.outputs)[0];
console.log(`build-cli: ${path.relative(process.cwd(), out[0])} ${(out[1].bytes / 1024).toFixed(0)} KB in ${Date.now() - started} ms`);
