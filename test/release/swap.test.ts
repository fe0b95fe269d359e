import { runDeploy } from '../../src/commands/deploy';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
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
    const stopped = run(aws, { hooks: stopAfter((name) => name.startsWith('swap:')) });
    expect(await runSwap(swapApi, stopped.deps)).toBe(ExitCode.Error);
    const r = run(aws);
    expect(await runSwap(swapApi, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('resumed');
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(aws.count('UpdateStack')).toBe(2);
    expect(aws.table(DEV_STACK).query('history', false)).toHaveLength(1);
  });
});
