import { runDeploy } from '../../src/commands/deploy';
import { runSwap } from '../../src/commands/swap';
import { SWAP_STEPS } from '../../src/release/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { TAKE_LOCK } from '../../src/release/state/session';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { AwsModel, REGION, runAs } from './support/aws-model';
import { DEV_STACK, DEV_WINDOW_MINUTES, devWorld, json, run, stopAfter, V2, windowItem } from './support/model-harness';

const swapApi = { env: 'dev', service: 'api', json: true };

describe('swap', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  async function prepared(): Promise<void> {
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
  }

  test('moves traffic to a healthy standby, opens the window and records the release', async () => {
    await prepared();
    const r = run(aws);
    expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Ok);
    const { swappedAt, closesAt } = windowItem(aws);
    expect(Date.parse(closesAt) - Date.parse(swappedAt)).toBe(DEV_WINDOW_MINUTES * 60_000);
    expect(json(r).result).toMatchObject({ outcome: 'swapped', liveColor: 'green', previousColor: 'blue', rollbackWindowClosesAt: closesAt });
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(aws.table(DEV_STACK).query('history', false)).toEqual([expect.objectContaining({ outcome: 'succeeded', newImage: V2, detail: expect.stringMatching(/swapped by `swap`/) })]);
    expect(aws.schedules.get('bgf-dev-api-cool-down')).toMatchObject({ ScheduleExpression: `at(${closesAt.slice(0, 19)})`, ActionAfterCompletion: 'DELETE' });
  });

  test('re-points a cool-down schedule left with a role that no longer exists (a replaced scheduler role)', async () => {
    await prepared();
    const o = aws.outputs(DEV_STACK);
    const roleArn = o.ReleaseSchedulerRoleArn;
    // Left by an earlier release, before the scheduler role was replaced; an hour from now.
    const at = new Date(aws.clock.t + 3_600_000).toISOString().slice(0, 19);
    await runAs('earlier-release', () =>
      new SchedulerClient({ region: REGION }).send(
        new CreateScheduleCommand({
          Name: 'bgf-dev-api-cool-down',
          ScheduleExpression: `at(${at})`,
          ScheduleExpressionTimezone: 'UTC',
          ActionAfterCompletion: 'DELETE',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: o.StandbyCapacityFunctionArn, RoleArn: 'arn:aws:iam::123456789012:role/bgf-dev-api-SchedulerRole-OLD', Input: JSON.stringify({ action: 'cool', expectLiveColor: 'green' }) },
        }),
      ),
    );
    expect(await runSwap(swapApi, run(aws).deps)).toBe(ExitCode.Ok);
    expect(aws.count('UpdateSchedule')).toBe(1);
    expect(aws.schedules.get('bgf-dev-api-cool-down').Target.RoleArn).toBe(roleArn);
  });

  test('refuses an unhealthy standby (exit 3); traffic stays', async () => {
    await prepared();
    aws.setTargetHealth(DEV_STACK, 'green', 'unhealthy');
    const r = run(aws);
    expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/the green fleet is not ready: 0\/2 targets healthy \(2 unhealthy\)/);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.count('UpdateStack')).toBe(1);
  });

  test('refuses a cold standby (exit 3)', async () => {
    const r = run(aws);
    expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/the green fleet is not ready: its ECS service wants 0 tasks \(cold\)/);
  });

  test('stopped right after the flip, the re-run finishes the swap instead of flipping back', async () => {
    await prepared();
    const stopped = run(aws, { hooks: stopAfter('swap') });
    expect(await runSwap(swapApi, stopped.deps)).toBe(ExitCode.Error);
    const r = run(aws);
    expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('resumed');
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(aws.count('UpdateStack')).toBe(2);
    expect(aws.table(DEV_STACK).query('history', false)).toHaveLength(1);
  });

  test('--dry-run prints the steps the swap would run, and changes nothing', async () => {
    await prepared();
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runSwap({ ...swapApi, dryRun: true }, r.deps)).toBe(ExitCode.Ok);
    const { result } = json(r);
    expect(result).toMatchObject({ outcome: 'planned', liveColor: 'blue', previousColor: 'blue' });
    expect(result.plan).toEqual([
      'check the green fleet',
      'smoke check through the test listener',
      expect.stringMatching(/^record release \S+ in flight \(blue -> green\)$/),
      'swap: traffic to the green fleet',
      'keep the scheduled capacity on the green fleet',
      'open the rollback window',
      'record the release',
    ]);
    expect(result.plan).toHaveLength(SWAP_STEPS.length);
    const writes = aws.calls.slice(before).filter((c) => !/^(Describe|Get|List|Query|BatchGet)/.test(c.operation));
    expect(writes).toEqual([]);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });
});

describe('swap stopped after each step, then run again', () => {
  // The lock, then every step of the swap but the last (after it the swap is done, and a re-run
  // is a new swap), from the one list the run executes.
  const steps = [TAKE_LOCK.id, ...SWAP_STEPS.slice(0, -1).map((st) => st.id)];

  test.each(steps)('stopped after "%s": the re-run completes, nothing is done twice', async (step) => {
    const aws = devWorld();
    try {
      expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
      const stopped = run(aws, { hooks: stopAfter(step) });
      expect(await runSwap(swapApi, stopped.deps)).toBe(ExitCode.Error);
      expect(json(stopped).error).toBe(`process stopped after ${step}`);
      const r = run(aws);
      expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Ok);
      expect(json(r).result).toMatchObject({ liveColor: 'green', previousColor: 'blue' });
      expect(aws.trafficColor(DEV_STACK)).toBe('green');
      expect(aws.count('UpdateStack')).toBe(2);
      expect(aws.table(DEV_STACK).query('history', false)).toEqual([expect.objectContaining({ outcome: 'succeeded', newImage: V2 })]);
      expect(aws.table(DEV_STACK).get({ pk: 'release', sk: 'pending' })).toBeUndefined();
      expect(aws.schedules.has('bgf-dev-api-cool-down')).toBe(true);
    } finally {
      aws.restore();
    }
  });
});
