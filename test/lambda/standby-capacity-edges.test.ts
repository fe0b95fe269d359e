import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { StandbyCapacityRequest } from '../../constructs/contract/payloads';
import { clock, handler } from '../../lambda/standby-capacity';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK, devWorld, V1 } from '../release/support/model-harness';
import { asFunction } from './model-support';

/**
 * The standby-capacity handler at its edges: requests it cannot read, production traffic that
 * disagrees with LiveColor, a release in flight on either fleet, the window's last minute, a
 * MAX_TASKS of 0, a retry scheduled twice, and the one JSON line it logs per decision.
 */
const MINUTE = 60_000;
let logged: Array<Record<string, unknown>>;
let aws: AwsModel;
beforeEach(() => {
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(JSON.parse(line)));
  // dev api live on blue (v1), the green standby cold.
  aws = devWorld();
  clock.now = () => aws.clock.now();
});
afterEach(() => {
  aws.restore();
  jest.restoreAllMocks();
});

const invoke = (request: unknown) => asFunction(aws, 'StandbyCapacity', () => handler(request as StandbyCapacityRequest));
const iso = (offsetMs: number) => new Date(aws.clock.t + offsetMs).toISOString();
const pending = (toColor: 'blue' | 'green', startedAt: string, extra: Record<string, unknown> = {}) =>
  aws.table(DEV_STACK).put({ pk: 'release', sk: 'pending', releaseId: 'r-1', kind: 'deploy', fromColor: toColor === 'green' ? 'blue' : 'green', toColor, oldImage: V1, newImage: V1, oldAmi: 'a', newAmi: 'a', actor: 'x', startedAt, staleAt: iso(60 * MINUTE), ...extra }, {});
const pointProductionAt = (where: 'green' | 'neither') =>
  new ElasticLoadBalancingV2Client({}).send(
    new ModifyListenerCommand({
      ListenerArn: aws.outputs(DEV_STACK).ProductionListenerArn,
      DefaultActions: where === 'green' ? [{ Type: 'forward', TargetGroupArn: aws.targetGroupArn(DEV_STACK, 'green') }] : [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
    }),
  );

describe('requests it cannot read: skipped, said why, logged, nothing called', () => {
  test.each([
    ['no request at all', undefined, /^unknown action undefined; use warm, cool or cool-if-idle$/],
    ['an unknown action', { action: 'heat' }, /^unknown action "heat"; use warm, cool or cool-if-idle$/],
    ['cool without a color', { action: 'cool', expectLiveColor: 'red' }, /^cool needs expectLiveColor blue or green, got "red"$/],
    ['cool-if-idle with a window that is not a number', { action: 'cool-if-idle', windowMinutes: 'soon' }, /^malformed cool-if-idle request: \S/],
  ])('%s', async (_name, request, reason) => {
    const before = aws.calls.length;
    const result = await invoke(request);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toMatch(reason);
    expect(logged).toEqual([JSON.parse(JSON.stringify(result))]);
    expect(aws.calls.length).toBe(before);
  });
});

describe('production traffic that disagrees with LiveColor', () => {
  test.each([
    ['the other fleet', 'green', /^production traffic goes to the green fleet but LiveColor says blue: /],
    ['neither fleet', 'neither', /^production traffic goes to the neither fleet but LiveColor says blue: /],
  ])('on %s: refused, as a function error, logged as an ERROR; nothing changed', async (_name, where, reason) => {
    await pointProductionAt(where as 'green' | 'neither');
    await expect(invoke({ action: 'cool', expectLiveColor: 'blue' })).rejects.toThrow(/^standby-capacity cool refused: production traffic goes to/);
    expect(logged).toEqual([expect.objectContaining({ level: 'ERROR', action: 'cool', outcome: 'refused', reason: expect.stringMatching(reason) })]);
    expect(aws.calls.filter((c) => c.operation === 'UpdateStack')).toHaveLength(0);
  });
});

describe('cool-if-idle and the release in flight', () => {
  test('a release prepared on the live fleet (not the standby) does not keep the standby warm', async () => {
    pending('blue', iso(-10 * MINUTE));
    expect(await invoke({ action: 'cool-if-idle', windowMinutes: 60 })).toMatchObject({ outcome: 'unchanged', reason: 'StandbyMinTasks already 0' });
  });

  test('a release that was rolled back does not keep the standby warm', async () => {
    pending('green', iso(-10 * MINUTE));
    aws.table(DEV_STACK).put({ pk: 'window', sk: 'current', releaseId: 'r-1', liveColor: 'blue', previousColor: 'green', swappedAt: iso(-9 * MINUTE), closesAt: iso(-2 * MINUTE), rolledBack: true, rolledBackAt: iso(-8 * MINUTE) }, {});
    expect((await invoke({ action: 'cool-if-idle', windowMinutes: 60 })).outcome).toBe('unchanged');
  });

  test('prepared exactly as the window opened: still in the window, kept warm', async () => {
    pending('green', iso(-60 * MINUTE));
    expect(await invoke({ action: 'cool-if-idle', windowMinutes: 60 })).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^release r-1 prepared the green fleet at .*, in this release window, and has not swapped yet \(kept warm until /) });
  });

  test('prepared before the window opened: cooled', async () => {
    pending('green', iso(-61 * MINUTE));
    expect((await invoke({ action: 'cool-if-idle', windowMinutes: 60 })).outcome).toBe('unchanged');
  });

  test('a pending release without staleAt says nothing of a time it is kept until', async () => {
    pending('green', iso(-10 * MINUTE), { staleAt: undefined });
    const result = await invoke({ action: 'cool-if-idle', windowMinutes: 60 });
    expect(result.reason).toMatch(/has not swapped yet$/);
  });
});

