import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { DEPLOY_STEPS } from '../../src/release/commands/deploy';
import { TAKE_LOCK } from '../../src/release/state/session';
import { AwsModel, awsError } from './support/aws-model';
import { DEV_STACK, devWorld, json, run, SHORT_WAITS, stopAfter, V1, V2 } from './support/model-harness';

const deployV2 = { env: 'dev', service: 'api', image: 'v2', json: true };

// The in-cloud handlers (auto-rollback, standby-capacity) log one JSON line per run.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

/** Another release's lock, as its conditional put leaves it in the release table. */
function holdLock(aws: AwsModel, owner: string, acquiredAt: string, expiresAt: string, token = 't'): void {
  aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner, acquiredAt, expiresAt: Date.parse(expiresAt) / 1000, command: 'deploy', token }, {});
}

/** What must hold after any successful deploy of v2, however it got there. */
function expectReleased(aws: AwsModel): void {
  expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
  expect(aws.param(DEV_STACK, 'GreenImage')).toBe(V2);
  expect(aws.trafficColor(DEV_STACK)).toBe('green');
  expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
  expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome === 'succeeded')).toHaveLength(1);
  expect(aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' })).toBeUndefined();
}

/** Live traffic and the live fleet exactly as they were before the release. */
function expectLiveUntouched(aws: AwsModel): void {
  expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
  expect(aws.param(DEV_STACK, 'BlueImage')).toBe(V1);
  expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  expect(aws.service(DEV_STACK, 'blue').running).toBe(2);
  expect(aws.count('ModifyListener')).toBe(0);
}

