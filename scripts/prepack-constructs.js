#!/usr/bin/env node
/**
 * The construct package's prepack (`npm pack -w constructs`, and jsii-pacmak, which packs it
 * again for the Python package): compile with jsii unless the assembly (.jsii) is newer than
 * every source, then add what the package holds besides its compiled code: the release Lambdas'
 * bundles (scripts/build-lambda-bundles.js) and the price table the preflight rules read their
 * vCPU counts from, which the sources import from the repository's data/ folder
 * (constructs/preflight/instance-vcpus.ts: `../../data/...`, so the compiled dist/preflight/
 * finds it at the package's data/). `--no-compile` skips the compile (scripts/consumer-test.sh
 * with BGF_CONSTRUCTS_COMPILE=tsc has compiled with tsc).
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = path.join(root, 'constructs');
const SKIP = new Set(['node_modules', 'dist', 'dist-jsii', 'lambda-bundles', 'data']);

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const assembly = path.join(pkg, '.jsii');
const inputs = Math.max(newestSource(pkg), ...['package.json', 'tsconfig.build.json'].map((f) => fs.statSync(path.join(pkg, f)).mtimeMs));
if (process.argv.includes('--no-compile')) {
  console.log('prepack-constructs: not compiling (--no-compile)');
} else if (!fs.existsSync(assembly) || fs.statSync(assembly).mtimeMs < inputs || !fs.existsSync(path.join(pkg, 'dist', 'index.js'))) {
  execFileSync('npm', ['run', 'build'], { cwd: pkg, stdio: 'inherit' });
} else {
  console.log('prepack-constructs: the jsii assembly is up to date');
}

fs.rmSync(path.join(pkg, 'data'), { recursive: true, force: true });
fs.mkdirSync(path.join(pkg, 'data'));
fs.copyFileSync(path.join(root, 'data', 'prices-ap-northeast-1.json'), path.join(pkg, 'data', 'prices-ap-northeast-1.json'));
require('./build-lambda-bundles');
