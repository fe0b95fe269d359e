import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PARTS, score } = require('../../scripts/mutation.js') as {
  PARTS: Array<{ name: string; mutate: string[] }>;
  score: (m: Array<{ status: string }>) => { detected: number; valid: number; percent: number };
};

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

function matches(file: string, patterns: string[]): boolean {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return include.some((p) => minimatch(file, p)) && !exclude.some((p) => minimatch(file, p));
}

describe('npm run test:mutation (scripts/mutation.js)', () => {
  test('its parts together mutate exactly the files stryker.config.mjs names, each file in one part', () => {
    // The configuration is an ES module, which jest's CommonJS runtime cannot import.
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', "import c from './stryker.config.mjs'; console.log(JSON.stringify(c.mutate))"], { cwd: root, encoding: 'utf8' });
    const config = { mutate: JSON.parse(printed) as string[] };
    const files = [...sources('src'), ...sources('lambda')].filter((f) => matches(f, config.mutate));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) expect({ file, parts: PARTS.filter((p) => matches(file, p.mutate)).map((p) => p.name) }).toEqual({ file, parts: [expect.any(String)] });
    const inParts = [...sources('src'), ...sources('lambda')].filter((f) => PARTS.some((p) => matches(f, p.mutate)));
    expect(inParts.sort()).toEqual(files.sort());
  });

  test("the score is Stryker's: killed and timed out over all but compile errors and ignored mutants", () => {
    const statuses = ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'Ignored', 'RuntimeError'];
    expect(score(statuses.map((status) => ({ status })))).toMatchObject({ detected: 3, valid: 5, percent: 60 });
    expect(score([]).percent).toBe(100);
  });
});
