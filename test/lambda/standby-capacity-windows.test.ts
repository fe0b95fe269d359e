import { clock, handler } from '../../lambda/standby-capacity';
import { runDeploy } from '../../src/commands/deploy';
import { runStatus } from '../../src/commands/status';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { FakeAws } from '../release/support/fake-aws';
import { json, run, V1 } from '../release/support/harness';
import { lambdaEnv } from './support';

/**
 * The standby-capacity Lambda as the release-window schedules drive it (ReleaseWindowPrewarm):
 * `warm` before the window, `cool-if-idle` with the window's length when it closes. Staging's api
 * has the `weekday-morning` window (pre-warm 30 + 120 minutes) and a 30-minute rollback window.
 */

beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

const MINUTE = 60_000;
const STACK = 'bgf-staging-api';
/** weekday-morning: pre-warm 30 min + window 120 min. */
const COOL_IF_IDLE = { action: 'cool-if-idle', windowMinutes: 150 } as const;
const stagingApi = { env: 'staging', service: 'api' };

describe('standby-capacity around a release window', () => {
  let aws: FakeAws;
  afterEach(() => aws.restore());

  function world(): FakeAws {
    aws = new FakeAws().install();
    aws.addServiceStack(STACK, { live: 'blue', liveImage: V1 });
    aws.addImage('v1');
    aws.addImage('v2');
    lambdaEnv(aws, STACK, 'staging');
    clock.now = () => aws.clock.now();
    // The live fleet scaled out to 10 (a schedule's minimum); the fake keeps it there.
    aws.liveDesired = 10;
    Object.assign(aws.service(STACK, 'blue'), { desired: 10, running: 10 });
    return aws;
  }

  const prepare = async () => expect(await runDeploy({ ...stagingApi, image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);

  test('GIVEN a window with no release WHEN it closes THEN the standby goes back to 0', async () => {
    world();
    expect(await handler({ action: 'warm' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 10 });
    expect(aws.service(STACK, 'green').running).toBe(10);
    aws.clock.advance(150 * MINUTE);
    expect(await handler(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('0');
  });

  test('GIVEN a release prepared in the window and not swapped WHEN it closes THEN the standby stays warm, until the release is stale', async () => {
    world();
    await handler({ action: 'warm' });
    aws.clock.advance(40 * MINUTE);
    await prepare();
    aws.clock.advance(110 * MINUTE);
    const result = await handler(COOL_IF_IDLE);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toMatch(/release .* prepared the green fleet at 2026-03-02T01:40:00.000Z, in this release window, and has not swapped yet \(kept warm until 2026-03-02T04:40:00.000Z\)/);
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('10');
  });

  test('GIVEN a release prepared before the window WHEN it closes THEN the standby is cooled', async () => {
    world();
    await prepare();
    aws.clock.advance(24 * 60 * MINUTE);
    expect(await handler(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });

  test('GIVEN a release swapped in the window WHEN it closes inside the rollback window THEN the rollback schedule owns the cool-down', async () => {
    world();
    await prepare();
    expect(await runSwap(stagingApi, run(aws).deps)).toBe(ExitCode.Ok);
    // staging's rollback window is 30 minutes.
    aws.clock.advance(5 * MINUTE);
    expect((await handler(COOL_IF_IDLE)).reason).toMatch(/a rollback window is open until .*; its own schedule cools the standby/);
    aws.clock.advance(30 * MINUTE);
    // The swapped release no longer waits on the standby: the previous live fleet may be cooled.
    expect(await handler(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });

  test('GIVEN a release holds the lock WHEN the window closes THEN nothing changes', async () => {
    world();
    await handler({ action: 'warm' });
    aws.table(STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@x', acquiredAt: 'then', expiresAt: Math.floor(aws.clock.t / 1000) + 600, command: 'deploy', token: 't' }, {});
    expect((await handler(COOL_IF_IDLE)).reason).toMatch(/a release by ci@x holds the lock/);
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('10');
  });

  test('GIVEN no windowMinutes (a manual call) WHEN a release was prepared THEN it cools anyway', async () => {
    world();
    await prepare();
    expect(await handler({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });
});

describe('a release that never swaps does not keep the standby warm across a weekend', () => {
  let aws: FakeAws;
  afterEach(() => aws.restore());

  function world(): FakeAws {
    aws = new FakeAws().install();
    aws.addServiceStack(STACK, { live: 'blue', liveImage: V1 });
    aws.addImage('v1');
    aws.addImage('v2');
    lambdaEnv(aws, STACK, 'staging');
    clock.now = () => aws.clock.now();
    return aws;
  }

  test('GIVEN a deploy aborted in Thursday\'s window WHEN the window closes THEN it is kept warm; WHEN the release goes stale THEN the scheduled cool-if-idle ignores it and cools, saying so', async () => {
    world();
    await handler({ action: 'warm' });
    aws.clock.advance(120 * MINUTE);
    // 12:30: the smoke check fails; the release stays in flight for a re-run.
    aws.smokeResult = { pass: false, status: 500, latencyMs: 9 };
    expect(await runDeploy({ ...stagingApi, image: 'v2' }, run(aws).deps)).toBe(ExitCode.Refused);
    const pending = aws.table(STACK).get({ pk: 'release', sk: 'pending' })!;
    expect(pending).toMatchObject({ startedAt: '2026-03-02T03:00:00.000Z', staleAt: '2026-03-02T06:00:00.000Z' });
    // The deploy scheduled the check for when the release goes stale (window 150 + rollback window 30 minutes).
    const expiry = aws.schedules.get(`${STACK}-pending-expiry`);
    expect(expiry).toMatchObject({ ScheduleExpression: 'at(2026-03-02T06:00:00)', ActionAfterCompletion: 'DELETE', Target: expect.objectContaining({ Input: JSON.stringify(COOL_IF_IDLE) }) });
    // 13:00, the window's end: a re-run may still come; kept warm.
    aws.clock.advance(30 * MINUTE);
    expect((await handler(COOL_IF_IDLE)).outcome).toBe('skipped');
    // 15:30: the scheduled check.
    aws.clock.advance(150 * MINUTE);
    const result = await handler(JSON.parse(expiry.Target.Input));
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(result.reason).toMatch(new RegExp(`StandbyMinTasks 2 -> 0 \\(ignored release ${pending.releaseId}, which prepared the green fleet at 2026-03-02T03:00:00.000Z and did not swap: stale since 2026-03-02T06:00:00.000Z\\)`));
  });

  test('a stale release is ignored even when it started inside the window cool-if-idle looks back on', async () => {
    world();
    await handler({ action: 'warm' });
    const now = aws.clock.now().getTime();
    aws.table(STACK).put(
      { pk: 'release', sk: 'pending', releaseId: 'r-old', kind: 'deploy', fromColor: 'blue', toColor: 'green', oldImage: V1, newImage: V1, oldAmi: 'a', newAmi: 'a', actor: 'x', startedAt: new Date(now - 20 * MINUTE).toISOString(), staleAt: new Date(now - MINUTE).toISOString() },
      {},
    );
    const result = await handler(COOL_IF_IDLE);
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(result.reason).toMatch(/ignored release r-old, .* stale since/);
  });

  test('status shows when the release in flight goes stale', async () => {
    world();
    expect(await runDeploy({ ...stagingApi, image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
    const r = run(aws);
    expect(await runStatus(stagingApi, r.deps)).toBe(ExitCode.Ok);
    expect(r.stdout.text).toMatch(/release in flight: \S+ blue -> green .*; stale \(no longer keeps the standby warm\) from 2026-03-02T04:00:00.000Z/);
    const j = run(aws);
    await runStatus({ ...stagingApi, json: true }, j.deps);
    expect(json(j).result.releaseInFlight.staleAt).toBe('2026-03-02T04:00:00.000Z');
  });
});
