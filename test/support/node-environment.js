// jest's node environment, with compiled modules kept between the test files a worker runs.
//
// jest runs every test file in its own module registry: each file requires aws-cdk-lib, our
// constructs and the AWS SDK again, and jest-runtime compiles each module's source again with
// `vm.compileFunction` (jest-runtime/build/index.js, `compile`). That compilation was one of
// the three largest costs of a run, with aws-cdk-lib's own code and the idle waits (16.7 s of
// 111 s of CPU samples in `node --cpu-prof node_modules/jest/bin/jest.js --runInBand`;
// BENCHMARKS.md). Here a worker compiles each module
// source once, as a `vm.Script` whose result is the module function, and runs the same script in
// every later test file's context: V8 keeps a script's compiled functions (the unbound script)
// independent of the context it runs in (https://nodejs.org/api/vm.html#class-vmscript: "can be
// run later many times"; `script.runInContext`), so the functions compiled lazily while one file
// ran are not compiled again for the next. Each file still gets its own module objects: only the
// compilation is shared, not a module's state.
//
// A script is reused only for the same file name, the same parameter names and the same source
// text (a changed transform or a coverage run gives new text). Sources that may call `import()`,
// and callers that pass their own line or column offset, keep jest's own compilation: a script's
// dynamic imports go to the callback of the file that compiled it. Not for V8 coverage
// (`--coverageProvider=v8`): its ranges would be off by the wrapper's length (the project uses
// the default, babel).
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

// `import(`, not a method called import (`pub.import(this)` in aws-cdk-lib's aws-ec2).
const DYNAMIC_IMPORT = /(?<![\w$.])import\s*\(/;
function cachedCompileFunction(original) {
  const compiled = new Map();
  const stats = { compiled: 0, reused: 0, passedThrough: 0 };
  function compileFunction(code, params, options) {
    const filename = options?.filename;
    const context = options?.parsingContext;
    if (!filename || !context || !Array.isArray(params) || options.cachedData || options.produceCachedData || options.contextExtensions || options.lineOffset || options.columnOffset || DYNAMIC_IMPORT.test(code)) {
      stats.passedThrough++;
      return original.call(vm, code, params, options);
    }
    const names = params.join(',');
    let entry = compiled.get(filename);
    if (!entry || entry.code !== code || entry.names !== names) {
      // The module body on the line after the wrapper's, and lineOffset -1: the body's lines and
      // columns are the source's, as compileFunction gives them (stack traces, source maps).
      const script = new vm.Script(`(function (${names}) {\n${code}\n})`, { filename, lineOffset: -1 });
      entry = { code, names, script };
      compiled.set(filename, entry);
      stats.compiled++;
    } else {
      stats.reused++;
    }
    return entry.script.runInContext(context);
  }
  compileFunction.bgfOriginal = original;
  compileFunction.bgfStats = stats;
  return compileFunction;
}

if (!vm.compileFunction.bgfOriginal) vm.compileFunction = cachedCompileFunction(vm.compileFunction);

class NodeEnvironment extends TestEnvironment {}

module.exports = NodeEnvironment;
module.exports.cachedCompileFunction = cachedCompileFunction;
