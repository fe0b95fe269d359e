#!/usr/bin/env bash
# The construct library as a team outside this repository gets it: pack constructs/ (prepack: the
# jsii compile and the prebuilt Lambda bundles), install the tarball into a fresh TypeScript CDK
# app once with the lowest aws-cdk-lib the package accepts (its peer dependency) and once with the
# newest on the registry, type-check and synthesize scripts/consumer-app/app.ts (an imported VPC,
# a BlueGreenService with ReleaseSupport), and check the installed tree: one aws-cdk-lib, no AWS
# SDK client, nothing from the release CLI. Then pack the CLI (src/) and run its bin from an
# install that has nothing of this repository.
#
#   scripts/consumer-test.sh            # as CI runs it
#   BGF_CONSTRUCTS_COMPILE=tsc scripts/consumer-test.sh   # compile with tsc instead of jsii
#   BGF_CONSTRUCTS_TARBALL=<file.tgz> scripts/consumer-test.sh   # test a tarball packed before
#
# Installs go through npm's cache (~/.npm; CI keeps it between runs), so a warm run downloads
# only what changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/bgf-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root"

step() { echo "consumer-test: $*"; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
npm_install() { npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@"; }

t0=$(date +%s)
if [ -n "${BGF_CONSTRUCTS_TARBALL:-}" ]; then
  # Packed already (scripts/python-check.sh: jsii-pacmak's js target packs the same package).
  cp "$BGF_CONSTRUCTS_TARBALL" "$work/bluegreen-fleet-packed.tgz"
elif [ "${BGF_CONSTRUCTS_COMPILE:-jsii}" = tsc ]; then
  npm run --silent build:tsc -w constructs
  node scripts/prepack-constructs.js --no-compile
  npm pack -w constructs --ignore-scripts --pack-destination "$work" --silent >/dev/null
  node scripts/postpack-constructs.js
else
  npm pack -w constructs --pack-destination "$work" --silent >/dev/null
fi
npm pack -w src --pack-destination "$work" --silent >/dev/null
constructs_tgz="$(ls "$work"/bluegreen-fleet-[0-9p]*.tgz)"
cli_tgz="$(ls "$work"/bluegreen-fleet-cli-*.tgz)"
step "packed $(basename "$constructs_tgz") and $(basename "$cli_tgz") in $(elapsed "$t0")"

# What the tarball holds: compiled code, the jsii assembly, the handler bundles; no sources.
tar -tzf "$constructs_tgz" > "$work/contents.txt"
for required in package/dist/index.js package/dist/index.d.ts package/lambda-bundles/auto-rollback/index.js package/lambda-bundles/smoke-check/index.js package/lambda-bundles/standby-capacity/index.js; do
  grep -qx "$required" "$work/contents.txt" || { echo "consumer-test: $required is missing from the package" >&2; exit 1; }
done
if grep -E '\.ts$' "$work/contents.txt" | grep -vE '\.d\.ts$'; then
  echo "consumer-test: the package ships TypeScript sources (above)" >&2; exit 1
fi

lowest="$(node -p "require('./constructs/package.json').peerDependencies['aws-cdk-lib'].replace(/^[\\^~]/, '')")"
newest="$(npm view aws-cdk-lib@2 version --json | node -e "const v=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log([].concat(v).pop())")"
constructs_version="$(node -p "require('./constructs/package.json').devDependencies.constructs")"
typescript_version="$(node -p "require('./node_modules/typescript/package.json').version")"
types_node_version="$(node -p "require('./node_modules/@types/node/package.json').version")"
cdk="$root/node_modules/.bin/cdk"

for cdk_version in "$lowest" "$newest"; do
  t=$(date +%s)
  app="$work/app-$cdk_version"
  mkdir -p "$app"
  cp scripts/consumer-app/app.ts scripts/consumer-app/tsconfig.json "$app/"
  cat > "$app/package.json" <<JSON
{ "name": "consumer-app", "version": "0.0.0", "private": true }
JSON
  (cd "$app" && npm_install "aws-cdk-lib@$cdk_version" "constructs@$constructs_version" "$constructs_tgz" \
    && npm_install --save-dev "typescript@$typescript_version" "@types/node@$types_node_version")

  # One aws-cdk-lib (the app's own), no AWS SDK client, none of the CLI's packages.
  (cd "$app" && node - "$cdk_version" <<'NODE'
const fs = require('fs');
const path = require('path');
const wanted = process.argv[2];
const found = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) { walk(full); continue; }
    const manifest = path.join(full, 'package.json');
    if (fs.existsSync(manifest)) found.push({ dir: full, ...JSON.parse(fs.readFileSync(manifest, 'utf8')) });
    walk(path.join(full, 'node_modules'));
  }
}
walk('node_modules');
const problems = [];
const cdkLibs = found.filter((p) => p.name === 'aws-cdk-lib');
if (cdkLibs.length !== 1) problems.push(`${cdkLibs.length} copies of aws-cdk-lib: ${cdkLibs.map((p) => `${p.dir}@${p.version}`).join(', ')}`);
else if (cdkLibs[0].version !== wanted) problems.push(`aws-cdk-lib is ${cdkLibs[0].version}, not ${wanted}`);
const sdk = found.filter((p) => /^@aws-sdk\/client-/.test(p.name));
if (sdk.length > 0) problems.push(`AWS SDK clients installed: ${sdk.map((p) => p.name).join(', ')}`);
const cliOnly = found.filter((p) => ['commander', 'zod', '@aws-cdk/cloudformation-diff', 'esbuild'].includes(p.name));
if (cliOnly.length > 0) problems.push(`packages the constructs do not need: ${cliOnly.map((p) => p.name).join(', ')}`);
const lib = found.find((p) => p.name === 'bluegreen-fleet');
if (!lib) problems.push('bluegreen-fleet is not installed');
else if (Object.keys(lib.dependencies ?? {}).length > 0) problems.push(`bluegreen-fleet has runtime dependencies: ${Object.keys(lib.dependencies).join(', ')}`);
// The declarations an app reaches from the package's entry import only aws-cdk-lib, constructs
// and each other (the app type-checks with skipLibCheck, as cdk init sets it, so an import of a
// package that is not installed would silently become `any`).
if (lib) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        visit(fs.existsSync(`${target}.d.ts`) ? `${target}.d.ts` : path.join(target, 'index.d.ts'));
      } else if (!/^(aws-cdk-lib|constructs)(\/|$)|^node:/.test(spec)) {
        problems.push(`${path.relative(lib.dir, file)} imports ${spec}, which the package does not depend on`);
      }
    }
  };
  visit(path.join(lib.dir, lib.types));
}
if (problems.length > 0) { console.error(`consumer-test (aws-cdk-lib ${wanted}):\n  ${problems.join('\n  ')}`); process.exit(1); }
console.log(`consumer-test: installed tree (aws-cdk-lib ${wanted}): ${found.length} packages, one aws-cdk-lib, no AWS SDK client`);
NODE
  )

  (cd "$app" && node_modules/.bin/tsc -p tsconfig.json)
  (cd "$app" && "$cdk" synth --app 'node dist/app.js' --output cdk.out --quiet --no-notices --no-version-reporting >/dev/null)
  (cd "$app" && node - <<'NODE'
// The synthesized stack has the service and the three release Lambdas, with the code the
// package shipped prebuilt.
const fs = require('fs');
const template = JSON.parse(fs.readFileSync('cdk.out/orders.template.json', 'utf8'));
const count = (type) => Object.values(template.Resources).filter((r) => r.Type === type).length;
const problems = [];
if (count('AWS::ECS::Service') !== 2) problems.push(`${count('AWS::ECS::Service')} ECS services, not 2 (blue and green)`);
if (count('AWS::Lambda::Function') < 3) problems.push(`${count('AWS::Lambda::Function')} Lambda functions, expected the 3 release handlers`);
const assets = fs.readdirSync('cdk.out').filter((d) => d.startsWith('asset.') && fs.existsSync(`cdk.out/${d}/index.js`));
if (assets.length < 3) problems.push(`${assets.length} Lambda code assets, expected 3`);
if (problems.length > 0) { console.error(`consumer-test: ${problems.join('; ')}`); process.exit(1); }
NODE
  )
  step "aws-cdk-lib $cdk_version: installed, type-checked and synthesized in $(elapsed "$t")"
done

# The release CLI from its package alone: its bin and bundle, its dependencies from the registry.
t=$(date +%s)
cli="$work/cli"
mkdir -p "$cli"
echo '{ "name": "cli-user", "version": "0.0.0", "private": true }' > "$cli/package.json"
(cd "$cli" && npm_install "$cli_tgz")
expected="$(node -p "require('./src/package.json').version")"
actual="$(cd "$cli" && npx --no-install bluegreen-fleet --version)"
[ "$actual" = "$expected" ] || { echo "consumer-test: installed bluegreen-fleet --version printed '$actual', not $expected" >&2; exit 1; }
(cd "$cli" && npx --no-install bluegreen-fleet --help | grep -q 'deploy') || { echo "consumer-test: installed bluegreen-fleet --help lists no deploy command" >&2; exit 1; }
if [ -e "$cli/node_modules/aws-cdk-lib" ]; then echo "consumer-test: the CLI installed aws-cdk-lib" >&2; exit 1; fi
step "CLI installed from its package and run in $(elapsed "$t")"
step "done in $(elapsed "$t0")"
