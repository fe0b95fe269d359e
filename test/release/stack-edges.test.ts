import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { parseStack } from '../../src/release/core/stack-state';
import { assertUpdatable, executionRoleArn, firstFailedEvent, readStack } from '../../src/release/state/stack';
import { AwsModel } from './support/aws-model';
import { awsError } from './support/aws-model/errors';
import { DEV_STACK, devWorld, json, run } from './support/model-harness';

const deployV2 = { env: 'dev', service: 'api', image: 'v2', json: true };
const RELEASE = 'arn:aws:iam::123456789012:role/bgf-dev-api-release';
const EXECUTION = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role';
const NARROW = 'arn:aws:iam::123456789012:role/bgf-dev-api-parameter-update';
const OTHER = 'arn:aws:iam::123456789012:role/platform-deployer';

function state(outputs: Record<string, string>, roleArn?: string, status = 'UPDATE_COMPLETE', extra: { StackStatusReason?: string; LastUpdatedTime?: Date } = {}) {
  return parseStack({
    StackName: DEV_STACK,
    StackStatus: status,
    CreationTime: extra.LastUpdatedTime && new Date('2025-01-01T00:00:00Z'),
    LastUpdatedTime: extra.LastUpdatedTime,
    StackStatusReason: extra.StackStatusReason,
    RoleARN: roleArn,
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    Parameters: [{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }],
  } as never);
}

describe('the role a release update runs as (executionRoleArn)', () => {
  test('the release role first, then the published execution role, then the stack role unless it is the narrow one', () => {
    expect(executionRoleArn(state({ ReleaseRoleArn: RELEASE, CloudFormationExecutionRoleArn: EXECUTION }, NARROW))).toBe(RELEASE);
    expect(executionRoleArn(state({ CloudFormationExecutionRoleArn: EXECUTION, ParameterUpdateRoleArn: NARROW }, NARROW))).toBe(EXECUTION);
    expect(executionRoleArn(state({ ParameterUpdateRoleArn: NARROW }, OTHER))).toBe(OTHER);
    expect(executionRoleArn(state({ ParameterUpdateRoleArn: NARROW }))).toBeUndefined();
  });

  test('a stack left on the narrow parameter-update role, with no other role published, is refused saying how to fix it', () => {
    const refuse = () => executionRoleArn(state({ ParameterUpdateRoleArn: NARROW }, NARROW));
    expect(refuse).toThrow(`stack ${DEV_STACK} is associated with its parameter-update role ${NARROW} and publishes no CloudFormationExecutionRoleArn`);
    expect(refuse).toThrow(expect.objectContaining({ exitCode: ExitCode.Refused }));
  });
});

describe('a stack that cannot take a release now (assertUpdatable)', () => {
  test('busy: refused with since when, or "an unknown time"', () => {
    expect(() => assertUpdatable(state({}, undefined, 'UPDATE_IN_PROGRESS', { LastUpdatedTime: new Date('2026-03-02T01:00:00Z') }))).toThrow(/is UPDATE_IN_PROGRESS since 2026-03-02T01:00:00.000Z: another change/);
    expect(() => assertUpdatable(state({}, undefined, 'UPDATE_IN_PROGRESS'))).toThrow(/is UPDATE_IN_PROGRESS since an unknown time: another change/);
  });

  test('a status no update can start from: refused with the reason CloudFormation gives, and the status in the details', () => {
    const failed = () => assertUpdatable(state({}, undefined, 'UPDATE_ROLLBACK_FAILED', { StackStatusReason: 'The following resource(s) failed to update: [Service]' }));
    expect(failed).toThrow(`stack ${DEV_STACK} is UPDATE_ROLLBACK_FAILED (The following resource(s) failed to update: [Service]): fix the stack before releasing`);
    expect(failed).toThrow(expect.objectContaining({ exitCode: ExitCode.Refused, detail: { stackStatus: 'UPDATE_ROLLBACK_FAILED' } }));
    expect(() => assertUpdatable(state({}, undefined, 'ROLLBACK_COMPLETE'))).toThrow(`stack ${DEV_STACK} is ROLLBACK_COMPLETE: fix the stack before releasing`);
    expect(() => assertUpdatable(state({}, undefined, 'UPDATE_ROLLBACK_COMPLETE'))).not.toThrow();
  });
});

