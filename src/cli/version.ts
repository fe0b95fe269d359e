/**
 * The version `bluegreen-fleet --version` prints: the bluegreen-fleet-cli package's version
 * (src/package.json; test/cli/bin.test.ts fails when they differ). A constant rather than an
 * import of package.json, so every way the CLI runs (the bundle, the checkout's shim, a tsc or
 * esbuild transpile of src/ alone) has it.
 */
export const CLI_VERSION = '0.1.0';
