// A focused mutation run: the project's configuration (stryker.config.mjs), but only the test files
// STRYKER_TESTS names (comma-separated jest testMatch globs), e.g.
//   STRYKER_TESTS='**/test/aws/*.test.ts' npx stryker run stryker.focused.config.mjs --mutate 'src/aws/**/*.ts' --concurrency 1
// Its score is a lower bound of the full run's (a mutant the focused tests kill, the full suites
// kill too). The full run takes hours on two busy cores: each mutant reruns every suite that
// covers it, and a mutant of module-level code (a static mutant) reruns all of them.
import base from './stryker.config.mjs';

const tests = (process.env.STRYKER_TESTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (tests.length === 0) throw new Error('STRYKER_TESTS: give the test files to run, e.g. STRYKER_TESTS=\'**/test/aws/*.test.ts\'');

export default {
  ...base,
  jest: { ...base.jest, config: { ...base.jest.config, testMatch: tests } },
  dryRunTimeoutMinutes: 30,
};