describe('deploy with an unhealthy standby', () => {
  let aws: AwsModel;
  beforeEach(() => {
    aws = devWorld();
    aws.setTargetHealth(DEV_STACK, 'green', 'unhealthy');
  });
  afterEach(() => aws.restore());

  test('no swap, live untouched, exit 3 saying what state things are in', async () => {
    const r = run(aws, { timings: SHORT_WAITS });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expectLiveUntouched(aws);
    expect(aws.invocations).toHaveLength(0);
    const out = json(r);
    expect(out.error).toMatch(/timed out after 1s waiting for all targets of the green target group to be healthy: the green fleet is not ready: .*0\/2 targets healthy \(2 unhealthy\)/);
    expect(out.detail.state).toMatch(/live traffic untouched: the blue fleet serves .*; the green fleet has .* with StandbyMinTasks=2\. .*re-run the same command/);
    expect(aws.table(DEV_STACK).query('history', false)).toEqual([expect.objectContaining({ outcome: 'aborted', newImage: V2 })]);
    expect(aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' })).toBeUndefined();
  });

  test('once the targets are healthy, the same command finishes without preparing again', async () => {
    await runDeploy(deployV2, run(aws, { timings: SHORT_WAITS }).deps);
    aws.setTargetHealth(DEV_STACK, 'green', 'healthy');
    expect(await runDeploy(deployV2, run(aws).deps)).toBe(ExitCode.Ok);
    expectReleased(aws);
    expect(aws.count('UpdateStack')).toBe(2);
  });

  test('a failing smoke check stops before the swap (exit 3)', async () => {
    aws.setTargetHealth(DEV_STACK, 'green', 'healthy');
    aws.smokeResult = { pass: false, status: 503, latencyMs: 40 };
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toContain(`smoke check failed: http://${aws.outputs(DEV_STACK).LoadBalancerDnsName}:${aws.outputs(DEV_STACK).TestListenerPort}/healthz -> 503 in 40 ms`);
    expectLiveUntouched(aws);
  });
});

describe('deploy through throttling and 5xx answers', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  test('retries with backoff and completes; each action still happens once', async () => {
    aws = devWorld();
    aws.inject({ operation: 'DescribeStacks', kind: 'throttle', times: 2 });
    aws.inject({ operation: 'DescribeServices', kind: 'throttle', times: 3 });
    aws.inject({ operation: 'UpdateStack', kind: '5xx', times: 1 });
    aws.inject({ operation: 'DescribeImages', kind: '5xx', times: 2 });
    aws.inject({ operation: 'Put', kind: 'throttle', times: 1 });
    aws.inject({ operation: 'Invoke', kind: 'throttle', times: 1 });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expectReleased(aws);
    // Full jitter with random() = 0.5: half of 250 ms, 500 ms, 1 s ... per consecutive failure.
    expect(r.sleeps).toEqual(expect.arrayContaining([125, 250, 500]));
    expect(r.sleeps).toHaveLength(10);
    expect(r.stderr.text).toMatch(/UpdateStack on stack bgf-dev-api: server, retry 1\/7/);
    expect(aws.count('UpdateStack')).toBe(3);
  });

  test('a 5xx whose request took effect: the retry carries the same ClientRequestToken, so CloudFormation knows it, and the release carries on', async () => {
    // Before the token, the retry met the update its first attempt had started: "Stack ... is in
    // UPDATE_IN_PROGRESS state and can not be updated", exit 1 part-way.
    aws = devWorld();
    aws.inject({ operation: 'UpdateStack', kind: '5xx', times: 1, afterEffect: true });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expectReleased(aws);
    const tokens = aws.calls.filter((c) => c.operation === 'UpdateStack').map((c) => c.input.ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(tokens.every((t) => /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(t))).toBe(true);
  });

  test('retries run out: exit 1, the message names the operation and the resource', async () => {
    aws = devWorld();
    aws.inject({ operation: 'DescribeServices', kind: 'throttle', times: 100 });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    const o = aws.outputs(DEV_STACK);
    expect(json(r).error).toBe(`DescribeServices on ECS service ${o.BlueServiceName} in cluster ${o.BlueClusterName} failed (gave up after retries): ThrottlingException: Rate exceeded`);
    expect(aws.count('DescribeServices')).toBe(8);
    expectLiveUntouched(aws);
  });

  // Failed on the old code: the SDK waiter took the AccessDenied of its poll for "retry" and polled
  // until the wait's timeout, then reported "timed out ... waiting for stack ...".
  test('AccessDenied at a poll of the stack-update wait stops the wait at once, naming the action', async () => {
    aws = devWorld();
    let pollsBefore = 0;
    aws.before('UpdateStack', 1, () => {
      pollsBefore = aws.count('DescribeStacks');
      aws.inject({ operation: 'DescribeStacks', kind: 'access-denied', times: 1_000 });
    });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    expect(aws.count('DescribeStacks') - pollsBefore).toBe(1);
    expect(json(r).error).toMatch(/^DescribeStacks on waiting for stack bgf-dev-api to finish updating .* was denied: .*check the role the release runs as/);
    expect(json(r).error).not.toMatch(/timed out/);
  });

  test('other errors are not retried: AccessDenied stops at once, naming the stack', async () => {
    aws = devWorld();
    aws.inject({ operation: 'UpdateStack', kind: 'error', times: 1, error: awsError('AccessDenied', 'User is not authorized to perform: cloudformation:UpdateStack', 403) });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/^UpdateStack on stack bgf-dev-api was denied: User is not authorized.*check the role the release runs as/);
    expect(aws.count('UpdateStack')).toBe(1);
    expect(json(r).detail).toEqual({ operation: 'UpdateStack', resource: 'stack bgf-dev-api', awsError: 'AccessDenied' });
  });

  test('a stack update that fails in CloudFormation stops the release (exit 1), live untouched', async () => {
    aws = devWorld();
    aws.failNextUpdate(DEV_STACK, 'Resource handler returned message: "AMI not found"');
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    // The stack's status names the resource; the reason is only in the stack events.
    expect(json(r).error).toMatch(/stack bgf-dev-api to finish updating .* failed: stack status UPDATE_ROLLBACK_COMPLETE \(The following resource\(s\) failed to update: \[\w+\]\. ?\); first failed event: \w+ UPDATE_FAILED: Resource handler returned message: "AMI not found"$/);
    expectLiveUntouched(aws);
  });

  test('a stack update that never finishes times out (exit 5)', async () => {
    aws = devWorld();
    // A resource CloudFormation waits on for longer than the release waits.
    aws.engine.timings.defaultResourceMs = 24 * 3_600_000;
    const r = run(aws, { timings: SHORT_WAITS });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Timeout);
    expect(json(r).error).toMatch(/timed out after 1s waiting for stack bgf-dev-api to finish updating/);
    expectLiveUntouched(aws);
  });
});

