import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AlarmEvent, clock, handler, stackWait } from '../../lambda/auto-rollback';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK } from '../release/support/model-harness';
import { alarmEvent, asFunction, releasedModel } from './model-support';

/**
 * The auto-rollback handler at its edges: events that are not alarms, a fleet with one task, a
 * stack CloudFormation cannot update, a LiveColor update longer than the invocation, what it
 * records and the one JSON line it logs per decision (what on-call reads in CloudWatch Logs).
 */
const event = (alarmName: string, id = 'e1', reason?: string | null): AlarmEvent => alarmEvent(alarmName, { id, reason });

let logged: Array<Record<string, unknown>>;
beforeEach(() => {
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(JSON.parse(line)));
});
afterEach(() => jest.restoreAllMocks());

describe('an event that is not an alarm state change', () => {
  test.each([
    ['no event at all', undefined],
    ['no detail', { id: 'x' }],
    ['a detail without an alarm name', { id: 'x', detail: { state: { value: 'ALARM' } } }],
  ])('%s: ignored, said in the result and in one log line, no AWS call', async (_name, bad) => {
    const result = await handler(bad as unknown as AlarmEvent);
    expect(result.outcome).toBe('ignored');
    expect(result.reason).toMatch(/^not a CloudWatch alarm state change: \S/);
    expect(logged).toEqual([{ outcome: 'ignored', reason: result.reason }]);
  });
});

