import { runDeploy } from '../../src/commands/deploy';
import { runRollback } from '../../src/commands/rollback';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from '../../constructs/contract/names';
import { AwsModel, REPOSITORY } from './support/aws-model';
import { DEV_STACK, json, run, stopAfter, V1, windowClosedAndCooled, withHandlers } from './support/model-harness';

/**
 * A swap is a stack update, and CloudFormation registers the new live fleet's scalable target
 * with the template's bounds. Inside a scheduled period (here min 10 from `morning-push`, the
 * template says 6..12) the release carries the old live fleet's bounds over.
 */

const MINUTE = 60_000;
const deployV2 = { env: 'dev', service: 'api', image: 'v2', json: true };

// The in-cloud handlers (the cool-down's standby-capacity) log one JSON line per run.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
const rollbackApi = { env: 'dev', service: 'api', json: true };

/** api live on blue, template bounds 6..12, the 09:50 scale-out has set blue to 10..12. */
function scheduledWorld(): AwsModel {
  const aws = new AwsModel().install();
  aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...DEFAULT_MUTABLE_TAG_PATTERNS] });
  aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1, minTasks: 6, maxTasks: 12, liveTasks: 6 });
  withHandlers(aws, DEV_STACK);
  aws.addImage('v1');
  aws.addImage('v2');
  aws.timings.callMs = 5_000;
  aws.runScheduledAction(DEV_STACK, { min: 10, max: 12 });
  return aws;
}

const bounds = (aws: AwsModel, color: 'blue' | 'green') => {
  const t = aws.scalableTarget(DEV_STACK, color);
  return { min: t.min, max: t.max };
};

const carryStep = (r: ReturnType<typeof run>, color: string) => json(r).steps.find((s: { name: string }) => s.name === `keep the scheduled capacity on the ${color} fleet`);

describe('a release inside a scheduled period', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  test('GIVEN blue scaled out to min 10 WHEN v2 swaps to green THEN green keeps min 10, max 12 (not the template\'s 6)', async () => {
    aws = scheduledWorld();
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(bounds(aws, 'green')).toEqual({ min: 10, max: 12 });
    expect(aws.count('RegisterScalableTarget')).toBe(1);
    // Read before the swap's update, applied after it.
    const order = aws.calls.map((c) => c.operation);
    const swap = aws.calls.findIndex((c) => c.operation === 'UpdateStack' && c.input.Parameters.some((p: any) => p.ParameterKey === 'LiveColor' && p.ParameterValue));
    expect(order.slice(0, swap)).toContain('DescribeScalableTargets');
    expect(order.indexOf('RegisterScalableTarget')).toBeGreaterThan(swap);
    expect(carryStep(r, 'green')).toMatchObject({ status: 'done', detail: expect.stringMatching(/the green fleet keeps the blue fleet's scheduled bounds: min 6, max 12 -> min 10, max 12/) });
    expect(json(r).steps.find((s: { name: string }) => s.name.startsWith('swap:')).detail).toMatch(/the blue fleet's bounds before the move: min 10, max 12/);
  });

  test.each(['swap', 'carry-capacity', 'open-window'])(
    'stopped after "%s": the re-run carries the bounds once',
    async (step) => {
      aws = scheduledWorld();
      expect(await runDeploy(deployV2, run(aws, { hooks: stopAfter(step) }).deps)).toBe(ExitCode.Error);
      const r = run(aws);
      expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
      expect(bounds(aws, 'green')).toEqual({ min: 10, max: 12 });
      expect(aws.count('RegisterScalableTarget')).toBe(1);
      expect(aws.count('UpdateStack')).toBe(2);
    },
  );

  test('outside a scheduled period nothing is registered, and the step says why', async () => {
    aws = scheduledWorld();
    aws.runScheduledAction(DEV_STACK, { min: 6, max: 12 });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'green')).toEqual({ min: 6, max: 12 });
    expect(aws.count('RegisterScalableTarget')).toBe(0);
    expect(carryStep(r, 'green')).toMatchObject({ status: 'skipped', detail: "the green fleet's min 6, max 12 already cover the blue fleet's min 6, max 12" });
  });

  test('a bound a schedule lowered is never carried down: min 6..max 8 leaves green at the template\'s 6..12', async () => {
    aws = scheduledWorld();
    aws.runScheduledAction(DEV_STACK, { min: 6, max: 8 });
    expect(await runDeploy(deployV2, run(aws).deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'green')).toEqual({ min: 6, max: 12 });
    expect(aws.count('RegisterScalableTarget')).toBe(0);
  });

  test('a re-run long after the reading leaves the bounds to the next scheduled action', async () => {
    aws = scheduledWorld();
    expect(await runDeploy(deployV2, run(aws, { hooks: stopAfter('swap') }).deps)).toBe(ExitCode.Error);
    aws.clock.advance(50 * MINUTE);
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'green')).toEqual({ min: 6, max: 12 });
    expect(carryStep(r, 'green')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/read at \S+Z, too long ago to be current; the next scheduled action sets them/) });
  });

  test('swap (after deploy --no-swap) carries them too', async () => {
    aws = scheduledWorld();
    expect(await runDeploy({ ...deployV2, swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
    const r = run(aws);
    expect(await runSwap({ env: 'dev', service: 'api', json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'green')).toEqual({ min: 10, max: 12 });
    expect(carryStep(r, 'green').status).toBe('done');
  });
});

describe('a rollback inside a scheduled period', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  async function released(): Promise<void> {
    aws = scheduledWorld();
    expect(await runDeploy({ ...deployV2, json: false }, run(aws).deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'green')).toEqual({ min: 10, max: 12 });
  }

  test('GIVEN green live at min 10 WHEN rolled back THEN blue, live again, keeps min 10', async () => {
    await released();
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(bounds(aws, 'blue')).toEqual({ min: 10, max: 12 });
    expect(carryStep(r, 'blue')).toMatchObject({ status: 'done', detail: expect.stringMatching(/min 6, max 12 -> min 10, max 12/) });
  });

  test('stopped after the LiveColor reconcile, the re-run carries them', async () => {
    await released();
    expect(await runRollback(rollbackApi, run(aws, { hooks: stopAfter('reconcile-live-color') }).deps)).toBe(ExitCode.Error);
    expect(bounds(aws, 'blue')).toEqual({ min: 6, max: 12 });
    expect(await runRollback(rollbackApi, run(aws).deps)).toBe(ExitCode.Ok);
    expect(bounds(aws, 'blue')).toEqual({ min: 10, max: 12 });
    expect(aws.count('RegisterScalableTarget')).toBe(2);
  });

  test('rollback --warm of a cold previous fleet carries them after its swap', async () => {
    await released();
    await windowClosedAndCooled(aws);
    expect(aws.service(DEV_STACK, 'blue')).toMatchObject({ desired: 0, running: 0 });
    expect(await runRollback({ ...rollbackApi, warm: true }, run(aws).deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(bounds(aws, 'blue')).toEqual({ min: 10, max: 12 });
  });
});
