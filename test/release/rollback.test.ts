import { runDeploy } from '../../src/commands/deploy';
import { runRollback } from '../../src/commands/rollback';
import { ExitCode } from '../../src/release/core/outcome';
import { ROLLBACK_STEPS } from '../../src/release/core/rollback';
import { AFTER_ROLLBACK_STEPS } from '../../src/release/steps/rollback-steps';
import { AwsModel } from './support/aws-model';
import { DEV_STACK, DEV_WINDOW_MINUTES, devWorld, json, run, stopAfter, V1, V2, windowItem } from './support/model-harness';

const rollbackApi = { env: 'dev', service: 'api', json: true };

// The in-cloud handlers (the cool-down's standby-capacity) log one JSON line per run.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

/** dev's api just released v2 on green; blue (v1) warm; the 15-minute window is open. */
async function releasedWorld(): Promise<AwsModel> {
  const aws = devWorld();
  expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  expect(aws.trafficColor(DEV_STACK)).toBe('green');
  return aws;
}

describe('rollback while the previous fleet is warm', () => {
  let aws: AwsModel;
  let code: number;
  let out: any;
  let start: number;

  beforeAll(async () => {
    aws = await releasedWorld();
    start = aws.calls.length;
    const r = run(aws, { actor: 'oncall' });
    code = await runRollback(rollbackApi, r.deps);
    out = json(r);
  });
  afterAll(() => aws.restore());

  test('exactly one ELB write, ModifyListener on the production listener, before traffic is back; the blue targets were checked first', () => {
    expect(code).toBe(ExitCode.Ok);
    const calls = aws.calls.slice(start);
    const flip = calls.findIndex((c) => c.operation === 'ModifyListener');
    const o = aws.outputs(DEV_STACK);
    expect(calls.slice(0, flip).filter((c) => c.operation === 'DescribeTargetHealth').map((c) => c.input.TargetGroupArn)).toEqual([o.BlueTargetGroupArn]);
    const elbUntilTrafficBack = calls.slice(0, flip + 1).filter((c) => c.service === 'elasticloadbalancing' && !c.operation.startsWith('Describe'));
    expect(elbUntilTrafficBack.map(({ service, operation, input }) => ({ service, operation, input }))).toEqual([
      {
        service: 'elasticloadbalancing',
        operation: 'ModifyListener',
        input: {
          ListenerArn: o.ProductionListenerArn,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: o.BlueTargetGroupArn }],
        },
      },
    ]);
    // No stack update may come before the traffic is back.
    expect(calls.slice(0, flip).filter((c) => c.operation === 'UpdateStack')).toEqual([]);
    expect(out.result).toMatchObject({ outcome: 'rolled-back', liveColor: 'blue', trafficBackAfterMs: expect.any(Number) });
  });

  test('then LiveColor is reconciled, so the template agrees with the listener', () => {
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    const update = aws.calls.slice(start).filter((c) => c.operation === 'UpdateStack');
    expect(update).toHaveLength(1);
    expect(update[0].input.Parameters).toEqual(expect.arrayContaining([{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }, { ParameterKey: 'GreenImage', UsePreviousValue: true }]));
  });

  test('recorded: history, the window marked rolled back, the bad fleet cooled when the window closes', () => {
    const table = aws.table(DEV_STACK);
    expect(table.query('history', false)[0]).toMatchObject({ outcome: 'rolled-back', fromColor: 'green', toColor: 'blue', oldImage: V2, newImage: V1, actor: expect.stringMatching(/^oncall@/) });
    // The window stays the one the release opened: the rollback does not extend it.
    const { swappedAt, closesAt } = windowItem(aws);
    expect(Date.parse(closesAt) - Date.parse(swappedAt)).toBe(DEV_WINDOW_MINUTES * 60_000);
    expect(windowItem(aws)).toMatchObject({ rolledBack: true, liveColor: 'blue', previousColor: 'green' });
    expect(aws.schedules.get('bgf-dev-api-cool-down')).toMatchObject({
      ScheduleExpression: `at(${closesAt.slice(0, 19)})`,
      Target: expect.objectContaining({ Input: JSON.stringify({ action: 'cool', expectLiveColor: 'blue' }) }),
    });
  });

  test('dev-live points at the image live again (v1)', () => {
    expect(aws.images.find((i) => i.tags.includes('dev-live'))!.tags).toEqual(['v1', 'dev-live']);
  });

  test('running it again does nothing (it does not flip traffic forward)', async () => {
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('already-rolled-back');
    expect(aws.calls.slice(before).filter((c) => ['ModifyListener', 'UpdateStack', 'PutImage'].includes(c.operation))).toEqual([]);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });
});