describe('deploy stopped after each step, then run again', () => {
  // The lock, then every step of the release, from the one list the run executes.
  const steps = [TAKE_LOCK.id, ...DEPLOY_STEPS.map((st) => st.id)];

  test.each(steps)('stopped after "%s": the re-run completes, nothing is done twice', async (step) => {
    const aws = devWorld();
    try {
      const stopped = run(aws, { hooks: stopAfter(step) });
      expect(await runDeploy(deployV2, stopped.deps)).toBe(ExitCode.Error);
      expect(json(stopped).error).toBe(`process stopped after ${step}`);
      expect(await runDeploy(deployV2, run(aws).deps)).toBe(ExitCode.Ok);
      expectReleased(aws);
      expect(aws.count('UpdateStack')).toBe(2);
      expect(aws.count('ModifyListener')).toBe(0);
      expect(aws.count('CreateSchedule') + aws.count('UpdateSchedule')).toBe(1);
      expect(aws.count('PutImage')).toBe(1);
    } finally {
      aws.restore();
    }
  });

  test('a run killed without cleaning up leaves its lock: refused until the lease expires, then taken over', async () => {
    const aws = devWorld();
    try {
      holdLock(aws, 'ci@github-run-7', '2026-03-02T00:50:00.000Z', '2026-03-02T01:35:00Z');
      const refused = run(aws);
      expect(await runDeploy(deployV2, refused.deps)).toBe(ExitCode.Refused);
      expect(json(refused).error).toContain(`lock of ${aws.outputs(DEV_STACK).ReleaseTableName}: ci@github-run-7`);
      expect(json(refused).error).toMatch(/: ci@github-run-7 since 2026-03-02T00:50:00.000Z \(deploy; lease until 2026-03-02T01:35:00.000Z\)\. .*--break-lock/);
      aws.clock.advance(36 * 60_000);
      expect(await runDeploy(deployV2, run(aws).deps)).toBe(ExitCode.Ok);
      expectReleased(aws);
    } finally {
      aws.restore();
    }
  });
});

