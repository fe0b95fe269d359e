#!/usr/bin/env node
/**
 * What the construct package holds besides its compiled code (run by its prepack, after the
 * compile): the release Lambdas' bundles (scripts/build-lambda-bundles.js) and the price table
 * the preflight rules read their vCPU counts from, which the sources import from the
 * repository's data/ folder (constructs/preflight/instance-vcpus.ts: `../../data/...`, so the
 * compiled dist/preflight/ finds it at the package's data/).
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = path.join(root, 'constructs');
fs.rmSync(path.join(pkg, 'data'), { recursive: true, force: true });
fs.mkdirSync(path.join(pkg, 'data'));
fs.copyFileSync(path.join(root, 'data', 'prices-ap-northeast-1.json'), path.join(pkg, 'data', 'prices-ap-northeast-1.json'));
require('./build-lambda-bundles');