describe('rollback interrupted, then run again', () => {
  // Every step of the rollback core, from its list, plus the CLI's own steps after it (from theirs).
  test.each([...ROLLBACK_STEPS.filter((s) => s.id !== 'carry-capacity').map((s) => s.id), ...AFTER_ROLLBACK_STEPS.map((s) => s.id)])('stopped after "%s": completes, traffic never goes forward again', async (step) => {
    const aws = await releasedWorld();
    try {
      const stopped = run(aws, { hooks: stopAfter(step) });
      expect(await runRollback(rollbackApi, stopped.deps)).toBe(ExitCode.Error);
      expect(aws.trafficColor(DEV_STACK)).toBe(step === 'check-destination' ? 'green' : 'blue');
      expect(await runRollback(rollbackApi, run(aws).deps)).toBe(ExitCode.Ok);
      expect(aws.trafficColor(DEV_STACK)).toBe('blue');
      expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
      expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'rolled-back')).toHaveLength(1);
      // Every flip went to blue; a re-run may repeat the (idempotent) flip but never reverses it.
      expect(aws.calls.filter((c) => c.operation === 'ModifyListener').every((c) => c.input.DefaultActions[0].TargetGroupArn === aws.targetGroupArn(DEV_STACK, 'blue'))).toBe(true);
      expect(aws.count('UpdateStack')).toBe(3);
    } finally {
      aws.restore();
    }
  });
});

describe('rollback when the previous fleet is cold', () => {
  let aws: AwsModel;
  beforeEach(async () => {
    aws = await releasedWorld();
    // The window closes; the cool-down schedule fires, the real handler sets StandbyMinTasks=0,
    // and CloudFormation scales blue in (range 0..0) until it has no tasks.
    await aws.runFor(Date.parse(windowItem(aws).closesAt) - aws.clock.t + 60_000);
    await aws.settleStack(DEV_STACK);
    await aws.runFor(5 * 60_000);
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('0');
    expect(aws.service(DEV_STACK, 'blue')).toMatchObject({ desired: 0, running: 0 });
    expect(aws.schedules.has('bgf-dev-api-cool-down')).toBe(false);
  });
  afterEach(() => aws.restore());

  test('says so and exits 6; nothing changes', async () => {
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.PreviousFleetCold);
    expect(json(r).error).toMatch(/the previous \(blue\) fleet is cold: 0\/0 tasks running.*Re-run with --warm/);
    expect(aws.calls.slice(before).filter((c) => ['ModifyListener', 'UpdateStack'].includes(c.operation))).toEqual([]);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
  });

  test('--warm warms it to the live size, checks it, swaps to it and records the rollback', async () => {
    const r = run(aws);
    expect(await runRollback({ ...rollbackApi, warm: true }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('warmed-and-swapped');
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.count('ModifyListener')).toBe(0);
    // The deploy's smoke check, then the warmed fleet's.
    expect(aws.invocations.filter((i) => i.functionName === aws.outputs(DEV_STACK).SmokeCheckFunctionName)).toHaveLength(2);
    expect(aws.table(DEV_STACK).query('history', false)[0]).toMatchObject({ outcome: 'rolled-back', detail: expect.stringMatching(/after warming the cold blue fleet/) });
  });
});

describe('rollback and other releases', () => {
  test('is refused while another release holds the lock', async () => {
    const aws = await releasedWorld();
    try {
      aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner: 'ci@github-run-9', acquiredAt: '2026-03-02T01:01:00.000Z', expiresAt: Date.parse('2026-03-02T02:00:00Z') / 1000, command: 'deploy', token: 'x' }, {});
      const r = run(aws);
      expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Refused);
      expect(json(r).error).toMatch(/ci@github-run-9 since 2026-03-02T01:01:00.000Z/);
      expect(aws.count('ModifyListener')).toBe(0);
    } finally {
      aws.restore();
    }
  });

  test('refuses to go "back" to a fleet a newer release was prepared on (it would release that instead)', async () => {
    const aws = await releasedWorld();
    try {
      aws.addImage('v3');
      expect(await runDeploy({ env: 'dev', service: 'api', image: 'v3', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
      const r = run(aws);
      expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Refused);
      expect(json(r).error).toMatch(/the blue fleet no longer runs what was live before release \S+ \(.*@sha256:[0-9a-f]+\); it now runs .*: a rollback would release that instead/);
      expect(aws.trafficColor(DEV_STACK)).toBe('green');
      expect(aws.count('ModifyListener')).toBe(0);
    } finally {
      aws.restore();
    }
  });

  test('reconciles LiveColor after the auto-rollback Lambda moved traffic but could not update the stack', async () => {
    const aws = await releasedWorld();
    try {
      const table = aws.table(DEV_STACK);
      table.update({ pk: 'window', sk: 'current' }, 'SET rolledBack = :t, rolledBackAt = :at, rolledBackBy = :by, liveColor = previousColor, previousColor = liveColor', {
        ExpressionAttributeValues: { ':t': true, ':at': '2026-03-02T01:03:00.000Z', ':by': 'auto-rollback (alarm x)' },
      });
      const o = aws.outputs(DEV_STACK);
      aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.BlueTargetGroupArn }] });
      expect(await runRollback(rollbackApi, run(aws).deps)).toBe(ExitCode.Ok);
      expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
      expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    } finally {
      aws.restore();
    }
  });
});