describe('the rollback window and cool', () => {
  const window = (closesAt: string) =>
    aws.table(DEV_STACK).put({ pk: 'window', sk: 'current', releaseId: 'r-1', liveColor: 'blue', previousColor: 'green', swappedAt: iso(-30 * MINUTE), closesAt }, {});

  test('one minute before the window closes it counts as closed (the schedule fires at the minute)', async () => {
    window(iso(MINUTE));
    expect((await invoke({ action: 'cool', expectLiveColor: 'blue' })).outcome).toBe('unchanged');
  });

  test('a minute and a second before, it is open', async () => {
    window(iso(MINUTE + 1_000));
    expect((await invoke({ action: 'cool', expectLiveColor: 'blue' })).reason).toMatch(/^a rollback window is open until /);
  });

  test('cool for a live color that changed, with no rollback behind it: skipped, a later swap owns the standby', async () => {
    expect((await invoke({ action: 'cool', expectLiveColor: 'green' })).reason).toBe('the live color is blue, not green: a later swap owns the standby');
  });
});

describe('warm and MAX_TASKS', () => {
  test('MAX_TASKS of 0 is no ceiling: the standby warms to the live desired count', async () => {
    const result = await asFunction(aws, 'StandbyCapacity', async () => {
      process.env.MAX_TASKS = '0';
      return handler({ action: 'warm' });
    });
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: aws.service(DEV_STACK, 'blue').desired });
    expect(result.standbyMinTasks).toBeGreaterThan(0);
  });
});

describe('a cool that meets a busy stack', () => {
  test('schedules its retry once, even when the same run is invoked twice in the minute (ConflictException is the retry\'s own schedule)', async () => {
    aws.engine.timings.stepMs = 10 * MINUTE;
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    const first = await invoke({ action: 'cool', expectLiveColor: 'blue' });
    const again = await invoke({ action: 'cool', expectLiveColor: 'blue' });
    expect(first.outcome).toBe('skipped');
    const name = /\(schedule (\S+), 35 retries left\)$/.exec(first.reason)?.[1];
    expect(name).toMatch(/-retry-/);
    expect(again.reason).toContain(`(schedule ${name}, 35 retries left)`);
    const retries = [...aws.schedules.values()].filter((s) => /-retry-/.test(s.Name));
    expect(retries).toHaveLength(1);
    expect(retries[0].Description).toBe(`Retry cool of ${DEV_STACK}`);
  });

  test('a retry it cannot schedule (CreateSchedule denied) fails the invocation, so the error shows in its metrics and Lambda retries it', async () => {
    aws.engine.timings.stepMs = 10 * MINUTE;
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    aws.inject({ operation: 'CreateSchedule', kind: 'access-denied', times: 1 });
    await expect(invoke({ action: 'cool', expectLiveColor: 'blue' })).rejects.toThrow(/not authorized|AccessDenied/);
    expect([...aws.schedules.values()].filter((s) => /-retry-/.test(s.Name))).toHaveLength(0);
  });
});