describe('a failed update whose stack events cannot be read', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('still fails with the stack status, and says the events were not readable', async () => {
    aws.failNextUpdate(DEV_STACK, 'Resource handler returned message: "AMI not found"');
    aws.inject({ operation: 'DescribeStackEvents', kind: 'access-denied', times: 1 });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/failed: stack status UPDATE_ROLLBACK_COMPLETE .*; first failed event: stack events not readable \(.*DescribeStackEvents.*\)$/);
  });
});

describe('the session around a release (src/release/state/session.ts)', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('a lock that cannot be deleted at the end: the release stands, with a warning of when the lock expires (its last renewal)', async () => {
    aws.inject({ operation: 'Delete', kind: 'access-denied', times: 1, when: (input) => input?.Key?.pk === 'lock' });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).toMatch(new RegExp(`could not release the lock of ${aws.outputs(DEV_STACK).ReleaseTableName} \\(.*\\); it expires by itself at \\d{4}-\\d\\d-\\d\\dT`));
    const lock = aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' }) as { expiresAt: number };
    expect(r.stderr.text).toContain(`it expires by itself at ${new Date(lock.expiresAt * 1000).toISOString()}`);
  });

  test('the lock step says who holds the lock and until when', async () => {
    let expiresAt = 0;
    const hooks = { afterStep: (id: string) => void (id === 'take-lock' && (expiresAt = (aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' }) as { expiresAt: number }).expiresAt)) };
    const r = run(aws, { hooks, actor: 'carol' });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    const step = json(r).steps.find((s: { name: string }) => s.name === 'take the release lock');
    expect(step).toMatchObject({ status: 'done', detail: `held by carol@vm until ${new Date(expiresAt * 1000).toISOString()}` });
  });

  test('a stack busy before the lock is refused without taking it', async () => {
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/stack bgf-dev-api is UPDATE_IN_PROGRESS since .*another change is running/);
    expect(json(r).steps.map((s: { name: string }) => s.name)).not.toContain('take the release lock');
    expect(aws.calls.filter((c) => c.operation === 'Put' && (c.input as { Item?: { pk?: string } })?.Item?.pk === 'lock')).toEqual([]);
  });

  test('traffic that disagrees with LiveColor: the refusal carries both colors', async () => {
    const o = aws.outputs(DEV_STACK);
    aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.GreenTargetGroupArn }] });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r)).toMatchObject({ exitCode: ExitCode.Refused, detail: { trafficColor: 'green', liveColor: 'blue' } });
  });

  test('a stack that became busy while the lock was taken is refused after it, and the lock is released', async () => {
    const hooks = { afterStep: (id: string) => void (id === 'take-lock' && aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' })) };
    const r = run(aws, { hooks });
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/stack bgf-dev-api is UPDATE_IN_PROGRESS since .*another change is running/);
    expect(aws.count('UpdateStack')).toBe(0);
    expect(aws.table(DEV_STACK).get({ pk: 'lock', sk: 'lock' })).toBeUndefined();
  });

  test('the form of a release id: the UTC second (so ids sort by time), then four hex digits', async () => {
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    const [record] = aws.table(DEV_STACK).query('history', false) as Array<{ id: string }>;
    const stamp = new Date(aws.clock.t).toISOString().slice(0, 10).replace(/-/g, '');
    expect(record.id).toMatch(new RegExp(`^${stamp}T\\d{6}Z-[0-9a-f]{4}$`));
  });
});

describe('the standby size against the template', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('a template whose StandbyMinTasks has no MaxValue: the deploy warns that the size is not clamped', async () => {
    // GIVEN the stack updated (out of band) to a template that declares no MaxValue
    const template = structuredClone(aws.stack(DEV_STACK).template) as unknown as { Parameters: Record<string, Record<string, unknown>> };
    delete template.Parameters.StandbyMinTasks.MaxValue;
    aws.updateOutOfBand(DEV_STACK, {}, { template: template as never });
    await aws.runFor(30 * 60_000);
    expect(aws.status(DEV_STACK)).toBe('UPDATE_COMPLETE');
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).toContain(`the template of ${DEV_STACK} declares no MaxValue for StandbyMinTasks that could be read; the standby size is not clamped`);
  });
});

