/**
 * Each Lambda handler bundled exactly as ReleaseSupport bundles it (constructs/release/bundle.ts):
 * its minified size (budget) and, with no budget, the time from loading the bundle to the end of
 * its first invocation. The alarm period (a minute or more) dominates the auto-rollback path, so a
 * cold start is reported, not budgeted. There is no AWS here: the SDK is pointed at a closed local
 * port with one attempt, so the first invocation includes building the clients, resolving
 * credentials, signing and the first connection attempt, and ends at the refused connection.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { bundleHandler, handlerNames } from '../constructs/release/bundle';

/** A representative event per handler (src/release/payloads.ts, EventBridge's alarm state change). */
const EVENTS: Record<string, unknown> = {
  'auto-rollback': { detail: { alarmName: 'bgf-dev-api-blue-errors', state: { value: 'ALARM', reason: 'bench' } } },
  'standby-capacity': { action: 'warm' },
  'smoke-check': { url: 'http://127.0.0.1:9/health', timeoutMs: 1000 },
};

const ENV = {
  STACK_NAME: 'bgf-dev-api',
  TABLE_NAME: 'bgf-dev-api-releases',
  ALLOWED_ORIGIN: 'http://127.0.0.1:9',
  AWS_REGION: 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHONLY',
  AWS_SECRET_ACCESS_KEY: 'bench-only',
  // Port 9 (discard) is closed here: every call fails at once, with no retry.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
};

const PROBE = `
const started = performance.now();
const mod = require(process.argv[1]);
const loaded = performance.now();
Promise.resolve().then(() => mod.handler(JSON.parse(process.argv[2]), { getRemainingTimeInMillis: () => 60000 }))
  .then((r) => ({ ok: true, r }), (e) => ({ ok: false, r: String(e && e.name || e) }))
  .then(({ ok, r }) => process.stdout.write(JSON.stringify({ initMs: loaded - started, totalMs: performance.now() - started, ok, result: JSON.stringify(r).slice(0, 120) })));
`;

export interface LambdaFigures {
  readonly name: string;
  readonly kb: number;
  readonly initMs: number;
  readonly totalMs: number;
  readonly outcome: string;
}

export function measureLambdas(root: string, runs: number, median: (v: number[]) => number): LambdaFigures[] {
  fs.mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
  // Inside the project, so `require('@aws-sdk/...')` resolves to node_modules, as the Lambda
  // runtime resolves it to the SDK it ships.
  const outdir = fs.mkdtempSync(path.join(root, 'node_modules', '.cache', 'bgf-bench-lambda-'));
  try {
    return handlerNames().map((name) => {
      const bundleDir = path.join(outdir, name);
      bundleHandler(name, bundleDir);
      const outfile = path.join(bundleDir, 'index.js');
      const samples = Array.from({ length: runs }, () => {
        const r = spawnSync(process.execPath, ['-e', PROBE, outfile, JSON.stringify(EVENTS[name] ?? {})], { cwd: root, encoding: 'utf8', env: { ...process.env, ...ENV } });
        if (r.status !== 0) throw new Error(`invoking ${name} failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as { initMs: number; totalMs: number; ok: boolean; result: string };
      });
      return {
        name,
        kb: fs.statSync(outfile).size / 1024,
        initMs: median(samples.map((s) => s.initMs)),
        totalMs: median(samples.map((s) => s.totalMs)),
        outcome: samples[0].ok ? `returned ${samples[0].result}` : `threw ${samples[0].result}`,
      };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
