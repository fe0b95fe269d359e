// Mutation testing of the release code (npm run test:mutation; not part of npm test, it takes long).
// Versions pinned together: 9.6.1 is the newest line that runs on Node 20 (10.x requires Node >= 22);
// jest-runner and typescript-checker require the same core version exactly.
// `npm run test:mutation` runs it in parts (scripts/mutation.js); one part by hand:
//   npx stryker run --mutate 'src/aws/**/*.ts'
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

// The mutants are in src/ and lambda/, so the app's service templates, which the AWS model
// synthesizes from lib/ and constructs/, are the same for every mutant: one folder for the
// whole run (test/support/global-setup.js keeps a folder the caller names), instead of a
// synthesis in every test run of every mutant.
process.env.BGF_TEST_TEMPLATES ??= path.join(os.tmpdir(), `bgf-mutation-templates-${process.pid}`);

const jestConfig = createRequire(import.meta.url)('./jest.config.js');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Only the suites that exercise the release code; the construct and app synth suites
    // cannot kill a mutant of src/release, src/aws or lambda/ and take most of npm test's time.
    config: {
      roots: ['<rootDir>/test/release', '<rootDir>/test/lambda', '<rootDir>/test/aws'],
      maxWorkers: 1,
      // beforeAll hooks run as beforeEach hooks, so what they cover counts for the tests (see the file).
      setupFilesAfterEnv: [...jestConfig.setupFilesAfterEnv, '<rootDir>/test/support/mutation-hooks.js'],
    },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['src/release/**/*.ts', 'src/aws/**/*.ts', 'lambda/**/*.ts', '!**/*.d.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  // scripts/mutation.js (npm run test:mutation) runs the parts into reports/mutation/<part>/.
  htmlReporter: { fileName: `${process.env.BGF_MUTATION_REPORTS ?? 'reports/mutation'}/index.html` },
  jsonReporter: { fileName: `${process.env.BGF_MUTATION_REPORTS ?? 'reports/mutation'}/mutation.json` },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['cdk.out', 'dist', 'reports', '.stryker-tmp', 'coverage', '.build'],
};