describe('the first failed event of the last operation (firstFailedEvent)', () => {
  type Event = { ResourceType: string; ResourceStatus: string; LogicalResourceId: string; ResourceStatusReason?: string };
  const stackEvent = (status: string, reason?: string): Event => ({ ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: status, LogicalResourceId: DEV_STACK, ResourceStatusReason: reason });
  const resourceEvent = (id: string, status: string, reason?: string): Event => ({ ResourceType: 'AWS::ECS::Service', ResourceStatus: status, LogicalResourceId: id, ResourceStatusReason: reason });
  /** A context whose only client answers DescribeStackEvents with `events` (newest first, as CloudFormation lists them). */
  const ctx = (events: Event[] | Error) =>
    ({
      clients: { cloudFormation: { send: async () => (events instanceof Error ? Promise.reject(events) : { StackEvents: events }) } },
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined },
    }) as never;

  test("the oldest failure of the last update, not a later one it caused, not the stack's own, not one of an earlier operation", async () => {
    const events = [
      stackEvent('UPDATE_ROLLBACK_COMPLETE'),
      resourceEvent('Listener', 'UPDATE_FAILED', 'rolled back because of Service'),
      stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Service]'),
      resourceEvent('Alarm', 'UPDATE_FAILED', 'Resource update cancelled'),
      resourceEvent('Service', 'UPDATE_FAILED', 'Resource handler returned message: "AMI not found"'),
      resourceEvent('Service', 'UPDATE_IN_PROGRESS'),
      stackEvent('UPDATE_IN_PROGRESS', 'User Initiated'),
      // An earlier operation, with a failure of its own.
      stackEvent('UPDATE_ROLLBACK_COMPLETE'),
      resourceEvent('OldService', 'UPDATE_FAILED', 'an older failure'),
      stackEvent('UPDATE_IN_PROGRESS', 'User Initiated'),
    ];
    expect(await firstFailedEvent(ctx(events), DEV_STACK)).toBe('Service UPDATE_FAILED: Resource handler returned message: "AMI not found"');
  });

  test('the rollback updates resources again (their events say UPDATE_IN_PROGRESS, not ROLLBACK): the operation still starts at the stack event', async () => {
    const events = [
      stackEvent('UPDATE_ROLLBACK_COMPLETE'),
      resourceEvent('Listener', 'UPDATE_COMPLETE'),
      resourceEvent('Listener', 'UPDATE_IN_PROGRESS'),
      stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Service]'),
      resourceEvent('Service', 'UPDATE_FAILED', 'Resource handler returned message: "AMI not found"'),
      resourceEvent('Service', 'UPDATE_IN_PROGRESS'),
      resourceEvent('Listener', 'UPDATE_COMPLETE'),
      resourceEvent('Listener', 'UPDATE_IN_PROGRESS'),
      stackEvent('UPDATE_IN_PROGRESS', 'User Initiated'),
    ];
    expect(await firstFailedEvent(ctx(events), DEV_STACK)).toBe('Service UPDATE_FAILED: Resource handler returned message: "AMI not found"');
  });

  test('a failure without a reason says so; no failure in the last operation is no cause', async () => {
    expect(await firstFailedEvent(ctx([stackEvent('UPDATE_ROLLBACK_COMPLETE'), resourceEvent('Service', 'CREATE_FAILED'), stackEvent('UPDATE_IN_PROGRESS')]), DEV_STACK)).toBe('Service CREATE_FAILED: no reason given');
    expect(await firstFailedEvent(ctx([stackEvent('UPDATE_COMPLETE'), resourceEvent('Service', 'UPDATE_COMPLETE'), stackEvent('UPDATE_IN_PROGRESS'), resourceEvent('Old', 'UPDATE_FAILED', 'older'), stackEvent('UPDATE_IN_PROGRESS')]), DEV_STACK)).toBeUndefined();
    expect(await firstFailedEvent(ctx([]), DEV_STACK)).toBeUndefined();
    // The stack's own failure names no resource: not a cause.
    expect(await firstFailedEvent(ctx([stackEvent('UPDATE_ROLLBACK_FAILED', 'rollback failed'), stackEvent('UPDATE_ROLLBACK_IN_PROGRESS'), stackEvent('UPDATE_IN_PROGRESS')]), DEV_STACK)).toBeUndefined();
  });

  test('no start of an operation among the events listed (only the newest page): the oldest failure listed', async () => {
    const events = [stackEvent('UPDATE_ROLLBACK_IN_PROGRESS'), resourceEvent('Later', 'UPDATE_FAILED', 'later'), resourceEvent('First', 'DELETE_FAILED', 'first')];
    expect(await firstFailedEvent(ctx(events), DEV_STACK)).toBe('First DELETE_FAILED: first');
  });

  test('events that cannot be read: said, with the error', async () => {
    expect(await firstFailedEvent(ctx(new Error('throttled')), DEV_STACK)).toBe(`stack events not readable (DescribeStackEvents on stack ${DEV_STACK} failed: Error: throttled)`);
  });
});

