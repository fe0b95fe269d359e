import { clock, handler } from '../../lambda/standby-capacity';
import { runDeploy } from '../../src/commands/deploy';
import { runStatus } from '../../src/commands/status';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from '../../constructs/contract/names';
import { AwsModel, REPOSITORY } from '../release/support/aws-model';
import { json, run, V1, withHandlers } from '../release/support/model-harness';
import { asFunction } from './model-support';

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

/** staging's api on the AWS model, live on blue with v1, its functions' real code on the model's clock. */
function stagingWorld(): AwsModel {
  const aws = new AwsModel().install();
  aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...DEFAULT_MUTABLE_TAG_PATTERNS] });
  aws.addServiceStack(STACK, { live: 'blue', liveImage: V1 });
  withHandlers(aws, STACK);
  results = [];
  // The function's real code, its results kept (those of its schedules' runs too).
  aws.handle(STACK, 'StandbyCapacity', async (event) => {
    const r = await handler(event);
    results.push(r);
    return r;
  });
  aws.addImage('v1');
  aws.addImage('v2');
  aws.timings.callMs = 5_000;
  clock.now = () => aws.clock.now();
  return aws;
}

let current: AwsModel;
let results: Awaited<ReturnType<typeof handler>>[] = [];
const pendingItem = () => current.table(STACK).get({ pk: 'release', sk: 'pending' }) as { releaseId: string; startedAt: string; staleAt: string };
/** The function run as the stack's StandbyCapacity function runs it; then the cloud finishes the update it started. */
async function invoke(request: Parameters<typeof handler>[0]) {
  const result = await asFunction(current, 'StandbyCapacity', () => handler(request), STACK);
  await current.settleStack(STACK);
  return result;
}

