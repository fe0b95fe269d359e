#!/usr/bin/env node
/**
 * Generates the construct library's API reference, constructs/API.md, with jsii-docgen from the
 * jsii assembly (constructs/.jsii: run `npm run build -w constructs` first). `--check` fails
 * instead when the committed file differs from what the assembly gives (CI: .ci/run).
 *
 * jsii-docgen's command line looks for the dependencies' assemblies under the package's own
 * node_modules, which a workspace hoists to the repository root; so the assemblies it needs are
 * handed to it here, one link each.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Documentation, Language } = require('jsii-docgen');

const root = path.resolve(__dirname, '..');
const pkg = path.join(root, 'constructs');
const output = path.join(pkg, 'API.md');
const check = process.argv.includes('--check');

async function main() {
  if (!fs.existsSync(path.join(pkg, '.jsii'))) throw new Error('docgen: constructs/.jsii is missing: run `npm run build -w constructs` first');
  const assemblies = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-docgen-'));
  try {
    fs.symlinkSync(pkg, path.join(assemblies, 'bluegreen-fleet'));
    for (const dep of ['aws-cdk-lib', 'constructs']) {
      fs.symlinkSync(path.dirname(require.resolve(`${dep}/package.json`, { paths: [pkg] })), path.join(assemblies, dep));
    }
    const docs = await Documentation.forAssembly('bluegreen-fleet', assemblies);
    const markdown = (await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true, readme: false })).render();
    if (!check) {
      fs.writeFileSync(output, markdown);
      console.log(`docgen: wrote ${path.relative(process.cwd(), output)}`);
    } else if (!fs.existsSync(output) || fs.readFileSync(output, 'utf8') !== markdown) {
      console.error('docgen: constructs/API.md is stale: run `npm run build -w constructs && node scripts/docgen.js` and commit it');
      process.exitCode = 1;
    } else {
      console.log('docgen: constructs/API.md is current');
    }
  } finally {
    fs.rmSync(assemblies, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
