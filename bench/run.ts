/**
 * `npm run bench`: every performance figure the project promises, each with its budget and a
 * pass/fail. Exits non-zero when a budget is missed. `--write` records the results with the
 * machine, date and commit in BENCHMARKS.md; `--only a,b` runs some sections
 * (cli, lambda, synth, guard, scale, diff, test); `--runs N` sets repetitions of the short
 * measurements; `--guard-scale` also compares cfn-guard's findings on the 50-service assembly
 * (minutes of cfn-guard). The machine is shared: every row records the 1-minute load average
 * when it was measured, ratios are taken within one run (each sample against a floor measured
 * just before it), and timed figures are medians.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultCacheDirectory } from '../lib/policy/guard-cache';
import type { GuardComparison } from './guard-compare';
import { measureLambdas } from './lambda';

const ROOT = path.resolve(__dirname, '..', '..');
const CFN_MAX_RESOURCES = 500;
const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

interface Row {
  readonly section: string;
  readonly figure: string;
  readonly value: string;
  readonly budget: string;
  readonly pass: boolean;
  /** 1-minute load average when the row was recorded. */
  load?: number;
}

const rows: Row[] = [];
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const wanted = (section: string) => !only || only.includes(section);

function record(row: Row): void {
  row.load = os.loadavg()[0];
  rows.push(row);
  console.log(`${row.pass ? 'PASS' : 'FAIL'}  ${row.section.padEnd(7)} ${row.figure.padEnd(52)} ${row.value.padStart(14)}  budget ${row.budget}  (load ${row.load.toFixed(1)})`);
}

/** No findings, no assembly and no Lambda bundle remembered, as in a fresh clone (lib/policy/guard-cache.ts, scripts/synth-cache.js, constructs/release/bundle.ts). */
const clearGuardCache = () => {
  fs.rmSync(defaultCacheDirectory(), { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'node_modules', '.cache', 'bluegreen-fleet', 'synth'), { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'node_modules', '.cache', 'bluegreen-fleet', 'lambda'), { recursive: true, force: true });
};
const ratio = (r: number) => `${r.toFixed(2)}x`;