describe("the account in a stack's id, in every partition (readStack)", () => {
  const caller = { account: '999999999999', arn: 'arn:aws-cn:sts::999999999999:assumed-role/dev/alice' };
  const ctx = (stackId: string) =>
    ({
      caller,
      clients: {
        region: 'cn-north-1',
        cloudFormation: {
          send: async () => ({ Stacks: [{ StackName: DEV_STACK, StackId: stackId, StackStatus: 'UPDATE_COMPLETE', Outputs: [], Parameters: [{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }] }] }),
        },
      },
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined },
    }) as never;

  test.each([
    ['aws-cn', 'cn-north-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws', 'eu-west-1'],
  ])('%s: a stack in another account than the credentials is refused (exit 2), the same account is read', async (partition, region) => {
    const other = readStack(ctx(`arn:${partition}:cloudformation:${region}:123456789012:stack/${DEV_STACK}/0a1b`), DEV_STACK);
    await expect(other).rejects.toThrow(`credentials are for account 999999999999 (${caller.arn}), the stack ${DEV_STACK} is in 123456789012`);
    await expect(other).rejects.toMatchObject({ exitCode: ExitCode.Usage });
    await expect(readStack(ctx(`arn:${partition}:cloudformation:${region}:999999999999:stack/${DEV_STACK}/0a1b`), DEV_STACK)).resolves.toMatchObject({ name: DEV_STACK });
  });
});

describe('an update CloudFormation answers with an error (updateStack)', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test("TokenAlreadyExistsException for the update's own token (its first attempt got through): the release follows that update to the end", async () => {
    aws.inject({
      operation: 'UpdateStack',
      kind: 'error',
      times: 1,
      afterEffect: true,
      error: awsError('TokenAlreadyExistsException', 'Another Stack operation with the same client request token already exists.'),
    });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
  });

  test('"No updates are to be performed" (someone made the same change first): the release carries on from the stack as it now is', async () => {
    // GIVEN the first update the release sends already made, out of band, just before it
    aws.before('UpdateStack', 1, async (input: { RoleARN?: string; Parameters: Array<{ ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }> }) => {
      const same = Object.fromEntries(input.Parameters.filter((p) => !p.UsePreviousValue).map((p) => [p.ParameterKey, p.ParameterValue as string]));
      aws.updateOutOfBand(DEV_STACK, same, { roleArn: input.RoleARN });
      await aws.runFor(30 * 60_000);
    });
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(aws.calls.filter((c) => c.operation === 'UpdateStack' && c.origin === 'client').length).toBeGreaterThan(1);
    const warm = json(r).steps.find((step: { name: string }) => step.name.startsWith('set GreenImage='));
    expect(warm).toMatchObject({ status: 'skipped', detail: 'already runs the image with StandbyMinTasks=2' });
  });

  test('any other error of UpdateStack ends the release with it (exit 1), naming the stack', async () => {
    aws.inject({ operation: 'UpdateStack', kind: 'error', times: 1, error: awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]') });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/UpdateStack on stack bgf-dev-api failed: .*Requires capabilities : \[CAPABILITY_IAM\]/);
  });
});

describe('a production listener that forwards to neither fleet (changed by hand)', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('a fixed response: the deploy is refused before any change (exit 3), naming the live target group', async () => {
    const o = aws.outputs(DEV_STACK);
    aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }] });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Refused);
    expect(json(r)).toMatchObject({ detail: { trafficColor: 'neither', liveColor: 'blue' } });
    expect(json(r).error).toContain(`the production listener of ${DEV_STACK} forwards to neither fleet`);
    expect(json(r).error).toContain(`point its default action back at the blue fleet's target group (${o.BlueTargetGroupArn})`);
    expect(aws.count('UpdateStack')).toBe(0);
    expect(aws.trafficColor(DEV_STACK)).toBeUndefined();
  });

  test('a weighted forward whose heaviest group is the live fleet is no drift: the deploy goes on', async () => {
    const o = aws.outputs(DEV_STACK);
    aws.elb.modifyListener({
      ListenerArn: o.ProductionListenerArn,
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: o.BlueTargetGroupArn, Weight: 90 }, { TargetGroupArn: o.GreenTargetGroupArn, Weight: 10 }] } }],
    });
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
  });
});
