#!/usr/bin/env node
/**
 * The construct package's postpack: removes what prepack built into constructs/ (dist/, the
 * Lambda bundles, the copied price table), keeping the jsii assembly (.jsii, for jsii-docgen).
 * Left behind, constructs/dist/ would change what the repository's own code resolves:
 * `import ... from '../constructs'` reads constructs/package.json, whose `types` and `main` point
 * into dist/, so the type check and the tests would run the compiled copy instead of the
 * sources (jest.config.js maps that import to the sources as well).
 */
const fs = require('fs');
const path = require('path');

const pkg = path.resolve(__dirname, '..', 'constructs');
for (const dir of ['dist', 'lambda-bundles', 'data']) fs.rmSync(path.join(pkg, dir), { recursive: true, force: true });