/** Wall time of a command in ms; throws with its output when it fails. */
function timeCommand(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function repeat(times: number, fn: () => number): number {
  return median(Array.from({ length: times }, fn));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function benchSynth(): void {
  const cdk = path.join(ROOT, 'node_modules', '.bin', 'cdk');
  // Each synth against a `cdk --version` measured just before it, so both see the same load.
  // Cold: no cfn-guard or CloudFormation-validation findings and no assembly remembered, as in a
  // fresh clone; warm: nothing changed since, so the kept assembly is used
  // (scripts/synth-cache.js); the app run warm: the assembly not kept
  // (BLUEGREEN_FLEET_SYNTH_CACHE=off) but the templates' findings remembered, as after a change
  // to one service's code.
  const sample = (kind: 'cold' | 'warm' | 'app') => {
    const floor = timeCommand(cdk, ['--version']);
    if (kind === 'cold') clearGuardCache();
    const ms = timeCommand('npm', ['run', 'synth', '--silent'], kind === 'app' ? { BLUEGREEN_FLEET_SYNTH_CACHE: 'off' } : {});
    return { floor, ms, ratio: ms / floor };
  };
  const cold = Array.from({ length: 3 }, () => sample('cold'));
  const warm = Array.from({ length: 3 }, () => sample('warm'));
  const app = Array.from({ length: 3 }, () => sample('app'));
  const floor = median([...cold, ...warm, ...app].map((s) => s.floor));
  const coldRatio = median(cold.map((s) => s.ratio));
  const warmRatio = median(warm.map((s) => s.ratio));
  record({ section: 'synth', figure: '`cdk --version` (floor)', value: seconds(floor), budget: '-', pass: true });
  record({ section: 'synth', figure: '`npm run synth`, whole app, cold', value: seconds(median(cold.map((s) => s.ms))), budget: '-', pass: true });
  record({ section: 'synth', figure: '`npm run synth`, whole app, warm', value: seconds(median(warm.map((s) => s.ms))), budget: '-', pass: true });
  record({ section: 'synth', figure: '`npm run synth`, app run, findings remembered', value: seconds(median(app.map((s) => s.ms))), budget: '-', pass: true });
  record({ section: 'synth', figure: 'cold synth / cdk --version (median of 3)', value: ratio(coldRatio), budget: '<= 6x', pass: coldRatio <= 6 });
  record({ section: 'synth', figure: 'warm synth / cdk --version (median of 3)', value: ratio(warmRatio), budget: '<= 2.5x', pass: warmRatio <= 2.5 });
  record({ section: 'synth', figure: 'app run, findings remembered / cdk --version', value: ratio(median(app.map((s) => s.ratio))), budget: '-', pass: true });
}

/** cfn-guard three ways over one assembly's templates (bench/guard-compare.ts). */
function compareGuardOn(label: string, dir: string, engine: boolean): void {
  const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(dir, f));
  const out = spawnSync(process.execPath, [path.join(__dirname, 'guard-compare.js'), ...(engine ? ['--engine'] : []), ...templates], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`guard comparison failed:\n${out.stderr}`);
  const c = JSON.parse(out.stdout.trim().split('\n').pop() as string) as GuardComparison;
  const g = (figure: string, value: string, budget = '-', pass = true) => record({ section: 'guard', figure: `${label}: ${figure}`, value, budget, pass });
  g(`templates, relevant rule files`, `${c.templates}, ${c.rules}`);
  g('cfn-guard binary, whole templates, one call', seconds(c.binaryMs));
  g('of which rule parsing (empty template)', seconds(c.binaryParseMs));
  g(`scoped (lib/policy), ${c.scopedCalls} calls, ${c.scopedDataFiles} data files`, seconds(c.scopedMs));
  g('findings (resource x rule)', String(c.findings));
  g('scoped findings identical to the binary', c.scopedDifferences.length === 0 ? 'identical' : `${c.scopedDifferences.length} differ`, 'identical', c.scopedDifferences.length === 0);
  for (const d of c.scopedDifferences.slice(0, 5)) console.error(`  scoped differs: ${d}`);
  if (c.engineDifferences) {
    g('WebAssembly engine: build without rules / with them', `${seconds(c.engineBuildNoRulesMs ?? 0)} / ${seconds(c.engineBuildMs ?? 0)}`);
    g('WebAssembly engine: evaluation', seconds(c.engineEvalMs ?? 0));
    g('engine findings (without locations) vs binary', c.engineDifferences.length === 0 ? 'identical' : `${c.engineDifferences.length} differ`);
    for (const d of c.engineDifferences.slice(0, 5)) console.error(`  engine differs: ${d}`);
  }
}

function benchGuard(): void {
  const dir = path.join(ROOT, 'cdk.out');
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) timeCommand('npm', ['run', 'synth', '--silent']);
  compareGuardOn('app', dir, true);
}

interface ScaleResult {
  count: number;
  ms: number;
  maxRssMiB: number;
  stacks: Array<{ name: string; resources: number; bytes: number }>;
}

