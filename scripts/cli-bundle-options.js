/**
 * The esbuild options of the release CLI's bundle, shared by the published build
 * (scripts/build-cli.js) and by the checkout's `bluegreen-fleet` shim (src/bin/bluegreen-fleet.js),
 * so both run the same code. Everything the CLI imports relatively (its own sources, the
 * contract and preflight rules under constructs/, and for now lib/config) is inlined; the
 * packages the CLI package depends on stay `require`s, resolved from its node_modules.
 */
const path = require('path');

function externals(packageRoot) {
  const pkg = require(path.join(packageRoot, 'package.json'));
  const names = [...Object.keys(pkg.dependencies || {}), ...Object.keys(pkg.peerDependencies || {})];
  // A dependency's subpaths (zod/mini) are the dependency too.
  return names.flatMap((name) => [name, `${name}/*`]);
}

function bundleOptions(packageRoot) {
  return {
    entryPoints: [path.join(packageRoot, 'cli', 'main.ts')],
    outfile: path.join(packageRoot, 'dist', 'cli.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: externals(packageRoot),
    // No __esModule interop surprises: the shim calls exports.main.
    logLevel: 'warning',
    legalComments: 'none',
  };
}

module.exports = { bundleOptions, externals };
