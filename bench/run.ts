/**
 * `npm run bench`: every performance figure the project promises, each with its budget and a
 * pass/fail. Exits non-zero when a budget is missed. `--write` records the results with the
 * machine, date and commit in BENCHMARKS.md; `--only a,b` runs some sections
 * (synth, scale, test, cli, lambda); `--runs N` sets repetitions of the short measurements.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleHandler, handlerNames } from '../constructs/release/bundle';
import { defaultCacheDirectory } from '../lib/policy/guard-cache';

const ROOT = path.resolve(__dirname, '..', '..');
const CFN_MAX_RESOURCES = 500;
const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

interface Row {
  readonly section: string;
  readonly figure: string;
  readonly value: string;
  readonly budget: string;
  readonly pass: boolean;
}

const rows: Row[] = [];
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const wanted = (section: string) => !only || only.includes(section);

function record(row: Row): void {
  rows.push(row);
  console.log(`${row.pass ? 'PASS' : 'FAIL'}  ${row.section.padEnd(7)} ${row.figure.padEnd(46)} ${row.value.padStart(14)}  budget ${row.budget}`);
}

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
  const floor = repeat(3, () => timeCommand(cdk, ['--version']));
  // The README's main command, after the install: `npm run synth`. Cold: no cfn-guard findings
  // remembered (a fresh clone); warm: the same templates checked before (every later synth).
  const cold = repeat(3, () => {
    fs.rmSync(defaultCacheDirectory(), { recursive: true, force: true });
    return timeCommand('npm', ['run', 'synth', '--silent']);
  });
  const warm = repeat(3, () => timeCommand('npm', ['run', 'synth', '--silent']));
  record({ section: 'synth', figure: '`cdk --version` (floor)', value: seconds(floor), budget: '-', pass: true });
  record({ section: 'synth', figure: '`npm run synth`, whole app, cold', value: seconds(cold), budget: '-', pass: true });
  record({ section: 'synth', figure: '`npm run synth`, whole app, warm', value: seconds(warm), budget: '-', pass: true });
  record({ section: 'synth', figure: 'cold synth / cdk --version', value: `${(cold / floor).toFixed(2)}x`, budget: '<= 2.5x', pass: cold / floor <= 2.5 });
  record({ section: 'synth', figure: 'warm synth / cdk --version', value: `${(warm / floor).toFixed(2)}x`, budget: '<= 2.5x', pass: warm / floor <= 2.5 });
}

interface ScaleResult {
  count: number;
  ms: number;
  maxRssMiB: number;
  stacks: Array<{ name: string; resources: number; bytes: number }>;
}

function scaleSynth(count: number): ScaleResult {
  const out = spawnSync(process.execPath, [path.join(__dirname, 'scale-synth.js'), String(count)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`scale synth of ${count} services failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() as string) as ScaleResult;
}

function benchScale(): void {
  const cold: ScaleResult[] = [];
  for (const count of [1, 10, 50]) {
    // Cold first (no cfn-guard findings remembered), which fills the cache; then warm.
    fs.rmSync(defaultCacheDirectory(), { recursive: true, force: true });
    const result = scaleSynth(count);
    const warm = scaleSynth(count);
    cold.push(result);
    const biggest = result.stacks.reduce((a, b) => (b.resources > a.resources ? b : a));
    const largest = result.stacks.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const label = `${count} service${count > 1 ? 's' : ''} x 4 envs`;
    const is50 = count === 50;
    record({ section: 'scale', figure: `${label}: synth, cold`, value: seconds(result.ms), budget: is50 ? '<= 30 s' : '-', pass: !is50 || result.ms <= 30_000 });
    record({ section: 'scale', figure: `${label}: synth, warm`, value: seconds(warm.ms), budget: is50 ? '<= 30 s' : '-', pass: !is50 || warm.ms <= 30_000 });
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

function benchTest(): void {
  const ms = timeCommand('npm', ['test', '--silent']);
  record({ section: 'test', figure: '`npm test` wall time', value: seconds(ms), budget: '<= 60 s', pass: ms <= 60_000 });
}

function benchCli(): void {
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const floor = repeat(runs * 2, () => timeCommand(process.execPath, ['-e', '0']));
  const help = repeat(runs * 2, () => timeCommand(process.execPath, [cli, '--help']));
  record({ section: 'cli', figure: '`node -e 0` (floor)', value: `${floor.toFixed(0)} ms`, budget: '-', pass: true });
  record({ section: 'cli', figure: '`bluegreen-fleet --help`', value: `${help.toFixed(0)} ms`, budget: '-', pass: true });
  record({ section: 'cli', figure: 'CLI start / node -e 0', value: `${(help / floor).toFixed(2)}x`, budget: '<= 2x', pass: help / floor <= 2 });
}

/** Each Lambda handler bundled exactly as ReleaseSupport bundles it (constructs/release/bundle.ts). */
function benchLambda(): void {
  const names = handlerNames();
  if (names.length === 0) {
    record({ section: 'lambda', figure: 'Lambda bundles', value: 'none', budget: '-', pass: true });
    return;
  }
  // Inside the project, so a bundle's `require('@aws-sdk/...')` resolves to node_modules as the
  // Lambda runtime resolves it to the SDK it ships: the load time includes the SDK clients.
  fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const outdir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'bgf-bench-lambda-'));
  for (const name of names) {
    const bundleDir = path.join(outdir, name);
    bundleHandler(name, bundleDir);
    const outfile = path.join(bundleDir, 'index.js');
    const kb = fs.statSync(outfile).size / 1024;
    const loadMs = repeat(runs, () => {
      const r = spawnSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`loading ${name} failed: ${r.stderr}`);
      return Number(r.stdout);
    });
    record({ section: 'lambda', figure: `${name}: bundle size (minified)`, value: `${kb.toFixed(1)} KB`, budget: '<= 150 KB', pass: kb <= 150 });
    record({ section: 'lambda', figure: `${name}: load time in bare node`, value: `${loadMs.toFixed(1)} ms`, budget: '<= 50 ms', pass: loadMs <= 50 });
  }
  fs.rmSync(outdir, { recursive: true, force: true });
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
  const table = ['| section | figure | value | budget | result |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.section} | ${r.figure} | ${r.value} | ${r.budget} | ${r.pass ? 'pass' : '**FAIL**'} |`)].join('\n');
  const body = `\n<!-- results -->\n## Latest run\n\n- date: ${new Date().toISOString()}\n- commit: ${commit()}\n- machine: ${machine()}\n- command: \`npm run bench${args.length ? ` -- ${args.filter((a) => a !== '--write').join(' ')}` : ''}\`\n\n${table}\n`;
  fs.writeFileSync(file, `${header.trimEnd()}\n${body}`);
}

function main(): void {
  console.log(`bluegreen-fleet benchmarks on ${machine()}`);
  const sections: Array<[string, () => void]> = [['cli', benchCli], ['lambda', benchLambda], ['synth', benchSynth], ['scale', benchScale], ['test', benchTest]];
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
