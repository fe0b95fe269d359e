#!/usr/bin/env node
/**
 * The CDK app entry (cdk.json "app"). It transpiles the TypeScript sources with esbuild into
 * .build/ (about 0.2 s, no type check: `npm test` type-checks) and runs bin/app. So `cdk synth`
 * and `cdk deploy` always run the current code, with no separate build step to forget and no
 * stale compiled file left behind. A synth whose inputs are those of an earlier one takes that
 * one's assembly instead of running the app (synth-cache.js).
 */
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const synthCache = require('./synth-cache');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, '.build');
const SOURCE_DIRS = ['bin', 'lib', 'constructs', 'src', 'lambda'];

function sources(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function main() {
  // The assembly of an earlier synth with the same inputs, when there is one (synth-cache.js).
  const assemblyDir = process.env.CDK_OUTDIR;
  const cached = assemblyDir && synthCache.enabled() ? synthCache.lookup() : undefined;
  if (cached) {
    synthCache.restore(cached, assemblyDir);
    return;
  }
  const pending = assemblyDir && synthCache.enabled() ? synthCache.begin() : undefined;
  if (pending) {
    process.on('exit', (code) => {
      if (code !== 0) return;
      try {
        pending.keep(assemblyDir);
      } catch (error) {
        // The synth succeeded; only the next one will not be faster.
        process.stderr.write(`bluegreen-fleet: the assembly could not be kept for the next synth (${error.message})\n`);
      }
    });
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  esbuild.buildSync({
    entryPoints: SOURCE_DIRS.flatMap((d) => sources(path.join(root, d))),
    outdir,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // JSON the sources import (the price table) sits beside the transpiled code, as tsc's output has it.
  fs.cpSync(path.join(root, 'data'), path.join(outdir, 'data'), { recursive: true });
  require(path.join(outdir, 'bin', 'app.js')).run();
}

main();
