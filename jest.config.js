/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, compiling each module once per worker (see the file).
  // An absolute path: Stryker's jest runner wraps the environment and does not resolve <rootDir>.
  testEnvironment: require('node:path').join(__dirname, 'test', 'support', 'node-environment.js'),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  // `import ... from '../constructs'` is the library's sources, also when a build of the package
  // (constructs/dist/, which constructs/package.json's `main` names) is lying around.
  moduleNameMapper: {
    '^(\\.\\./)+constructs$': '<rootDir>/constructs/index.ts',
  },
  setupFiles: ['<rootDir>/test/support/environment.js'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // The gated whole-app readers after the rest of the suite (see the file).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 120000,
  // Jest's default on 2 cores is one worker; test files wait on child processes and worker
  // threads (cfn-guard) often enough that two keep both cores busy.
  maxWorkers: 2,
};
