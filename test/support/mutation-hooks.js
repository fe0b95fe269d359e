// Loaded only in mutation runs (stryker.config.mjs, setupFilesAfterEnv). Stryker's jest runner
// counts a line as covered by a test only between that test's `test_start` and `test_done`
// events (@stryker-mutator/jest-runner, mixin-jest-environment); code a `beforeAll` hook runs is
// "static" coverage, and every mutant in it reruns every test of the run. Most release tests run
// one scenario in a `beforeAll` and assert on it in several tests, so without this nearly every
// mutant of src/release was static. Here each `beforeAll` runs as a `beforeEach` (and each
// `afterAll` as an `afterEach`): the scenario runs again inside every test that reads it, and a
// mutant runs only the tests that cover it. npm test keeps jest's own hooks.
globalThis.beforeAll = globalThis.beforeEach;
globalThis.afterAll = globalThis.afterEach;
