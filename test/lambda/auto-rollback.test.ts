import { AlarmEvent, clock, decide, handler } from '../../lambda/auto-rollback';
import { runRollback } from '../../src/commands/rollback';
import { ExitCode } from '../../src/release/core/outcome';
import { parseStack } from '../../src/release/core/stack-state';
import { runDeploy } from '../../src/commands/deploy';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK, run, V1, V2, windowItem } from '../release/support/model-harness';
import { alarmEvent, asFunction, releasedModel } from './model-support';

const event = (alarmName: string, value = 'ALARM'): AlarmEvent => alarmEvent(alarmName, { value });

// The handlers log one JSON line per decision; keep the test output readable.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

describe('decide (the auto-rollback decision)', () => {
  const state = parseStack({
    StackName: DEV_STACK,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date(),
    Parameters: [
      { ParameterKey: 'LiveColor', ParameterValue: 'green' },
      { ParameterKey: 'BlueImage', ParameterValue: 'img-v3' },
      { ParameterKey: 'BlueAmi', ParameterValue: 'ami-1' },
    ],
    Outputs: ['Blue', 'Green'].flatMap((C) => [
      { OutputKey: `${C}AlarmNames`, OutputValue: `${C.toLowerCase()}-errors` },
      { OutputKey: `${C}TargetGroupArn`, OutputValue: `tg-${C}` },
      { OutputKey: `${C}ClusterName`, OutputValue: 'c' },
      { OutputKey: `${C}ServiceName`, OutputValue: 's' },
    ]),
  });
  const window = { previousColor: 'blue' as const, liveColor: 'green' as const, swappedAt: '2026-03-02T01:00:00Z', closesAt: '2026-03-02T01:15:00Z', releaseId: 'r1' };
  const at = (iso: string) => new Date(iso);
  const base = { alarmName: 'green-errors', newState: 'ALARM', now: at('2026-03-02T01:05:00Z'), state, window, traffic: 'green' as const };

  test('inside the window, an alarm of the new live fleet rolls back to the previous fleet', () => {
    expect(decide(base)).toEqual({ act: true, from: 'green', to: 'blue', window, resume: false });
    expect(decide({ ...base, window: { ...window, previousImage: 'img-v3', previousAmi: 'ami-1' } }).act).toBe(true);
  });

  test.each([
    ['outside the window', { now: at('2026-03-02T01:15:00Z') }, /outside the rollback window of release r1 \(closed 2026-03-02T01:15:00Z\)/],
    ['an alarm of the previous fleet', { alarmName: 'blue-errors' }, /alarm is on the blue fleet; the fleet on probation is green/],
    ['an alarm of no fleet', { alarmName: 'someone-else' }, /belongs to neither fleet/],
    ['back to OK', { newState: 'OK' }, /went to OK, not ALARM/],
    ['no window ever', { window: undefined }, /no rollback window was ever opened/],
    ['already rolled back and finished', { window: { ...window, liveColor: 'blue' as const, previousColor: 'green' as const, rolledBack: true, rolledBackAt: 't', rollbackDoneAt: 't2' }, alarmName: 'blue-errors' }, /already rolled back at t/],
    ['a newer release prepared on the previous fleet', { window: { ...window, previousImage: 'img-v1' } }, /the blue fleet no longer runs what was live before release r1 \(img-v1\); it now runs img-v3 .*moving traffic there would release it/],
  ])('%s: does nothing and says why', (_name, change, reason) => {
    const d = decide({ ...base, ...change });
    expect(d.act).toBe(false);
    expect(!d.act && d.reason).toMatch(reason);
  });

  // Failed on the old code: an invocation that moved traffic and then failed left a retry that said
  // "traffic already goes to blue" and stopped, with nothing marked, recorded or reconciled.
  test('traffic already on the previous fleet (an earlier invocation moved it, then failed): acts, the core skips the move', () => {
    expect(decide({ ...base, traffic: 'blue' })).toMatchObject({ act: true, to: 'blue', resume: false });
  });

  test('a window marked rolled back but not finished: resumed, whatever the alarm now says', () => {
    const marked = { ...window, liveColor: 'blue' as const, previousColor: 'green' as const, rolledBack: true, rolledBackAt: 't' };
    expect(decide({ ...base, window: marked, newState: 'OK' })).toEqual({ act: true, from: 'green', to: 'blue', window: marked, resume: true });
  });
});

