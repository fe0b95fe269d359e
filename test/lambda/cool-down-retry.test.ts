import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { handler } from '../../lambda/standby-capacity';
import { AwsModel } from '../release/support/aws-model';
import { asFunction } from './model-support';
import { DEV_STACK, devWorld, run, windowItem } from '../release/support/model-harness';

/**
 * EventBridge Scheduler deletes a one-time schedule once it has invoked its target
 * (ActionAfterCompletion DELETE), and invokes a Lambda asynchronously
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html), so a cool-down
 * that finds the stack busy, and returns, is gone for good: the previous fleet stays warm. A
 * transient skip schedules the same request again, a bounded number of times.
 */
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

describe('a cool-down that meets a busy stack', () => {
  let aws: AwsModel;
  beforeEach(async () => {
    aws = devWorld();
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  });
  afterEach(() => aws.restore());

  test('runs again later and cools the previous fleet once the stack is idle', async () => {
    const closesAt = Date.parse(windowItem(aws).closesAt);
    await aws.runFor(closesAt - aws.clock.t - 120_000);
    expect(aws.service(DEV_STACK, 'blue').desired).toBeGreaterThan(0);
    // A cdk deploy starts just before the window closes and runs past it: five minutes per resource.
    aws.engine.timings.stepMs = 5 * 60_000;
    aws.updateOutOfBand(DEV_STACK, { BlueAmi: 'ami-0bbbbbbbbbbbbbbb2' });
    await aws.runFor(4 * 60_000);
    expect(aws.status(DEV_STACK)).toMatch(/IN_PROGRESS/);
    const cools = () => aws.invocations.filter((i) => i.payload?.action === 'cool');
    expect(cools()).toHaveLength(1);
    await aws.settleStack(DEV_STACK);
    aws.engine.timings.stepMs = 1_000;
    await aws.runFor(60 * 60_000);
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    // The first run met the busy stack; a later one cooled.
    expect(cools().length).toBeGreaterThan(1);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('0');
    expect(aws.service(DEV_STACK, 'blue').desired).toBe(0);
  });

  test('each retry is one schedule, ten minutes on, one retry fewer; out of retries the run refuses loudly', async () => {
    aws.engine.timings.stepMs = 5 * 60_000;
    aws.updateOutOfBand(DEV_STACK, { BlueAmi: 'ami-0bbbbbbbbbbbbbbb2' });
    const before = new Set(aws.schedules.keys());
    const result = await asFunction(aws, 'StandbyCapacity', () => handler({ action: 'cool', expectLiveColor: 'green', retriesLeft: 3 }));
    expect(result).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/is UPDATE_IN_PROGRESS; runs again at .* 2 retries left/) });
    const created = [...aws.schedules.keys()].filter((k) => !before.has(k));
    expect(created).toEqual([expect.stringMatching(/^bgf-dev-api-retry-\d{8}T\d{4}$/)]);
    const schedule = aws.schedules.get(created[0])!;
    expect(JSON.parse(schedule.Target.Input)).toEqual({ action: 'cool', expectLiveColor: 'green', retriesLeft: 2 });
    await expect(asFunction(aws, 'StandbyCapacity', () => handler({ action: 'cool', expectLiveColor: 'green', retriesLeft: 0 }))).rejects.toThrow(/no retry is left/);
    expect([...aws.schedules.keys()].filter((k) => !before.has(k))).toHaveLength(1);
  });
});