describe('the auto-rollback handler on the AWS model, at its edges', () => {
  let aws: AwsModel;
  let first: string;
  beforeEach(async () => {
    aws = await releasedModel();
    clock.now = () => aws.clock.now();
    [first] = aws.alarmNames(DEV_STACK, 'green');
    await aws.runFor(60_000);
    logged = [];
  });
  afterEach(() => aws.restore());

  const invoke = (e: AlarmEvent, remainingMs = 23_000) => asFunction(aws, 'AutoRollback', () => handler(e, { getRemainingTimeInMillis: () => remainingMs }));
  /** The request tokens of the function's own UpdateStack calls. */
  const updateTokens = (world = aws) => {
    const fn = world.outputs(DEV_STACK).AutoRollbackFunctionName;
    return world.calls.filter((c) => c.operation === 'UpdateStack' && c.origin === fn).map((c) => c.input.ClientRequestToken as string);
  };

  test('a decision not to act is logged with the alarm and the reason', async () => {
    const [blueAlarm] = aws.alarmNames(DEV_STACK, 'blue');
    const result = await invoke(event(blueAlarm));
    expect(result.outcome).toBe('ignored');
    expect(logged).toEqual([{ outcome: 'ignored', alarm: blueAlarm, reason: result.reason }]);
  });

  test('a previous fleet with one running task is not cold: traffic moves to it', async () => {
    // Lowering the minimum leaves the count (Application Auto Scaling); an operator scales it to 1.
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    await aws.settleStack(DEV_STACK);
    aws.scaleTo(DEV_STACK, 'blue', 1);
    await aws.runFor(5 * 60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBe(1);
    const result = await invoke(event(first));
    expect(result.outcome).toBe('rolled-back');
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });

  test('a cold previous fleet: the refusal is logged with the alarm', async () => {
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '0' });
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    const result = await invoke(event(first));
    expect(logged).toEqual([{ outcome: 'ignored', alarm: first, reason: result.reason }]);
  });

  test('traffic someone already moved to a cold previous fleet: not refused as cold, the rollback is finished and recorded', async () => {
    // The cold check guards a move; with production already on blue there is nothing to move,
    // only the window, the history and LiveColor to bring in line.
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '0' });
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBe(0);
    await new ElasticLoadBalancingV2Client({}).send(
      new ModifyListenerCommand({ ListenerArn: aws.outputs(DEV_STACK).ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: aws.targetGroupArn(DEV_STACK, 'blue') }] }),
    );
    const moves = aws.count('ModifyListener');
    const result = await invoke(event(first));
    expect(result.outcome).toBe('rolled-back');
    expect(aws.count('ModifyListener')).toBe(moves);
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true });
    expect(aws.table(DEV_STACK).query('history', false)[0]).toMatchObject({ outcome: 'auto-rolled-back', toColor: 'blue' });
  });

  test('a retry that resumes a marked rollback to a fleet scaled in since: the move is refused by target health, and the invocation fails (no silent ignore)', async () => {
    // The first invocation marked the window (as ReleaseTable.markRolledBack does: the colors
    // swap), then failed before it moved traffic; by the retry the fleet it chose has been scaled
    // in. The resume skips the handler's own cold check (the decision was taken), and the
    // rollback core still refuses a fleet with no healthy target: the function fails, so the
    // failure shows in its Errors metric and Lambda's retries, instead of an "ignored".
    const table = aws.table(DEV_STACK);
    const window = table.get({ pk: 'window', sk: 'current' })!;
    expect(window).toMatchObject({ liveColor: 'green', previousColor: 'blue' });
    table.put({ ...window, liveColor: 'blue', previousColor: 'green', rolledBack: true, rolledBackAt: aws.clock.now().toISOString(), rolledBackBy: `auto-rollback (alarm ${first})` }, {});
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '0' });
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    expect(aws.service(DEV_STACK, 'blue').running).toBe(0);
    await expect(invoke(event(first, 'e2'))).rejects.toThrow(/the blue fleet has no healthy target \(no targets\): traffic stays on the green fleet/);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
  });

  test('the rollback is recorded with the alarm\'s reason and the environment, and logged once with its steps', async () => {
    const result = await invoke(event(first));
    const history = aws.table(DEV_STACK).query('history', false)[0];
    expect(history).toMatchObject({ environment: 'dev', actor: `auto-rollback (alarm ${first})` });
    expect(history.detail).toMatch(new RegExp(`^alarm ${first} fired \\(Threshold Crossed: 5 datapoints were greater than 5\\.0\\) \\(at `));
    expect(result.reason).toMatch(/; move-traffic: [^;]+; /);
    expect(logged).toEqual([{ outcome: 'rolled-back', alarm: first, releaseId: expect.any(String), reason: result.reason, problems: [] }]);
    expect(logged[0].releaseId).toBe(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })?.releaseId);
  });

  test('an alarm with no reason is recorded as such', async () => {
    await invoke(event(first, 'e1', null));
    expect(aws.table(DEV_STACK).query('history', false)[0].detail).toMatch(new RegExp(`^alarm ${first} fired \\(no reason given\\) \\(at `));
  });

  test('each alarm event has its own LiveColor request token (the same release, the same move, another event)', async () => {
    await invoke(event(first, 'event-a'));
    const a = updateTokens();
    // The same world again (the model is deterministic), another event. One world at a time: the
    // model's SDK mocks are process-wide.
    aws.restore();
    aws = await releasedModel();
    clock.now = () => aws.clock.now();
    await aws.runFor(60_000);
    await invoke(event(first, 'event-b'));
    const b = updateTokens();
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]).not.toBe(b[0]);
  });

  test('a stack in UPDATE_ROLLBACK_FAILED: traffic moves, no UpdateStack is sent, the invocation fails naming ContinueUpdateRollback', async () => {
    aws.failResource(DEV_STACK, 'AWS::ApplicationAutoScaling::ScalableTarget', 'Resource handler returned message: "Rate exceeded"');
    aws.failResource(DEV_STACK, () => true, 'Resource handler returned message: "Rate exceeded"', { phase: 'rollback' });
    aws.updateOutOfBand(DEV_STACK, { BlueAmi: 'ami-0ccccccccccccccc3', StandbyMinTasks: '1' });
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_ROLLBACK_FAILED');
    const before = updateTokens().length;
    await expect(invoke(event(first))).rejects.toThrow(/^rollback of release \S+ not finished: .*stack is UPDATE_ROLLBACK_FAILED: ContinueUpdateRollback first/);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(updateTokens()).toHaveLength(before);
    expect(logged.at(-1)).toMatchObject({ outcome: 'unfinished', problems: [expect.stringMatching(/UPDATE_ROLLBACK_FAILED/)] });
  });

  test('a LiveColor update longer than the invocation can wait: deferred (the retry finishes it), said as such', async () => {
    // Every resource of the update takes ten hours of the model's time; the wait has 1 s of real time.
    aws.engine.timings.stepMs = 36_000_000;
    await expect(invoke(event(first), stackWait.reserveMs + 1_000)).rejects.toThrow(/not finished: LiveColor not reconciled \(deferred: the stack update did not finish in time\)/);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });

  test('exactly the poll interval left after the reserve: no wait is started', async () => {
    const saved = { ...stackWait };
    Object.assign(stackWait, { minDelaySeconds: 1, maxDelaySeconds: 2 });
    try {
      await expect(invoke(event(first), stackWait.reserveMs + 1_000)).rejects.toThrow(/deferred: update started; scheduled capacity: .*; no time left to wait for it/);
    } finally {
      Object.assign(stackWait, saved);
    }
  });
});