describe('one release per service at a time', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('two deploys at once: one releases, the other is refused naming the holder', async () => {
    const [a, b] = [run(aws, { actor: 'alice' }), run(aws, { actor: 'bob' })];
    const codes = await Promise.all([runDeploy(deployV2, a.deps), runDeploy(deployV2, b.deps)]);
    expect([...codes].sort()).toEqual([ExitCode.Ok, ExitCode.Refused]);
    const loser = codes[0] === ExitCode.Refused ? a : b;
    const since = /another release holds the lock .*: (alice|bob)@\S+ since (\S+Z)/.exec(json(loser).error);
    expect(since).not.toBeNull();
    expect(Date.parse(since![2])).toBeLessThan(aws.clock.t);
    expectReleased(aws);
  });

  test('--break-lock takes a held lock and says so', async () => {
    holdLock(aws, 'bob@laptop', '2026-03-02T00:59:00.000Z', '2026-03-02T02:00:00Z');
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, breakLock: true }, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).toMatch(/took the release lock by force/);
  });

  test('a normal deploy takes the lock without the --break-lock warning', async () => {
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).not.toMatch(/by force/);
  });

  test('a refusal names the holder in the JSON details too', async () => {
    holdLock(aws, 'bob@laptop', '2026-03-02T00:59:00.000Z', '2026-03-02T02:00:00Z');
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).detail).toMatchObject({ lockedBy: 'bob@laptop', lockedSince: '2026-03-02T00:59:00.000Z' });
  });

  test('a holder gone between the refused put and the read: refused, saying re-run', async () => {
    // GIVEN the lock is held when the deploy's conditional put runs, and released before it reads who holds it
    holdLock(aws, 'bob@laptop', '2026-03-02T00:59:00.000Z', '2026-03-02T02:00:00Z');
    aws.before('Put', 1, () => aws.before('Get', 1, () => aws.table(DEV_STACK).delete({ pk: 'lock', sk: 'lock' }, {})));
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/holds the lock of \S+: another release \(it just finished; re-run\)/);
  });

  test('each step renews the lease: a second release after the first lease would have run out is refused', async () => {
    // GIVEN a deploy that takes 30 min after taking the lock (45 min lease) and 30 more after its next step
    let second: number | undefined;
    let renewedUntil = 0;
    const hooks = {
      afterStep: async (id: string) => {
        if (id === 'take-lock') aws.clock.advance(30 * 60_000);
        if (id !== 'record-pending' || second !== undefined) return;
        renewedUntil = (aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' }) as { expiresAt: number }).expiresAt * 1000;
        aws.clock.advance(30 * 60_000);
        // WHEN a second release starts past the lease taken with the lock, inside the renewed one
        second = await runDeploy(deployV2, run(aws, { actor: 'bob' }).deps);
      },
    };
    expect(await runDeploy(deployV2, run(aws, { hooks }).deps)).toBe(ExitCode.Ok);
    // THEN the step renewed the lease to 45 min from its start, and the second release was refused
    expect(renewedUntil).toBeGreaterThan(Date.parse('2026-03-02T01:00:00Z') + 30 * 60_000 + 44 * 60_000);
    expect(second).toBe(ExitCode.Refused);
    expectReleased(aws);
  });

  test('a lock taken over mid-deploy stops the deploy at its next step (exit 3), naming who took it', async () => {
    const hooks = {
      afterStep: (id: string) => {
        if (id !== 'record-pending') return;
        holdLock(aws, 'bob@laptop', new Date(aws.clock.t).toISOString(), new Date(aws.clock.t + 3_600_000).toISOString(), 'bob');
      },
    };
    const r = run(aws, { hooks });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/the release lock was taken over by bob@laptop; stopping here/);
    expectLiveUntouched(aws);
    expect(aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' })).toMatchObject({ owner: 'bob@laptop' });
  });

  test('a lock deleted mid-deploy (by hand, or an expiry another run cleaned up) stops it too', async () => {
    const hooks = { afterStep: (id: string) => void (id === 'record-pending' && aws.table(DEV_STACK).delete({ pk: 'lock', sk: 'lock' }, {})) };
    const r = run(aws, { hooks });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/the release lock was taken over by someone; stopping here/);
    expectLiveUntouched(aws);
  });

  test('a stack CloudFormation is already changing is refused (exit 3)', async () => {
    // A scheduled warm of the standby (or a cdk deploy) is updating the stack.
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    expect(aws.status(DEV_STACK)).toBe('UPDATE_IN_PROGRESS');
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/stack bgf-dev-api is UPDATE_IN_PROGRESS since .*another change is running/);
    expect(aws.count('UpdateStack')).toBe(0);
  });

  test('traffic that disagrees with LiveColor (an unreconciled fast rollback) is refused', async () => {
    const o = aws.outputs(DEV_STACK);
    aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.GreenTargetGroupArn }] });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/production traffic goes to the green fleet but the stack's LiveColor says blue.*bluegreen-fleet rollback/);
  });
});

