import type { StandbyCapacityResult } from '../../constructs/contract/payloads';
import { clock, handler } from '../../lambda/standby-capacity';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK, devWorld, windowItem } from '../release/support/model-harness';
import { asFunction, releasedModel } from './model-support';

// The handlers log one JSON line per decision; keep the test output readable.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

describe('standby-capacity', () => {
  let aws: AwsModel;
  let fn: string;
  /** What each run of the function returned (or threw), the runs from its schedule included. */
  let results: (StandbyCapacityResult | Error)[];
  afterEach(() => aws.restore());

  /** The function's real code, its results kept; on the model's clock. */
  function observe(world: AwsModel): AwsModel {
    aws = world;
    clock.now = () => aws.clock.now();
    fn = aws.outputs(DEV_STACK).StandbyCapacityFunctionName;
    results = [];
    aws.handle(DEV_STACK, 'StandbyCapacity', async (event) => {
      try {
        const r = await handler(event);
        results.push(r);
        return r;
      } catch (error) {
        results.push(error as Error);
        throw error;
      }
    });
    return aws;
  }
  const invoke = (request: Parameters<typeof handler>[0]) => asFunction(aws, 'StandbyCapacity', () => handler(request));
  /** Runs the cloud until a minute after the window closes: the cool-down schedule fires. */
  const windowCloses = () => aws.runFor(Date.parse(windowItem(aws).closesAt) - aws.clock.t + 60_000);
  const updatesBy = (origin: string) => aws.calls.filter((c) => c.operation === 'UpdateStack' && c.origin === origin);

  test('cool at the end of the window (its schedule): StandbyMinTasks 0 with the previous template, as the parameter-update role', async () => {
    observe(await releasedModel());
    await windowCloses();
    expect(results).toEqual([{ action: 'cool', outcome: 'updated', reason: 'StandbyMinTasks 2 -> 0', standbyMinTasks: 0 }]);
    await aws.settleStack(DEV_STACK);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('0');
    const [update] = updatesBy(fn);
    expect(update.input).toMatchObject({ UsePreviousTemplate: true, Capabilities: aws.stack(DEV_STACK).capabilities, RoleARN: aws.outputs(DEV_STACK).ParameterUpdateRoleArn });
    expect(update.input.Parameters).toContainEqual({ ParameterKey: 'LiveColor', UsePreviousValue: true });
  });

  test('cool does nothing while the window is open, while a release holds the lock, or when the live color changed', async () => {
    observe(await releasedModel());
    expect((await invoke({ action: 'cool', expectLiveColor: 'green' })).reason).toBe(`a rollback window is open until ${windowItem(aws).closesAt}`);
    aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@x', acquiredAt: 'then', expiresAt: Math.floor(aws.clock.t / 1000) + 3_600, command: 'deploy', token: 't' }, {});
    await windowCloses();
    expect(results).toEqual([expect.objectContaining({ outcome: 'skipped', reason: expect.stringMatching(/a release by ci@x holds the lock/) })]);
    aws.table(DEV_STACK).delete({ pk: 'lock', sk: 'lock' }, {});
    expect((await invoke({ action: 'cool', expectLiveColor: 'blue' })).reason).toMatch(/the live color is green, not blue: a later swap owns the standby/);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
    expect(updatesBy(fn)).toEqual([]);
  });

  test('cool after an auto-rollback cools the fleet traffic left, although the live color changed', async () => {
    observe(await releasedModel());
    // An alarm of green: the real auto-rollback Lambda moves traffic to blue and reconciles LiveColor.
    aws.observers.setAlarm(aws.alarmNames(DEV_STACK, 'green')[0], 'ALARM');
    await aws.runFor(60_000);
    await aws.settleStack(DEV_STACK);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    // The schedule was made for the release: it still expects green live.
    expect(aws.schedules.get('bgf-dev-api-cool-down').Target.Input).toBe(JSON.stringify({ action: 'cool', expectLiveColor: 'green' }));
    await windowCloses();
    expect(results).toEqual([expect.objectContaining({ outcome: 'updated', standbyMinTasks: 0 })]);
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    expect(aws.service(DEV_STACK, 'green')).toMatchObject({ desired: 0, running: 0 });
    expect(aws.service(DEV_STACK, 'blue').running).toBe(2);
  });

  // Issue 11 defect 6, failed on the old code: after an auto-rollback whose LiveColor reconcile
  // failed, LiveColor still says green while blue serves production, and `cool` set the "standby"
  // (blue, by LiveColor) to zero: it lowered the fleet that serves production.
  test.each([
    ['cool', { action: 'cool' as const, expectLiveColor: 'green' as const }],
    ['warm', { action: 'warm' as const }],
    ['cool-if-idle', { action: 'cool-if-idle' as const }],
  ])('%s refuses loudly when the production listener and LiveColor disagree; nothing changes', async (_name, request) => {
    observe(await releasedModel());
    const o = aws.outputs(DEV_STACK);
    // The Lambda moved traffic and marked the window; its LiveColor reconcile never happened.
    aws.table(DEV_STACK).update({ pk: 'window', sk: 'current' }, 'SET rolledBack = :t, liveColor = previousColor, previousColor = liveColor', { ExpressionAttributeValues: { ':t': true } });
    aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.BlueTargetGroupArn }] });
    await windowCloses();
    await expect(invoke(request)).rejects.toThrow(/refused: production traffic goes to the blue fleet but LiveColor says green: .*run `bluegreen-fleet rollback` to reconcile, nothing changed/);
    expect(updatesBy(fn)).toEqual([]);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
  });

  test('warm sets the live fleet size; cool-if-idle waits for an open window; both idempotent', async () => {
    observe(devWorld());
    expect(await invoke({ action: 'warm' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 2 });
    // CloudFormation refuses a second update while the first runs; the function says so.
    expect(await invoke({ action: 'warm' })).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/is UPDATE_IN_PROGRESS/) });
    await aws.settleStack(DEV_STACK);
    expect(await invoke({ action: 'warm' })).toMatchObject({ outcome: 'unchanged' });
    expect(await invoke({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    await aws.settleStack(DEV_STACK);
    expect(await invoke({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'unchanged' });
    const closesAt = new Date(aws.clock.t + 3_600_000).toISOString();
    aws.table(DEV_STACK).put({ pk: 'window', sk: 'current', closesAt, liveColor: 'blue', previousColor: 'green', swappedAt: aws.clock.now().toISOString(), releaseId: 'r' }, {});
    await invoke({ action: 'warm' });
    await aws.settleStack(DEV_STACK);
    expect((await invoke({ action: 'cool-if-idle' })).reason).toBe(`a rollback window is open until ${closesAt}; its own schedule cools the standby`);
  });

  // Failed on the old code: it sized the standby from the running count, which a deployment of
  // the live service inflates (old and new tasks side by side), and capped it only at MAX_TASKS.
  test('warm while the live service deploys: sized from the desired count, not the running one', async () => {
    const world = new AwsModel().install();
    world.addServiceStack(DEV_STACK, { live: 'blue', minTasks: 6, maxTasks: 12, liveTasks: 8 });
    world.timings.callMs = 5_000;
    observe(world);
    // A deployment of the live service: new tasks beside the old ones, slow to pass health checks.
    const svc = aws.service(DEV_STACK, 'blue').model;
    aws.elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, 'blue'))!.healthyAfterMs = 3_600_000;
    aws.ecs.updateService(svc, { taskDefinition: `${svc.deployments[0].taskDefinition.replace(/:\d+$/, '')}:99` });
    await aws.runFor(60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBeGreaterThan(8);
    const result = await invoke({ action: 'warm' });
    expect(result).toEqual({ action: 'warm', outcome: 'updated', reason: 'StandbyMinTasks 0 -> 8', standbyMinTasks: 8 });
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('8');
  });

  // Failed on the old code: 6 (the running count, beyond what the live fleet may run now).
  test('inside a scheduled period: at least the live fleet\'s scheduled minimum, at most its maximum now', async () => {
    const world = new AwsModel().install();
    world.addServiceStack(DEV_STACK, { live: 'blue', minTasks: 1, maxTasks: 12, liveTasks: 2 });
    world.timings.callMs = 5_000;
    observe(world);
    // An evening schedule holds the live fleet at 3..3 while a deployment runs extra tasks.
    aws.runScheduledAction(DEV_STACK, { min: 3, max: 3 });
    await aws.runFor(5 * 60_000);
    const svc = aws.service(DEV_STACK, 'blue').model;
    aws.elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, 'blue'))!.healthyAfterMs = 3_600_000;
    aws.ecs.updateService(svc, { taskDefinition: `${svc.deployments[0].taskDefinition.replace(/:\d+$/, '')}:99` });
    await aws.runFor(60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBeGreaterThan(3);
    expect((await invoke({ action: 'warm' })).standbyMinTasks).toBe(3);
    // The live target is read (its bounds); the cold standby's 0..0 one is not.
    expect(aws.calls.filter((c) => c.origin === fn && c.operation === 'DescribeScalableTargets').map((c) => c.input.ResourceIds[0])).toEqual([expect.stringContaining(aws.outputs(DEV_STACK).BlueServiceName)]);
  });

  test('a live fleet that wants more than maxTasks: clamped to MAX_TASKS, and says so', async () => {
    const world = new AwsModel().install();
    world.addServiceStack(DEV_STACK, { live: 'blue', minTasks: 2, maxTasks: 4, liveTasks: 2 });
    world.timings.callMs = 5_000;
    observe(world);
    // Someone raised the live target by hand beyond the template's range (assumed possible: the API takes any bounds).
    aws.runScheduledAction(DEV_STACK, { min: 6, max: 8 });
    await aws.runFor(5 * 60_000);
    const result = await invoke({ action: 'warm' });
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: 4, reason: "StandbyMinTasks 0 -> 4 (clamped to 4, the service's maxTasks 4, the most a standby holds; the live fleet wants 6)" });
    expect(aws.lambda.get(fn).environment.MAX_TASKS).toBe('4');
  });

  test('an unknown action or a missing color is refused without touching the stack', async () => {
    observe(devWorld());
    expect((await invoke({ action: 'explode' } as never)).reason).toMatch(/unknown action "explode"/);
    expect((await invoke({ action: 'cool' } as never)).reason).toMatch(/cool needs expectLiveColor blue or green/);
    expect(aws.count('UpdateStack', null)).toBe(0);
  });
});