function scaleSynth(count: number, keep?: string): ScaleResult {
  const out = spawnSync(process.execPath, [path.join(__dirname, 'scale-synth.js'), String(count), ...(keep ? [keep] : [])], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`scale synth of ${count} services failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() as string) as ScaleResult;
}

function benchScale(): void {
  const cold: ScaleResult[] = [];
  for (const count of [1, 10, 50]) {
    // Cold first (no cfn-guard findings remembered), which fills the cache; then warm.
    clearGuardCache();
    const keep = count === 50 && args.includes('--guard-scale') ? fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-bench-guard-50-')) : undefined;
    const result = scaleSynth(count, keep);
    if (keep) {
      compareGuardOn('50 services x 4 envs', keep, false);
      fs.rmSync(keep, { recursive: true, force: true });
    }
    const warm = scaleSynth(count);
    cold.push(result);
    const biggest = result.stacks.reduce((a, b) => (b.resources > a.resources ? b : a));
    const largest = result.stacks.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const label = `${count} service${count > 1 ? 's' : ''} x 4 envs`;
    const is50 = count === 50;
    record({ section: 'scale', figure: `${label}: synth, cold`, value: seconds(result.ms), budget: is50 ? '<= 60 s' : '-', pass: !is50 || result.ms <= 60_000 });
    record({ section: 'scale', figure: `${label}: synth, warm`, value: seconds(warm.ms), budget: is50 ? '<= 20 s' : '-', pass: !is50 || warm.ms <= 20_000 });
    record({ section: 'scale', figure: `${label}: peak memory`, value: `${Math.max(result.maxRssMiB, warm.maxRssMiB).toFixed(0)} MiB`, budget: is50 ? '< 2048 MiB' : '-', pass: !is50 || Math.max(result.maxRssMiB, warm.maxRssMiB) < 2048 });
    record({ section: 'scale', figure: `${label}: stacks`, value: String(result.stacks.length), budget: '-', pass: true });
    record({ section: 'scale', figure: `${label}: most resources (${biggest.name})`, value: String(biggest.resources), budget: `<= ${CFN_MAX_RESOURCES}`, pass: biggest.resources <= CFN_MAX_RESOURCES });
    record({ section: 'scale', figure: `${label}: largest template (${largest.name})`, value: `${(largest.bytes / 1024).toFixed(0)} KiB`, budget: '<= 1 MB', pass: largest.bytes <= CFN_MAX_TEMPLATE_BYTES });
  }
  // Linear growth: the cost of one more service at 50 is no more than 1.5x its cost at 10.
  const [one, ten, fifty] = cold;
  const growth = (fifty.ms - ten.ms) / 40 / ((ten.ms - one.ms) / 9);
  record({ section: 'scale', figure: 'per-service synth cost 10→50 vs 1→10 (cold)', value: `${growth.toFixed(2)}x`, budget: '<= 1.5x (linear)', pass: growth <= 1.5 });
}

/**
 * `npm test` twice: cold (nothing remembered, as on a fresh clone: the model's templates and
 * the gated app are synthesized, and the gates pay cfn-guard and CloudFormation's validation),
 * then warm (what the cold run left: nothing changed in between).
 */
function benchTest(): void {
  for (const cold of [true, false]) {
    const label = cold ? 'cold (nothing remembered, as a fresh clone)' : 'warm (templates, gated app and findings remembered)';
    if (cold) {
      clearGuardCache();
      // eslint's cache and the kept model templates and gated app (test/support/global-setup.js)
      // too: a fresh clone has none of them.
      fs.rmSync(path.join(ROOT, 'node_modules', '.cache', 'eslint'), { recursive: true, force: true });
      fs.rmSync(path.join(ROOT, 'node_modules', '.cache', 'bluegreen-fleet', 'test-templates'), { recursive: true, force: true });
    }
    const report = path.join(os.tmpdir(), `bgf-bench-jest-${process.pid}.json`);
    const started = performance.now();
    const run = spawnSync('npm', ['test', '--silent', '--', '--json', `--outputFile=${report}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - started;
    // A failing test still leaves a wall time and the per-file report worth recording.
    record({ section: 'test', figure: `\`npm test\` wall time (lint, tsc, jest), ${label}${run.status === 0 ? '' : ', with failures'}`, value: seconds(ms), budget: '<= 60 s', pass: run.status === 0 && ms <= 60_000 });
    if (!fs.existsSync(report)) throw new Error(`npm test wrote no jest report:\n${run.stdout}\n${run.stderr}`);
    // Where jest spends it: the slowest files (wall time inside a worker).
    const results = (JSON.parse(fs.readFileSync(report, 'utf8')) as { testResults: Array<{ name: string; startTime: number; endTime: number }> }).testResults;
    fs.rmSync(report, { force: true });
    for (const r of results.sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, cold ? 4 : 6)) {
      record({ section: 'test', figure: `${cold ? 'cold' : 'warm'}, slowest: ${path.relative(ROOT, r.name)}`, value: seconds(r.endTime - r.startTime), budget: '-', pass: true });
    }
  }
}

/**
 * The pull-request diff from a base ref against one cold synth of the head, in the same run.
 * Both cold (no findings remembered); the diff synthesizes the head with its gates and the base
 * (HEAD) without, side by side.
 */
