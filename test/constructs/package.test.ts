import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

// The construct package (constructs/package.json) has no runtime dependency: at run time its code
// may require aws-cdk-lib and constructs (peer dependencies) and Node's own modules only. zod (the
// contract's schemas) and the AWS SDK belong to the CLI and the handlers; the construct library
// reaches the contract's plain names, never its schemas. esbuild is required lazily, and only in a
// checkout, to bundle the handlers from source (constructs/release/bundle.ts).

const root = path.resolve(__dirname, '..', '..');
const ALLOWED = /^(aws-cdk-lib(\/.*)?|constructs|node:.*)$/;

test('the compiled library requires only aws-cdk-lib, constructs and Node built-ins', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'constructs', 'index.ts')],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const required = new Set([...code.matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]));
  const unexpected = [...required].filter((r) => !ALLOWED.test(r) && !builtinModules.includes(r) && r !== 'esbuild');
  expect(unexpected).toEqual([]);
  expect(required.has('aws-cdk-lib')).toBe(true);
});

test('esbuild is required only inside the function that loads it for bundling from source', () => {
  const source = fs.readFileSync(path.join(root, 'constructs', 'release', 'bundle.ts'), 'utf8');
  const top = source.split('\n').filter((line) => /require\('esbuild'\)/.test(line));
  expect(top).toHaveLength(1);
  expect(top[0]).toMatch(/^\s+const esbuild = require\('esbuild'\)/);
});
