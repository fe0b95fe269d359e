import { clock, handler } from '../../lambda/standby-capacity';
import { runDeploy } from '../../src/commands/deploy';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/outcome';
import { FakeAws } from '../release/support/fake-aws';
import { DEV_STACK, devWorld, run } from '../release/support/harness';
import { lambdaEnv } from './support';

/**
 * The standby-capacity Lambda as the release-window schedules drive it (ReleaseWindowPrewarm):
 * `warm` before the window, `cool-if-idle` with the window's length when it closes.
 */

beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

const MINUTE = 60_000;
/** weekday-morning: pre-warm 30 min + window 120 min. */
const COOL_IF_IDLE = { action: 'cool-if-idle', windowMinutes: 150 } as const;

describe('standby-capacity around a release window', () => {
  let aws: FakeAws;
  afterEach(() => aws.restore());

  function world(): FakeAws {
    aws = devWorld();
    lambdaEnv(aws);
    clock.now = () => aws.clock.now();
    // The live fleet scaled out to 10 (a schedule's minimum); the fake keeps it there.
    aws.liveDesired = 10;
    Object.assign(aws.service(DEV_STACK, 'blue'), { desired: 10, running: 10 });
    return aws;
  }

  const prepare = async () => expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);

  test('GIVEN a window with no release WHEN it closes THEN the standby goes back to 0', async () => {
    world();
    expect(await handler({ action: 'warm' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 10 });
    expect(aws.service(DEV_STACK, 'green').running).toBe(10);
    aws.clock.advance(150 * MINUTE);
    expect(await handler(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('0');
  });

  test('GIVEN a release prepared in the window and not swapped WHEN it closes THEN the standby stays warm', async () => {
    world();
    await handler({ action: 'warm' });
    aws.clock.advance(40 * MINUTE);
    await prepare();
    aws.clock.advance(110 * MINUTE);
    const result = await handler(COOL_IF_IDLE);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toMatch(/release .* prepared the green fleet at 2026-03-02T01:40:00.000Z, in this release window, and has not swapped yet/);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('10');
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
    expect(await runSwap({ env: 'dev', service: 'api' }, run(aws).deps)).toBe(ExitCode.Ok);
    // dev's rollback window is 15 minutes.
    aws.clock.advance(5 * MINUTE);
    expect((await handler(COOL_IF_IDLE)).reason).toMatch(/a rollback window is open until .*; its own schedule cools the standby/);
    aws.clock.advance(15 * MINUTE);
    // The swapped release no longer waits on the standby: the previous live fleet may be cooled.
    expect(await handler(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });

  test('GIVEN a release holds the lock WHEN the window closes THEN nothing changes', async () => {
    world();
    await handler({ action: 'warm' });
    aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@x', acquiredAt: 'then', expiresAt: Math.floor(aws.clock.t / 1000) + 600, command: 'deploy', token: 't' }, {});
    expect((await handler(COOL_IF_IDLE)).reason).toMatch(/a release by ci@x holds the lock/);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('10');
  });

  test('GIVEN no windowMinutes (a manual call) WHEN a release was prepared THEN it cools anyway', async () => {
    world();
    await prepare();
    expect(await handler({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });
});