function benchDiff(): void {
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const samples = Array.from({ length: 2 }, () => {
    clearGuardCache();
    const synth = timeCommand('npm', ['run', 'synth', '--silent']);
    clearGuardCache();
    const diff = timeCommand(process.execPath, [cli, 'diff', '--base-ref', 'HEAD', '--no-live-color', '--json-out', path.join(os.tmpdir(), `bgf-bench-diff-${process.pid}.json`)], { AWS_PROFILE: '', AWS_ACCESS_KEY_ID: '' });
    return { synth, diff, ratio: diff / synth };
  });
  const r = median(samples.map((s) => s.ratio));
  record({ section: 'diff', figure: 'one cold `npm run synth` of the head', value: seconds(median(samples.map((s) => s.synth))), budget: '-', pass: true });
  record({ section: 'diff', figure: '`bluegreen-fleet diff --base-ref HEAD`, cold', value: seconds(median(samples.map((s) => s.diff))), budget: '-', pass: true });
  record({ section: 'diff', figure: 'diff / cold synth of the head (median of 2)', value: ratio(r), budget: '<= 1.5x', pass: r <= 1.5 });
}

function benchCli(): void {
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const floor = repeat(runs * 2, () => timeCommand(process.execPath, ['-e', '0']));
  const help = repeat(runs * 2, () => timeCommand(process.execPath, [cli, '--help']));
  record({ section: 'cli', figure: '`node -e 0` (floor)', value: `${floor.toFixed(0)} ms`, budget: '-', pass: true });
  record({ section: 'cli', figure: '`bluegreen-fleet --help`', value: `${help.toFixed(0)} ms`, budget: '-', pass: true });
  record({ section: 'cli', figure: 'CLI start / node -e 0', value: `${(help / floor).toFixed(2)}x`, budget: '<= 2x', pass: help / floor <= 2 });
}

function benchLambda(): void {
  for (const l of measureLambdas(ROOT, runs, median)) {
    record({ section: 'lambda', figure: `${l.name}: bundle size (minified)`, value: `${l.kb.toFixed(1)} KB`, budget: '<= 150 KB', pass: l.kb <= 150 });
    record({ section: 'lambda', figure: `${l.name}: module load (init)`, value: `${l.initMs.toFixed(1)} ms`, budget: '-', pass: true });
    record({ section: 'lambda', figure: `${l.name}: init + first invocation`, value: `${l.totalMs.toFixed(1)} ms`, budget: '-', pass: true });
  }
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function commit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ? ' (with uncommitted changes)' : '';
  return `${r.stdout.trim() || 'unknown'}${dirty}`;
}

function writeReport(): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const header = existing.split('\n<!-- results -->')[0] || '# Benchmarks\n';
  const table = ['| section | figure | value | budget | load | result |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.section} | ${r.figure} | ${r.value} | ${r.budget} | ${(r.load ?? 0).toFixed(1)} | ${r.pass ? 'pass' : '**FAIL**'} |`)].join('\n');
  const body = `\n<!-- results -->\n## Latest run\n\n- date: ${new Date().toISOString()}\n- commit: ${commit()}\n- machine: ${machine()}\n- command: \`npm run bench${args.length ? ` -- ${args.filter((a) => a !== '--write').join(' ')}` : ''}\`\n\n${table}\n`;
  fs.writeFileSync(file, `${header.trimEnd()}\n${body}`);
}

function main(): void {
  console.log(`bluegreen-fleet benchmarks on ${machine()}`);
  const sections: Array<[string, () => void]> = [['cli', benchCli], ['lambda', benchLambda], ['synth', benchSynth], ['guard', benchGuard], ['scale', benchScale], ['diff', benchDiff], ['test', benchTest]];
  for (const [name, fn] of sections) {
    if (!wanted(name)) continue;
    try {
      fn();
    } catch (error) {
      record({ section: name, figure: 'run', value: 'error', budget: '-', pass: false });
      console.error((error as Error).message);
    }
  }
  if (args.includes('--write')) writeReport();
  const failed = rows.filter((r) => !r.pass);
  console.log(`${rows.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length ? 1 : 0;
}

main();
