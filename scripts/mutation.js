#!/usr/bin/env node
/**
 * `npm run test:mutation`: Stryker (stryker.config.mjs) over src/release, src/aws and lambda/, in
 * parts. Each part is the full configuration (every test of test/release, test/lambda and
 * test/aws) on a disjoint set of source files, so a mutant's result is the one a single run over
 * everything gives; the parts only bound what a stop loses. Each part keeps its own reports in
 * reports/mutation/<part>/ (index.html, mutation.json); at the end the parts' JSON reports are
 * merged into reports/mutation/mutation.json and the scores are printed.
 *
 *   npm run test:mutation                      every part
 *   npm run test:mutation -- --resume          skip the parts whose report is newer than every source file
 *   npm run test:mutation -- --only state,aws  some parts
 *   npm run test:mutation -- --score           only merge and print the reports there are
 *
 * Extra arguments after `--` that are not these go to Stryker (e.g. `--concurrency 1`).
 *
 * Every part runs in Stryker's incremental mode (reports/mutation/incremental/<part>.json, kept
 * when a part's reports are replaced): a mutant whose code and covering tests are as they were in
 * the last finished run of its part keeps its result, so after a change only what it touches runs
 * again (`-- --force` runs everything).
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'reports', 'mutation');

/**
 * The parts, by folder; together they are stryker.config.mjs's `mutate`. Small, so that a stop
 * loses little: a mutant the release tests cover reruns every test that covers it (hundreds for
 * deploy.ts and the state files), and state alone had 169 of its 269 mutants tested after 37 min
 * (BENCHMARKS.md).
 */
const PARTS = [
  { name: 'deploy', mutate: ['src/release/commands/deploy.ts'] },
  { name: 'commands', mutate: ['src/release/commands/**/*.ts', '!src/release/commands/deploy.ts'] },
  { name: 'state', mutate: ['src/release/state/**/*.ts'] },
  { name: 'steps', mutate: ['src/release/steps/**/*.ts'] },
  { name: 'runtime', mutate: ['src/release/runtime/**/*.ts'] },
  { name: 'core', mutate: ['src/release/core/**/*.ts'] },
  { name: 'aws', mutate: ['src/aws/**/*.ts'] },
  { name: 'lambda', mutate: ['lambda/**/*.ts', '!**/*.d.ts'] },
];

/** The folders the score is reported for (issue: at least 80 % on them). */
const FOLDERS = ['src/release', 'src/aws', 'lambda'];

/** Stryker's mutation score: detected over valid mutants (compile errors and ignored ones do not count). */
function score(mutants) {
  const n = (s) => mutants.filter((m) => m.status === s).length;
  const detected = n('Killed') + n('Timeout');
  const valid = detected + n('Survived') + n('NoCoverage');
  return { detected, valid, survived: n('Survived'), noCoverage: n('NoCoverage'), percent: valid === 0 ? 100 : (100 * detected) / valid };
}

function readReports(parts) {
  const files = {};
  let template;
  for (const part of parts) {
    const file = path.join(out, part.name, 'mutation.json');
    if (!fs.existsSync(file)) continue;
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    template ??= report;
    Object.assign(files, report.files);
  }
  return template ? { ...template, files } : undefined;
}

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const d of ['src/release', 'src/aws', 'lambda', 'test/release', 'test/lambda', 'test/aws', 'constructs/contract']) walk(path.join(root, d));
  return newest;
}

function print(report) {
  const all = Object.entries(report.files);
  const line = (label, mutants) => {
    const s = score(mutants);
    console.log(`${label.padEnd(44)} ${s.percent.toFixed(2).padStart(6)} %  (${s.detected} of ${s.valid}; ${s.survived} survived, ${s.noCoverage} no coverage)`);
  };
  for (const [file, { mutants }] of all.sort(([a], [b]) => a.localeCompare(b))) line(file, mutants);
  console.log('');
  for (const folder of FOLDERS) line(`${folder}/`, all.filter(([f]) => f.startsWith(`${folder}/`)).flatMap(([, f]) => f.mutants));
  line('all', all.flatMap(([, f]) => f.mutants));
}

function main(argv) {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
  const unknown = only?.filter((n) => !PARTS.some((p) => p.name === n)) ?? [];
  if (unknown.length > 0) {
    console.error(`--only: no part named ${unknown.join(', ')}; the parts are ${PARTS.map((p) => p.name).join(', ')}`);
    return 2;
  }
  const parts = PARTS.filter((p) => !only || only.includes(p.name));
  const passThrough = argv.filter((a, i) => !['--resume', '--score', '--only'].includes(a) && argv[i - 1] !== '--only');
  if (!argv.includes('--score')) {
    for (const part of parts) {
      const dir = path.join(out, part.name);
      const report = path.join(dir, 'mutation.json');
      if (argv.includes('--resume') && fs.existsSync(report) && fs.statSync(report).mtimeMs > newestSource()) {
        console.log(`${part.name}: report is newer than the sources, skipped`);
        continue;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const started = Date.now();
      console.log(`${part.name}: stryker run --mutate ${part.mutate.join(',')}`);
      const incremental = path.join(out, 'incremental', `${part.name}.json`);
      const run = spawnSync('npx', ['stryker', 'run', '--mutate', part.mutate.join(','), '--incremental', '--incrementalFile', path.relative(root, incremental), ...passThrough], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, BGF_MUTATION_REPORTS: path.relative(root, dir) },
      });
      console.log(`${part.name}: exit ${run.status}, ${((Date.now() - started) / 60_000).toFixed(1)} min`);
      if (run.status !== 0) return run.status ?? 1;
    }
  }
  const merged = readReports(PARTS);
  if (!merged) {
    console.error('no part has a report yet (reports/mutation/<part>/mutation.json); run npm run test:mutation');
    return 1;
  }
  fs.writeFileSync(path.join(out, 'mutation.json'), JSON.stringify(merged));
  const missing = PARTS.filter((p) => !fs.existsSync(path.join(out, p.name, 'mutation.json'))).map((p) => p.name);
  print(merged);
  if (missing.length > 0) console.log(`\nnot in these figures (no report): ${missing.join(', ')}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { PARTS, score };
