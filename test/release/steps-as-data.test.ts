import { runDeploy } from '../../src/commands/deploy';
import { runSwap } from '../../src/commands/swap';
import { deploy, DEPLOY_STEPS, DeployState } from '../../src/release/commands/deploy';
import { swap, SWAP_STEPS, SwapState } from '../../src/release/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { Step } from '../../src/release/core/steps';
import { runCommand } from '../../src/release/runtime/cli-runtime';
import { ReleaseTarget } from '../../src/release/runtime/target';
import { DEV_STACK, devWorld, json, run, stopAfter } from './support/model-harness';

/**
 * The release is one list of steps: a step added to a copy of the list appears in the dry-run
 * plan, runs in its place, shows in the progress output, and is a point the crash-and-resume
 * hooks can stop at, with no other change.
 */
const ran: string[] = [];
const extra: Step<DeployState> = {
  id: 'notify-channel',
  applies: (s) => !s.noSwap,
  describe: (s) => `tell #releases that ${s.plan.pending.toColor} is live`,
  run: async (s, h) => {
    ran.push(s.plan.pending.releaseId);
    h.detail('posted');
    return s;
  },
};
const at = DEPLOY_STEPS.findIndex((s) => s.id === 'point-live-tag');
const steps = [...DEPLOY_STEPS.slice(0, at), extra, ...DEPLOY_STEPS.slice(at)];
const target: ReleaseTarget = { stackName: DEV_STACK, region: 'ap-northeast-1' };
const go = (options: { dryRun?: boolean }, deps: ReturnType<typeof run>['deps']) =>
  runCommand({ name: 'deploy', json: true, reach: () => target, run: (ctx) => deploy(ctx, target, { image: 'v2', ...options }, steps), format: () => '' }, deps);

describe('a step added to a copy of the deploy steps', () => {
  beforeEach(() => ran.splice(0));

  test('shows in the dry-run plan, in its place', async () => {
    const aws = devWorld();
    try {
      const r = run(aws);
      expect(await go({ dryRun: true }, r.deps)).toBe(ExitCode.Ok);
      const plan: string[] = json(r).result.plan;
      expect(plan[at]).toBe('tell #releases that green is live');
      expect(plan).toHaveLength(DEPLOY_STEPS.length + 1);
      expect(ran).toEqual([]);
    } finally {
      aws.restore();
    }
  });

  test('runs, in order, with its progress line', async () => {
    const aws = devWorld();
    try {
      const r = run(aws);
      expect(await go({}, r.deps)).toBe(ExitCode.Ok);
      expect(ran).toHaveLength(1);
      const names = json(r).steps.map((s: { name: string }) => s.name);
      expect(names.indexOf('tell #releases that green is live')).toBe(names.findIndex((n: string) => n.startsWith('point dev-live')) - 1);
      expect(json(r).steps).toContainEqual(expect.objectContaining({ name: 'tell #releases that green is live', status: 'done', detail: 'posted' }));
    } finally {
      aws.restore();
    }
  });

  test('is a point a crash can stop at; the re-run (the shipped list) finishes the release', async () => {
    const aws = devWorld();
    try {
      expect(await go({}, run(aws, { hooks: stopAfter('notify-channel') }).deps)).toBe(ExitCode.Error);
      expect(ran).toHaveLength(1);
      expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
      expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'succeeded')).toHaveLength(1);
    } finally {
      aws.restore();
    }
  });
});

/** The same for `swap`: its own list, the same three consumers. */
const swapRan: string[] = [];
const swapExtra: Step<SwapState> = {
  id: 'notify-channel',
  describe: (s) => `tell #releases that ${s.pending.toColor} is live`,
  run: async (s, h) => {
    swapRan.push(s.pending.releaseId);
    h.detail('posted');
    return s;
  },
};
const swapAt = SWAP_STEPS.findIndex((s) => s.id === 'record-release');
const swapSteps = [...SWAP_STEPS.slice(0, swapAt), swapExtra, ...SWAP_STEPS.slice(swapAt)];
const goSwap = (options: { dryRun?: boolean }, deps: ReturnType<typeof run>['deps']) =>
  runCommand({ name: 'swap', json: true, reach: () => target, run: (ctx) => swap(ctx, target, options, swapSteps), format: () => '' }, deps);

describe('a step added to a copy of the swap steps', () => {
  beforeEach(() => swapRan.splice(0));
  const prepared = async (aws: ReturnType<typeof devWorld>) => expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);

  test('shows in the dry-run plan, in its place', async () => {
    const aws = devWorld();
    try {
      await prepared(aws);
      const r = run(aws);
      expect(await goSwap({ dryRun: true }, r.deps)).toBe(ExitCode.Ok);
      const plan: string[] = json(r).result.plan;
      expect(plan[swapAt]).toBe('tell #releases that green is live');
      expect(plan).toHaveLength(SWAP_STEPS.length + 1);
      expect(swapRan).toEqual([]);
    } finally {
      aws.restore();
    }
  });

  test('runs, in order, with its progress line', async () => {
    const aws = devWorld();
    try {
      await prepared(aws);
      const r = run(aws);
      expect(await goSwap({}, r.deps)).toBe(ExitCode.Ok);
      expect(swapRan).toHaveLength(1);
      const names = json(r).steps.map((s: { name: string }) => s.name);
      expect(names.indexOf('tell #releases that green is live')).toBe(names.indexOf('record the release') - 1);
      expect(json(r).steps).toContainEqual(expect.objectContaining({ name: 'tell #releases that green is live', status: 'done', detail: 'posted' }));
    } finally {
      aws.restore();
    }
  });

  test('is a point a crash can stop at; the re-run (the shipped list) finishes the swap', async () => {
    const aws = devWorld();
    try {
      await prepared(aws);
      expect(await goSwap({}, run(aws, { hooks: stopAfter('notify-channel') }).deps)).toBe(ExitCode.Error);
      expect(swapRan).toHaveLength(1);
      const r = run(aws);
      expect(await runSwap({ env: 'dev', service: 'api', json: true }, r.deps)).toBe(ExitCode.Ok);
      expect(json(r).result.outcome).toBe('resumed');
      expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'succeeded')).toHaveLength(1);
      expect(aws.count('UpdateStack')).toBe(2);
    } finally {
      aws.restore();
    }
  });
});
