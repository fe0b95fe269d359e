import { clock, handler } from '../../lambda/standby-capacity';
import { FakeAws } from '../release/support/fake-aws';
import { DEV_STACK, devWorld } from '../release/support/harness';
import { lambdaEnv, releasedWorld } from './support';

// The handlers log one JSON line per decision; keep the test output readable.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

describe('standby-capacity', () => {
  let aws: FakeAws;
  afterEach(() => aws.restore());

  const useClock = () => (clock.now = () => aws.clock.now());

  test('cool at the end of the window: StandbyMinTasks 0 with the previous template', async () => {
    aws = await releasedWorld();
    useClock();
    aws.clock.advance(13 * 60_000);
    expect(await handler({ action: 'cool', expectLiveColor: 'green' })).toEqual({ action: 'cool', outcome: 'updated', reason: 'StandbyMinTasks 2 -> 0', standbyMinTasks: 0 });
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('0');
    const update = aws.calls.find((c) => c.operation === 'UpdateStack' && c.input.Parameters.some((p: any) => p.ParameterValue === '0'))!;
    expect(update.input).toMatchObject({ UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] });
    expect(update.input.Parameters).toContainEqual({ ParameterKey: 'LiveColor', UsePreviousValue: true });
  });

  test('cool does nothing when the live color changed, a release holds the lock, or a later window is open', async () => {
    aws = await releasedWorld();
    useClock();
    aws.clock.advance(13 * 60_000);
    expect((await handler({ action: 'cool', expectLiveColor: 'blue' })).reason).toMatch(/the live color is green, not blue: a later swap owns the standby/);
    aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@x', acquiredAt: 'then', expiresAt: Math.floor(aws.clock.t / 1000) + 600, command: 'deploy', token: 't' }, {});
    expect((await handler({ action: 'cool', expectLiveColor: 'green' })).reason).toMatch(/a release by ci@x holds the lock/);
    aws.table(DEV_STACK).delete({ pk: 'lock', sk: 'lock' }, {});
    aws.clock.advance(-10 * 60_000);
    expect((await handler({ action: 'cool', expectLiveColor: 'green' })).reason).toMatch(/a rollback window is open until 2026-03-02T01:15:00.000Z/);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
  });

  test('cool after a rollback cools the fleet traffic left, although the live color changed', async () => {
    aws = await releasedWorld();
    useClock();
    aws.table(DEV_STACK).update({ pk: 'window', sk: 'current' }, 'SET rolledBack = :t, liveColor = previousColor, previousColor = liveColor', { ExpressionAttributeValues: { ':t': true } });
    const s = aws.stacks.get(DEV_STACK)!;
    s.parameters.LiveColor = 'blue';
    aws.listeners.set(s.outputs.ProductionListenerArn, s.outputs.BlueTargetGroupArn);
    aws.clock.advance(13 * 60_000);
    expect((await handler({ action: 'cool', expectLiveColor: 'green' })).outcome).toBe('updated');
  });

  // Issue 11 defect 6, failed on the old code: after an auto-rollback whose LiveColor reconcile
  // failed, LiveColor still says green while blue serves production, and `cool` set the "standby"
  // (blue, by LiveColor) to zero: it lowered the fleet that serves production.
  test.each([
    ['cool', { action: 'cool' as const, expectLiveColor: 'green' as const }],
    ['warm', { action: 'warm' as const }],
    ['cool-if-idle', { action: 'cool-if-idle' as const }],
  ])('%s refuses loudly when the production listener and LiveColor disagree; nothing changes', async (_name, request) => {
    aws = await releasedWorld();
    useClock();
    const s = aws.stacks.get(DEV_STACK)!;
    aws.table(DEV_STACK).update({ pk: 'window', sk: 'current' }, 'SET rolledBack = :t, liveColor = previousColor, previousColor = liveColor', { ExpressionAttributeValues: { ':t': true } });
    aws.listeners.set(s.outputs.ProductionListenerArn, s.outputs.BlueTargetGroupArn);
    aws.clock.advance(16 * 60_000);
    const updates = aws.count('UpdateStack');
    await expect(handler(request)).rejects.toThrow(/refused: production traffic goes to the blue fleet but LiveColor says green: .*run `bluegreen-fleet rollback` to reconcile, nothing changed/);
    expect(aws.count('UpdateStack')).toBe(updates);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
  });

  test('warm sets the live fleet size; cool-if-idle waits for an open window; both idempotent', async () => {
    aws = devWorld();
    lambdaEnv(aws);
    useClock();
    expect(await handler({ action: 'warm' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 2 });
    expect(await handler({ action: 'warm' })).toMatchObject({ outcome: 'unchanged' });
    expect(await handler({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(await handler({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'unchanged' });
    aws.table(DEV_STACK).put({ pk: 'window', sk: 'current', closesAt: '2026-03-02T02:00:00.000Z', liveColor: 'blue', previousColor: 'green', swappedAt: '2026-03-02T01:00:00.000Z', releaseId: 'r' }, {});
    await handler({ action: 'warm' });
    expect((await handler({ action: 'cool-if-idle' })).reason).toMatch(/window is open until 2026-03-02T02:00:00.000Z; its own schedule cools/);
  });

  test('warm while the live fleet counts more than maxTasks (it is deploying): clamped to the parameter\'s MaxValue, and says so', async () => {
    aws = devWorld();
    lambdaEnv(aws);
    useClock();
    aws.stacks.get(DEV_STACK)!.maxTasks = 12;
    Object.assign(aws.service(DEV_STACK, 'blue'), { desired: 12, running: 14 });
    expect(await handler({ action: 'warm' })).toEqual({
      action: 'warm',
      outcome: 'updated',
      reason: 'StandbyMinTasks 0 -> 12 (clamped to 12, the StandbyMinTasks MaxValue (the live fleet counts 14 tasks while it deploys))',
      standbyMinTasks: 12,
    });
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('12');
    expect(aws.calls.filter((c) => c.operation === 'DescribeScalableTargets').map((c) => c.input.ResourceIds)).toEqual([[`service/${DEV_STACK}-green/${DEV_STACK}-green-service`]]);
  });

  test('an unknown action or a missing color is refused without touching the stack', async () => {
    aws = devWorld();
    lambdaEnv(aws);
    expect((await handler({ action: 'explode' } as never)).reason).toMatch(/unknown action "explode"/);
    expect((await handler({ action: 'cool' } as never)).reason).toMatch(/cool needs expectLiveColor blue or green/);
    expect(aws.count('UpdateStack')).toBe(0);
  });
});