describe('an alarm while baking', () => {
  let aws: AwsModel;
  let alarm: string;
  beforeEach(() => {
    aws = devWorld();
    [alarm] = aws.alarmNames(DEV_STACK, 'green');
  });
  afterEach(() => aws.restore());

  /** Lets the cloud finish: the auto-rollback Lambda the alarm invoked (and its retries), the stack. */
  async function settle(): Promise<void> {
    await aws.runFor(5 * 60_000);
    await aws.settleStack(DEV_STACK);
  }

  /** The alarm fires between two polls of the bake; the Lambda it invokes fails its first attempt. */
  function alarmWhileLambdaFails(): void {
    const fn = aws.outputs(DEV_STACK).AutoRollbackFunctionName;
    aws.inject({ operation: 'DescribeStacks', kind: '5xx', times: 1, when: (_input, origin) => origin === fn });
    aws.before('DescribeAlarms', 2, () => aws.observers.setAlarm(alarm, 'ALARM'));
  }

  test('rolls traffic back with one ELB call, reconciles LiveColor, records it, exits 4', async () => {
    // The auto-rollback Lambda's retry (a minute later) finds the CLI's rollback done.
    alarmWhileLambdaFails();
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.RolledBack);
    expect(json(r).error).toMatch(/was rolled back by this release: traffic is on the blue fleet again/);
    await settle();
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.count('ModifyListener')).toBe(1);
    expect(aws.table(DEV_STACK).query('history', false)).toEqual([expect.objectContaining({ outcome: 'rolled-back', fromColor: 'green', toColor: 'blue', newImage: V1 })]);
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, liveColor: 'blue', previousColor: 'green' });
    // The bad fleet is cooled when the window closes (the schedule now expects blue live).
    expect(aws.schedules.get('bgf-dev-api-cool-down').Target.Input).toBe(JSON.stringify({ action: 'cool', expectLiveColor: 'blue' }));
  });

  test('the same deploy run again starts a new release (the rolled-back one is over)', async () => {
    alarmWhileLambdaFails();
    expect(await runDeploy(deployV2, run(aws).deps)).toBe(ExitCode.RolledBack);
    await settle();
    aws.observers.setAlarm(alarm, 'OK');
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    const history = aws.table(DEV_STACK).query('history', false);
    expect(history.map((h) => h.outcome)).toEqual(['succeeded', 'rolled-back']);
    expect(history[0].id).not.toBe(String(history[1].id).replace('.rollback', ''));
  });

  test('the Lambda the alarm invoked rolls back while the CLI turns to act: the CLI reports the Lambda\'s rollback (exit 4), flips nothing, records nothing twice', async () => {
    // The Lambda runs as soon as EventBridge delivers the alarm, right after the bake's poll saw
    // it. The CLI said "rolled back by this release" for the Lambda's rollback before.
    aws.before('DescribeAlarms', 2, () => aws.observers.setAlarm(alarm, 'ALARM'));
    await expectTheLambdasRollback();
    expect(aws.table(DEV_STACK).query('history', false)).toEqual([expect.objectContaining({ outcome: 'auto-rolled-back', fromColor: 'green', toColor: 'blue' })]);
  });

  test('when the auto-rollback Lambda already moved traffic, the CLI reports it (exit 4) and does not flip again', async () => {
    // The alarm fires and the Lambda runs to its end between two polls of the bake.
    aws.before('Get', 8, async () => {
      aws.observers.setAlarm(alarm, 'ALARM');
      await aws.runFor(60_000);
    });
    await expectTheLambdasRollback();
    expect(aws.table(DEV_STACK).query('history', false).filter((h) => h.outcome !== 'succeeded')).toHaveLength(1);
  });

  /** The CLI reports the Lambda's rollback (exit 4) and flips nothing; traffic and LiveColor end on blue. */
  async function expectTheLambdasRollback(): Promise<void> {
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.RolledBack);
    expect(json(r).error).toMatch(/rolled back by the auto-rollback Lambda/);
    expect(aws.count('ModifyListener')).toBe(0);
    expect(aws.count('ModifyListener', aws.outputs(DEV_STACK).AutoRollbackFunctionName)).toBe(1);
    await settle();
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
  }
});

describe('Ctrl-C', () => {
  test('stops a wait, releases the lock, exits 130; live untouched', async () => {
    const aws = devWorld();
    try {
      aws.setTargetHealth(DEV_STACK, 'green', 'unhealthy');
      const r = run(aws);
      const deps = { ...r.deps, handleSignals: true, timings: { ...r.deps.timings, targetsHealthy: { maxWaitSeconds: 30, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 } } };
      // Ctrl-C while the CLI polls the green targets.
      aws.before('DescribeTargetHealth', 2, () => void process.emit('SIGINT', 'SIGINT'));
      expect(await runDeploy(deployV2, deps)).toBe(ExitCode.Interrupted);
      expect(json(r).error).toMatch(/stopped while waiting for all targets of the green target group to be healthy/);
      expect(aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' })).toBeUndefined();
      expectLiveUntouched(aws);
    } finally {
      // Let the aborted SDK waiter notice the abort before the mocks go away.
      await new Promise((resolve) => setTimeout(resolve, 100));
      aws.restore();
    }
  });
});