describe('the auto-rollback handler on the AWS model', () => {
  let aws: AwsModel;
  let first: string;
  let second: string;
  let fn: string;
  beforeEach(async () => {
    aws = await releasedModel();
    clock.now = () => aws.clock.now();
    [first, second] = aws.alarmNames(DEV_STACK, 'green');
    fn = aws.outputs(DEV_STACK).AutoRollbackFunctionName;
  });
  afterEach(() => aws.restore());

  /** The handler runs as the function does (its environment, its calls attributed to it). */
  const invoke = (alarm: string, remainingMs = 23_000) => asFunction(aws, 'AutoRollback', () => handler(event(alarm), { getRemainingTimeInMillis: () => remainingMs }));
  const lambdaCount = (operation: string) => aws.count(operation, fn);
  const bounds = (color: 'blue' | 'green') => {
    const t = aws.scalableTarget(DEV_STACK, color);
    return { min: t.min, max: t.max };
  };

  test('inside the window: one ELB call moves traffic, the window and history record it, the stack is reconciled', async () => {
    await aws.runFor(60_000);
    const result = await invoke(first);
    expect(result).toEqual({ outcome: 'rolled-back', reason: expect.stringMatching(/^traffic on the blue fleet \(from green\); check-destination: 2\/2 targets healthy; move-traffic: .*reconcile-live-color: done: LiveColor=blue; scheduled capacity: /) });
    expect(lambdaCount('ModifyListener')).toBe(1);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    const table = aws.table(DEV_STACK);
    expect(table.get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, liveColor: 'blue', rolledBackBy: `auto-rollback (alarm ${first})` });
    expect(table.query('history', false)[0]).toMatchObject({ outcome: 'auto-rolled-back', fromColor: 'green', toColor: 'blue', oldImage: V2, newImage: V1, service: 'api', environment: 'dev' });
  });

  test('a second alarm of the same incident does nothing', async () => {
    await aws.runFor(60_000);
    await invoke(first);
    const result = await invoke(second);
    expect(result.outcome).toBe('ignored');
    expect(lambdaCount('ModifyListener')).toBe(1);
    expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'auto-rolled-back')).toHaveLength(1);
  });

  test('outside the window: nothing moves', async () => {
    await aws.runFor(Date.parse(windowItem(aws).closesAt) - aws.clock.t + 60_000);
    const result = await invoke(first);
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/outside the rollback window/) });
    expect(lambdaCount('ModifyListener')).toBe(0);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
  });

  test('a cold previous fleet is not given the traffic', async () => {
    // Someone cooled blue early (StandbyMinTasks 0: its range is 0..0 and its tasks stop).
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '0' });
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBe(0);
    const result = await invoke(first);
    expect(result.reason).toMatch(/the blue fleet is cold \(0\/0 tasks\); traffic stays/);
    expect(lambdaCount('ModifyListener')).toBe(0);
  });

  test('inside a scheduled period the fleet that goes live again keeps the scheduled bounds', async () => {
    // A scheduled scale-out fired on green (live) after the release: 10..12; the template's live range is green's before it.
    const template = bounds('green');
    aws.runScheduledAction(DEV_STACK, { min: 10, max: 12 });
    await aws.runFor(60_000);
    const result = await invoke(first);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(bounds('blue')).toEqual({ min: 10, max: 12 });
    expect(result.reason).toMatch(
      new RegExp(`scheduled capacity: the green fleet's bounds before the move: min 10, max 12; .*carry-capacity: the blue fleet keeps the green fleet's scheduled bounds: min ${template.min}, max ${template.max} -> min 10, max 12`),
    );
    // Read before the LiveColor update, applied after it finished.
    const ops = aws.calls.filter((c) => c.origin === fn).map((c) => c.operation);
    const update = ops.lastIndexOf('UpdateStack');
    expect(ops.lastIndexOf('DescribeScalableTargets', update)).toBeGreaterThan(-1);
    expect(ops.indexOf('RegisterScalableTarget')).toBeGreaterThan(update);
  });

  test('no time left to wait for the stack update: the invocation fails (so Lambda retries it), the bounds stay recorded, `rollback` carries them', async () => {
    const template = bounds('green');
    aws.runScheduledAction(DEV_STACK, { min: 10, max: 12 });
    await aws.runFor(60_000);
    await expect(invoke(first, 15_000)).rejects.toThrow(/not finished: LiveColor not reconciled \(deferred: update started; .*no time left to wait for it\)/);
    // The update it started finishes without it: blue is live with the template's range.
    await aws.settleStack(DEV_STACK);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.scalableTarget(DEV_STACK, 'blue').min).toBe(template.min);
    expect(await runRollback({ env: 'dev', service: 'api' }, run(aws).deps)).toBe(ExitCode.Ok);
    expect(aws.scalableTarget(DEV_STACK, 'blue').min).toBe(10);
  });

  // Failed on the old code: the first invocation returned success with the reconcile skipped and
  // the window marked done; nothing ever reconciled LiveColor unless a human ran `rollback`.
  test('a stack busy with another update: traffic still moves; the invocation fails, and Lambda\'s retry finishes the job', async () => {
    // A cdk deploy of a smaller standby, taking minutes (assumed: a minute between resources).
    aws.engine.timings.stepMs = 60_000;
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    await expect(invoke(first)).rejects.toThrow(/not finished: LiveColor not reconciled \(deferred: stack is UPDATE_IN_PROGRESS\)/);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, liveColor: 'blue' });
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })!.rollbackDoneAt).toBeUndefined();
    // The other update finishes; Lambda retries the same event a minute later.
    aws.engine.timings.stepMs = 1_000;
    await aws.settleStack(DEV_STACK);
    await aws.runFor(60_000);
    const retry = await invoke(first);
    expect(retry.outcome).toBe('resumed');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(lambdaCount('ModifyListener')).toBe(1);
    expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'auto-rolled-back')).toHaveLength(1);
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })!.rollbackDoneAt).toEqual(expect.any(String));
  });

  // Failed on the old code: the Lambda's own waitUntilStackUpdateComplete took the AccessDenied of
  // its DescribeStacks poll for "retry" and polled until its time budget was spent.
  test('AccessDenied at a poll of its LiveColor wait stops the wait at once: the invocation fails naming the action, traffic stays moved', async () => {
    await aws.runFor(60_000);
    let pollsBefore = 0;
    aws.before('UpdateStack', 1, () => {
      pollsBefore = lambdaCount('DescribeStacks');
      aws.inject({ operation: 'DescribeStacks', kind: 'access-denied', times: 1_000, when: (_input, origin) => origin === fn });
    }, { origin: fn });
    const started = Date.now();
    await expect(invoke(first, 60_000)).rejects.toThrow(/not finished: .*DescribeStacks was denied while waiting for stack bgf-dev-api to finish the LiveColor update: .*cloudformation:DescribeStacks/);
    expect(lambdaCount('DescribeStacks') - pollsBefore).toBe(1);
    // 40 s of budget were left for the wait; it ended without using it.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, liveColor: 'blue' });
  });

  test.each(['PutItem (history)', 'UpdateStack'])('an invocation that fails after moving traffic (at %s) is finished by its retry', async (failing) => {
    await aws.runFor(60_000);
    const operation = failing === 'UpdateStack' ? 'UpdateStack' : 'Put';
    aws.inject({ operation, kind: 'error', times: 1, error: Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }), when: (_input, origin) => origin === fn });
    await expect(invoke(first)).rejects.toThrow();
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    await aws.runFor(60_000);
    const retry = await invoke(first);
    expect(retry.outcome).toMatch(/rolled-back|resumed/);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'auto-rolled-back')).toHaveLength(1);
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, liveColor: 'blue', rollbackDoneAt: expect.any(String) });
  });

  test('the Lambda updates as the parameter-update role; a later image release by the CLI still runs as the execution role', async () => {
    const o = aws.outputs(DEV_STACK);
    await aws.runFor(60_000);
    expect((await invoke(first)).outcome).toBe('rolled-back');
    expect(aws.calls.filter((c) => c.origin === fn && c.operation === 'UpdateStack').map((c) => c.input.RoleARN)).toEqual([o.ParameterUpdateRoleArn]);
    // CloudFormation now keeps the narrow role for updates that name none.
    expect(aws.stack(DEV_STACK).roleArn).toBe(o.ParameterUpdateRoleArn);

    await aws.runFor(60 * 60_000);
    const v3 = aws.addImage('v3').digest;
    const cli = aws.calls.length;
    const r = run(aws);
    expect({ exit: await runDeploy({ env: 'dev', service: 'api', image: 'v3' }, r.deps), err: r.stderr.text }).toMatchObject({ exit: ExitCode.Ok });
    const cliUpdates = aws.calls.slice(cli).filter((c) => c.origin === 'client' && c.operation === 'UpdateStack');
    expect(cliUpdates.length).toBeGreaterThan(0);
    // The CLI names its release role on every update, so the narrow role never runs an image change.
    expect(cliUpdates.map((c) => c.input.RoleARN)).toEqual(cliUpdates.map(() => o.ReleaseRoleArn));
    expect(aws.param(DEV_STACK, 'GreenImage')).toMatch(new RegExp(`@${v3}$`));
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.stack(DEV_STACK).roleArn).toBe(o.ReleaseRoleArn);
  });
});