describe('standby-capacity around a release window', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  function world(): AwsModel {
    aws = current = stagingWorld();
    // The live fleet scaled out to its maximum, 4 (the old fake had no maxTasks and said 10).
    aws.scaleTo(STACK, 'blue', 4);
    return aws;
  }

  const prepare = async () => expect(await runDeploy({ ...stagingApi, image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);

  test('GIVEN a window with no release WHEN it closes THEN the standby goes back to 0', async () => {
    world();
    expect(await invoke({ action: 'warm' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 4 });
    await aws.runFor(5 * MINUTE);
    expect(aws.service(STACK, 'green').running).toBe(4);
    await aws.runFor(150 * MINUTE);
    expect(await invoke(COOL_IF_IDLE)).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('0');
  });

  test('GIVEN a release prepared in the window and not swapped WHEN it closes THEN the standby stays warm, until the release is stale', async () => {
    world();
    await invoke({ action: 'warm' });
    await aws.runFor(40 * MINUTE);
    await prepare();
    await aws.runFor(110 * MINUTE);
    const result = await invoke(COOL_IF_IDLE);
    expect(result.outcome).toBe('skipped');
    const pending = pendingItem();
    expect(Date.parse(pending.staleAt) - Date.parse(pending.startedAt)).toBe(180 * MINUTE);
    expect(result.reason).toBe(`release ${pending.releaseId} prepared the green fleet at ${pending.startedAt}, in this release window, and has not swapped yet (kept warm until ${pending.staleAt})`);
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('4');
  });

  test('GIVEN a release prepared before the window WHEN it closes THEN the standby is cooled', async () => {
    world();
    await prepare();
    await aws.runFor(24 * 60 * MINUTE);
    // The deploy's pending-expiry schedule ran cool-if-idle when the release went stale, and cooled it.
    expect(results).toContainEqual(expect.objectContaining({ action: 'cool-if-idle', outcome: 'updated', standbyMinTasks: 0 }));
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('0');
    expect(await invoke(COOL_IF_IDLE)).toMatchObject({ outcome: 'unchanged', standbyMinTasks: 0 });
  });

  test('GIVEN a release swapped in the window WHEN it closes inside the rollback window THEN the rollback schedule owns the cool-down', async () => {
    world();
    await prepare();
    expect(await runSwap(stagingApi, run(aws).deps)).toBe(ExitCode.Ok);
    // staging's rollback window is 30 minutes.
    await aws.runFor(5 * MINUTE);
    expect((await invoke(COOL_IF_IDLE)).reason).toMatch(/a rollback window is open until .*; its own schedule cools the standby/);
    await aws.runFor(30 * MINUTE);
    // The rollback window's own schedule cooled the previous live fleet; cool-if-idle, which the
    // swapped release no longer holds back, finds nothing to do.
    expect(results).toContainEqual(expect.objectContaining({ action: 'cool', outcome: 'updated', standbyMinTasks: 0 }));
    expect(await invoke(COOL_IF_IDLE)).toMatchObject({ outcome: 'unchanged', standbyMinTasks: 0 });
  });

  test('GIVEN a release holds the lock WHEN the window closes THEN nothing changes', async () => {
    world();
    await invoke({ action: 'warm' });
    aws.table(STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@x', acquiredAt: 'then', expiresAt: Math.floor(aws.clock.t / 1000) + 600, command: 'deploy', token: 't' }, {});
    expect((await invoke(COOL_IF_IDLE)).reason).toMatch(/a release by ci@x holds the lock/);
    expect(aws.param(STACK, 'StandbyMinTasks')).toBe('4');
  });

  test('GIVEN no windowMinutes (a manual call) WHEN a release was prepared THEN it cools anyway', async () => {
    world();
    await prepare();
    expect(await invoke({ action: 'cool-if-idle' })).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
  });
});

describe('a release that never swaps does not keep the standby warm across a weekend', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  function world(): AwsModel {
    return (aws = current = stagingWorld());
  }

  test('GIVEN a deploy aborted in Thursday\'s window WHEN the window closes THEN it is kept warm; WHEN the release goes stale THEN the scheduled cool-if-idle ignores it and cools, saying so', async () => {
    world();
    await invoke({ action: 'warm' });
    await aws.runFor(120 * MINUTE);
    // 12:30: the smoke check fails; the release stays in flight for a re-run.
    aws.smokeResult = { pass: false, status: 500, latencyMs: 9 };
    expect(await runDeploy({ ...stagingApi, image: 'v2' }, run(aws).deps)).toBe(ExitCode.Refused);
    const pending = pendingItem();
    expect(Date.parse(pending.staleAt) - Date.parse(pending.startedAt)).toBe(180 * MINUTE);
    // The deploy scheduled the check for when the release goes stale (window 150 + rollback window 30 minutes).
    const expiry = aws.schedules.get(`${STACK}-pending-expiry`);
    expect(expiry).toMatchObject({ ScheduleExpression: `at(${pending.staleAt.slice(0, 19)})`, ActionAfterCompletion: 'DELETE', Target: expect.objectContaining({ Input: JSON.stringify(COOL_IF_IDLE) }) });
    // 13:00, the window's end: a re-run may still come; kept warm.
    await aws.runFor(30 * MINUTE);
    expect((await invoke(COOL_IF_IDLE)).outcome).toBe('skipped');
    // 15:30: the scheduled check runs (the schedule fires and deletes itself).
    const before = results.length;
    await aws.runFor(150 * MINUTE);
    expect(aws.schedules.has(`${STACK}-pending-expiry`)).toBe(false);
    const result = results.slice(before).find((x) => x.action === 'cool-if-idle')!;
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(result.reason).toBe(`StandbyMinTasks 2 -> 0 (ignored release ${pending.releaseId}, which prepared the green fleet at ${pending.startedAt} and did not swap: stale since ${pending.staleAt})`);
  });

  test('a stale release is ignored even when it started inside the window cool-if-idle looks back on', async () => {
    world();
    await invoke({ action: 'warm' });
    const now = aws.clock.now().getTime();
    aws.table(STACK).put(
      { pk: 'release', sk: 'pending', releaseId: 'r-old', kind: 'deploy', fromColor: 'blue', toColor: 'green', oldImage: V1, newImage: V1, oldAmi: 'a', newAmi: 'a', actor: 'x', startedAt: new Date(now - 20 * MINUTE).toISOString(), staleAt: new Date(now - MINUTE).toISOString() },
      {},
    );
    const result = await invoke(COOL_IF_IDLE);
    expect(result).toMatchObject({ outcome: 'updated', standbyMinTasks: 0 });
    expect(result.reason).toMatch(/ignored release r-old, .* stale since/);
  });

  test('status shows when the release in flight goes stale', async () => {
    world();
    expect(await runDeploy({ ...stagingApi, image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
    const r = run(aws);
    expect(await runStatus(stagingApi, r.deps)).toBe(ExitCode.Ok);
    const { staleAt } = pendingItem();
    expect(r.stdout.text).toContain(`; stale (no longer keeps the standby warm) from ${staleAt}`);
    expect(r.stdout.text).toMatch(/release in flight: \S+ blue -> green /);
    const j = run(aws);
    await runStatus({ ...stagingApi, json: true }, j.deps);
    expect(json(j).result.releaseInFlight.staleAt).toBe(staleAt);
  });
});
