#!/usr/bin/env node
/**
 * The `bluegreen-fleet` command. The installed package runs its prebuilt bundle (dist/cli.js,
 * built when the package is packed: scripts/build-cli.js). In a checkout of the repository, where
 * the TypeScript sources sit beside this file, it bundles them in memory with esbuild (about
 * 0.3 s, no type check: `npm test` does that) and runs the result, so a fresh clone needs no
 * build step after `npm ci`, and a stale dist/ is never run by mistake.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const packageRoot = path.join(__dirname, '..');
const source = path.join(packageRoot, 'cli', 'main.ts');

function loadFromSource() {
  const scripts = path.join(packageRoot, '..', 'scripts');
  const { requireTs } = require(path.join(scripts, 'require-ts.js'));
  const { bundleOptions } = require(path.join(scripts, 'cli-bundle-options.js'));
  return requireTs(source, bundleOptions(packageRoot));
}

process.setSourceMapsEnabled(true);
const cli = fs.existsSync(source) ? loadFromSource() : require('../dist/cli.js');
cli.main(process.argv).then((code) => process.exit(code));
