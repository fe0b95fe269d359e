import * as vm from 'node:vm';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cachedCompileFunction } = require('../support/node-environment') as {
  cachedCompileFunction(original: typeof vm.compileFunction): Patched;
};
type Stats = { compiled: number; reused: number; passedThrough: number };
type Patched = typeof vm.compileFunction & { bgfOriginal: typeof vm.compileFunction; bgfStats: Stats };

const PARAMS = ['module', 'exports', 'require'];

describe("the test environment's module compilation (test/support/node-environment.js)", () => {
  function setUp() {
    const calls: string[] = [];
    const original = ((code: string, params?: string[], options?: vm.CompileFunctionOptions) => {
      calls.push(options?.filename ?? '');
      return vm.compileFunction(code, params, options);
    }) as typeof vm.compileFunction;
    return { calls, compile: cachedCompileFunction(original) };
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- what vm.compileFunction returns
  function load(fn: Function): Record<string, unknown> {
    const module = { exports: {} as Record<string, unknown> };
    fn.call(module.exports, module, module.exports, () => undefined);
    return module.exports;
  }

  test("compiles a source once and runs it as a fresh module in each file's context", () => {
    // GIVEN a module with state and a reference to its global
    const { calls, compile } = setUp();
    const code = 'let n = 0;\nexports.next = () => ++n;\nexports.marker = globalThis.marker;';
    const first = vm.createContext({ marker: 'first' });
    const second = vm.createContext({ marker: 'second' });
    // WHEN two test files' contexts load it
    const a = load(compile(code, PARAMS, { filename: '/x/mod.js', parsingContext: first }));
    const b = load(compile(code, PARAMS, { filename: '/x/mod.js', parsingContext: second }));
    // THEN each runs in its own context with its own state, and jest's compilation was never called
    expect([a.marker, b.marker]).toEqual(['first', 'second']);
    expect([(a.next as () => number)(), (a.next as () => number)(), (b.next as () => number)()]).toEqual([1, 2, 1]);
    // compiled once, run twice, and jest's own compilation never called
    expect(compile.bgfStats).toEqual({ compiled: 1, reused: 1, passedThrough: 0 });
    expect(calls).toEqual([]);
  });

  test('is what jest compiles with in this worker (jest-runtime reads vm.compileFunction at each call)', () => {
    const installed = vm.compileFunction as Patched;
    expect(typeof installed.bgfOriginal).toBe('function');
    // a module (and what it requires) loaded in a fresh registry, then again in another
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry's require is the point
    jest.isolateModules(() => require('../support/sequencer'));
    const once = { ...installed.bgfStats };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    jest.isolateModules(() => require('../support/sequencer'));
    // the second time every module of it is run from its compiled script, none compiled again
    expect(installed.bgfStats.compiled).toBe(once.compiled);
    expect(installed.bgfStats.reused).toBeGreaterThan(once.reused);
  });

  test('a source that ends in a line comment (a source map URL) still closes its function', () => {
    const { compile } = setUp();
    const context = vm.createContext({});
    expect(load(compile('exports.v = 1;\n//# sourceMappingURL=data:application/json;base64,e30=', PARAMS, { filename: '/x/map.js', parsingContext: context })).v).toBe(1);
  });

  test('a changed source, other parameter names or another file name compile again', () => {
    const { compile } = setUp();
    const context = vm.createContext({});
    const value = (code: string, params: string[], filename: string) => load(compile(code, params, { filename, parsingContext: context })).v;
    expect(value('exports.v = 1;', PARAMS, '/x/a.js')).toBe(1);
    expect(value('exports.v = 2;', PARAMS, '/x/a.js')).toBe(2);
    expect(value('exports.v = typeof require;', PARAMS, '/x/a.js')).toBe('function');
    expect(value('exports.v = typeof require;', ['module', 'exports', 'req'], '/x/a.js')).toBe('undefined');
    expect(value('exports.v = 3;', PARAMS, '/x/b.js')).toBe(3);
  });

  test("stack traces name the source's own lines and columns", () => {
    const { compile } = setUp();
    const context = vm.createContext({});
    const code = '"use strict";\n\n  exports.fail = () => { throw new Error("here"); };';
    const exported = load(compile(code, PARAMS, { filename: '/x/lines.js', parsingContext: context }));
    let stack = '';
    try {
      (exported.fail as () => void)();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    const expected = vm.compileFunction(code, PARAMS, { filename: '/x/lines.js' });
    let expectedStack = '';
    try {
      (load(expected).fail as () => void)();
    } catch (e) {
      expectedStack = (e as Error).stack ?? '';
    }
    expect(stack).toMatch(/\/x\/lines\.js:3:\d+/);
    expect(stack.match(/\/x\/lines\.js:\d+:\d+/)?.[0]).toBe(expectedStack.match(/\/x\/lines\.js:\d+:\d+/)?.[0]);
  });

  test('the body stays strict when the source says so, and sloppy when not', () => {
    const { compile } = setUp();
    const context = vm.createContext({});
    expect(load(compile('"use strict";\nexports.v = (function () { return this; })();', PARAMS, { filename: '/x/s.js', parsingContext: context })).v).toBeUndefined();
    expect(load(compile('exports.v = (function () { return typeof this; })();', PARAMS, { filename: '/x/t.js', parsingContext: context })).v).toBe('object');
  });

  test("sources that may call import(), calls with their own offsets, and calls without a file or context keep jest's own compilation", () => {
    const { calls, compile } = setUp();
    const context = vm.createContext({});
    compile('exports.load = () => import("./x.js");', PARAMS, { filename: '/x/dynamic.js', parsingContext: context });
    compile('exports.v = 1;', PARAMS, { parsingContext: context });
    compile('exports.v = 1;', PARAMS, { filename: '/x/no-context.js' });
    compile('exports.v = 1;', PARAMS, { filename: '/x/offset.js', parsingContext: context, lineOffset: 3 });
    expect(calls).toEqual(['/x/dynamic.js', '', '/x/no-context.js', '/x/offset.js']);
    // a method called import is not import()
    compile('exports.v = (o) => o.import(1);', PARAMS, { filename: '/x/method.js', parsingContext: context });
    expect(calls).toHaveLength(4);
  });
});
