#!/usr/bin/env node
/**
 * Prebuilds the release Lambdas' bundles into the construct package
 * (constructs/lambda-bundles/<name>/index.js), with the same esbuild options ReleaseSupport uses
 * when it bundles from source in a checkout (constructs/release/bundle.ts). Run by the construct
 * package's prepack: the published package has no handler sources and needs no esbuild.
 */
const fs = require('fs');
const path = require('path');
const { requireTs } = require('./require-ts');

const root = path.resolve(__dirname, '..');
const bundle = requireTs(path.join(root, 'constructs', 'release', 'bundle.ts'));
const outRoot = path.join(root, 'constructs', 'lambda-bundles');
fs.rmSync(outRoot, { recursive: true, force: true });
const names = bundle.handlerNames();
if (names.length === 0) throw new Error(`build-lambda-bundles: no handler under ${path.join(root, 'lambda')}`);
for (const name of names) {
  const started = Date.now();
  const outdir = path.join(outRoot, name);
  bundle.bundleHandler(name, outdir);
  const bytes = fs.statSync(path.join(outdir, 'index.js')).size;
  console.log(`build-lambda-bundles: ${name} ${(bytes / 1024).toFixed(0)} KB in ${Date.now() - started} ms`);
}
