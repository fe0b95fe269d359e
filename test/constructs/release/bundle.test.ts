import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedHandlerBundle } from '../../../constructs/release/bundle';
import { pastTimes } from '../../support/past-times';

/** A checkout with one handler that imports code from outside lambda/, as the real handlers import src/release/core. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-bundle-root-'));
  fs.mkdirSync(path.join(root, 'lambda', 'h'), { recursive: true });
  fs.mkdirSync(path.join(root, 'src', 'core'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lambda', 'h', 'index.ts'), "import { answer } from '../../src/core/answer';\nexport const handler = async () => answer();\n");
  fs.writeFileSync(path.join(root, 'src', 'core', 'answer.ts'), "export function answer(): string { return 'first-answer'; }\n");
  fs.writeFileSync(path.join(root, 'lambda', 'unrelated.ts'), 'export const x = 1;\n');
  pastTimes(root);
  return root;
}

describe('cachedHandlerBundle', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const fresh = () => {
    const root = checkout();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-bundle-cache-'));
    roots.push(root, cache);
    return { root, cache };
  };
  const code = (dir: string) => fs.readFileSync(path.join(dir, 'index.js'), 'utf8');

  test('a change to a file the handler imports from outside lambda/ makes a new bundle with the new code', () => {
    const { root, cache } = fresh();
    const first = cachedHandlerBundle('h', root, cache);
    expect(first.bundled).toBe(true);
    expect(code(first.dir)).toContain('first-answer');
    fs.writeFileSync(path.join(root, 'src', 'core', 'answer.ts'), "export function answer(): string { return 'second-answer'; }\n");
    const second = cachedHandlerBundle('h', root, cache);
    expect(second.bundled).toBe(true);
    expect(second.dir).not.toBe(first.dir);
    expect(code(second.dir)).toContain('second-answer');
    expect(code(second.dir)).not.toContain('first-answer');
  });

  test('nothing changed, or only a file the handler does not import: the cached bundle, without bundling', () => {
    const { root, cache } = fresh();
    const first = cachedHandlerBundle('h', root, cache);
    expect(cachedHandlerBundle('h', root, cache)).toEqual({ dir: first.dir, bundled: false });
    fs.writeFileSync(path.join(root, 'lambda', 'unrelated.ts'), 'export const x = 2;\n');
    expect(cachedHandlerBundle('h', root, cache)).toEqual({ dir: first.dir, bundled: false });
  });

  test('a new import is seen: the file that adds it changed, so the handler is bundled again and the new file is on the list', () => {
    const { root, cache } = fresh();
    cachedHandlerBundle('h', root, cache);
    fs.writeFileSync(path.join(root, 'src', 'core', 'extra.ts'), "export const extra = 'extra-value';\n");
    fs.writeFileSync(path.join(root, 'lambda', 'h', 'index.ts'), "import { answer } from '../../src/core/answer';\nimport { extra } from '../../src/core/extra';\nexport const handler = async () => answer() + extra;\n");
    const withImport = cachedHandlerBundle('h', root, cache);
    expect(withImport.bundled).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(cache, 'h.inputs.json'), 'utf8')).files).toEqual(['lambda/h/index.ts', 'src/core/answer.ts', 'src/core/extra.ts']);
    fs.writeFileSync(path.join(root, 'src', 'core', 'extra.ts'), "export const extra = 'changed-extra';\n");
    const changed = cachedHandlerBundle('h', root, cache);
    expect(changed.bundled).toBe(true);
    expect(code(changed.dir)).toContain('changed-extra');
  });

  test('an unreadable list of inputs is not trusted: the handler is bundled', () => {
    const { root, cache } = fresh();
    const first = cachedHandlerBundle('h', root, cache);
    fs.writeFileSync(path.join(cache, 'h.inputs.json'), '{"files": [1]}');
    expect(cachedHandlerBundle('h', root, cache)).toEqual({ dir: first.dir, bundled: true });
    fs.writeFileSync(path.join(cache, 'h.inputs.json'), 'not json');
    expect(cachedHandlerBundle('h', root, cache)).toEqual({ dir: first.dir, bundled: true });
  });

  test('a source saved just before the bundling is bundled and kept (the next attempt waits past its time)', () => {
    const { root, cache } = fresh();
    fs.writeFileSync(path.join(root, 'src', 'core', 'answer.ts'), "export function answer(): string { return 'just-saved'; }\n");
    const made = cachedHandlerBundle('h', root, cache);
    expect(made.bundled).toBe(true);
    expect(code(made.dir)).toContain('just-saved');
    expect(cachedHandlerBundle('h', root, cache)).toEqual({ dir: made.dir, bundled: false });
  });

  test('a source saved while it is being bundled (its time after the start): not kept, and after three tries an error that says so', () => {
    const { root, cache } = fresh();
    const later = Date.now() / 1000 + 3600;
    fs.utimesSync(path.join(root, 'src', 'core', 'answer.ts'), later, later);
    expect(() => cachedHandlerBundle('h', root, cache)).toThrow('ReleaseSupport: the sources of the h handler changed while it was being bundled, three times in a row');
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});
