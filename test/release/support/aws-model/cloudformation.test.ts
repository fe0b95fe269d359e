import { CancelUpdateStackCommand, CloudFormationClient, ContinueUpdateRollbackCommand, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsModel, imageRef } from './index';

const STACK = 'bgf-dev-api';
const cfn = new CloudFormationClient({ region: 'ap-northeast-1' });
const CAPS = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

let aws: AwsModel;
beforeEach(() => {
  aws = new AwsModel().install();
  aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
});
afterEach(() => aws.restore());

/** An UpdateStack of some parameters with the previous template, as the release CLI sends it. */
function update(changes: Record<string, string>, extra: Partial<{ ClientRequestToken: string; RoleARN: string }> = {}) {
  const keys = Object.keys(aws.stack(STACK).parameters);
  return cfn.send(
    new UpdateStackCommand({
      StackName: STACK,
      UsePreviousTemplate: true,
      Capabilities: [...CAPS],
      Parameters: keys.map((k) => (k in changes ? { ParameterKey: k, ParameterValue: changes[k] } : { ParameterKey: k, UsePreviousValue: true })),
      ...extra,
    }),
  );
}

async function status(): Promise<string> {
  return (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks![0].StackStatus!;
}

/** Every status the stack passes through while the cloud runs for `ms`. */
async function statusesFor(ms: number): Promise<string[]> {
  const seen: string[] = [];
  for (let t = 0; t < ms; t += 1_000) {
    await aws.runFor(1_000);
    if (seen[seen.length - 1] !== aws.status(STACK)) seen.push(aws.status(STACK));
  }
  return seen;
}

async function resourceEvents(): Promise<string[]> {
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents!;
  return events
    .filter((e) => e.LogicalResourceId !== STACK)
    .reverse()
    .map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
}

describe('a stack update takes time', () => {
  test('UpdateStack returns while the update runs; it goes IN_PROGRESS, CLEANUP, COMPLETE', async () => {
    aws.timings.callMs = 0;
    await update({ LiveColor: 'green' });
    expect(await status()).toBe('UPDATE_IN_PROGRESS');
    expect(aws.trafficColor(STACK)).toBe('blue');
    expect(await statusesFor(120_000)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(aws.trafficColor(STACK)).toBe('green');
    expect(aws.trafficColor(STACK, 'Test')).toBe('blue');
  });

  test('a second UpdateStack during the update is refused as AWS refuses it', async () => {
    await update({ LiveColor: 'green' });
    const id = aws.stack(STACK).id;
    await expect(update({ StandbyMinTasks: '1' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack:${id} is in UPDATE_IN_PROGRESS state and can not be updated.`,
    });
  });

  test('updates only the resources whose resolved properties change', async () => {
    await update({ LiveColor: 'green' });
    await aws.settleStack(STACK);
    const changed = (await resourceEvents()).filter((e) => e.endsWith('UPDATE_COMPLETE')).map((e) => e.split(' ')[0]);
    // With a cold standby, LiveColor also decides which fleet's service has DesiredCount 0 and which
    // group has MaxSize 0; task definitions, launch templates and alarms resolve the same and stay.
    expect(changed.sort()).toEqual([
      'ServiceBlueAutoScalingGroupASG2860B6F2',
      'ServiceBlueScalableTarget145BB5BE',
      'ServiceBlueService19690AD0',
      'ServiceGreenAutoScalingGroupASGB1E521FF',
      'ServiceGreenScalableTarget88AFF8E6',
      'ServiceGreenServiceE2D365C2',
      'ServiceProductionListenerAC94E940',
      'ServiceTestListenerDFA48312',
    ]);
  });

  test('the same parameters again: "No updates are to be performed." as a ValidationError', async () => {
    await expect(update({})).rejects.toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
    await expect(update({ LiveColor: 'blue' })).rejects.toMatchObject({ message: 'No updates are to be performed.' });
  });

  test('a parameter left out takes its Default, not its previous value; one without a default must be given', async () => {
    await cfn.send(new UpdateStackCommand({ StackName: STACK, UsePreviousTemplate: true, Capabilities: [...CAPS], Parameters: [] })).catch((e) => {
      expect(e.message).toMatch(/^Parameters: \[BlueImage, GreenImage, BlueAmi, GreenAmi\] must have values$/);
    });
    expect.assertions(1);
  });

  test('values are checked against the template: AllowedValues, MaxValue, AllowedPattern', async () => {
    await expect(update({ LiveColor: 'red' })).rejects.toMatchObject({ message: "Parameter 'LiveColor' must be one of AllowedValues" });
    await expect(update({ StandbyMinTasks: '101' })).rejects.toMatchObject({ message: "Parameter 'StandbyMinTasks' must be a number not greater than 100" });
    await expect(update({ GreenImage: 'nginx:latest' })).rejects.toMatchObject({ message: expect.stringMatching(/^Parameter 'GreenImage' failed to satisfy constraint: must be an ECR image pinned by digest/) });
  });

  test('a retry with the same ClientRequestToken starts nothing new; the token with another request is refused', async () => {
    const first = await update({ LiveColor: 'green' }, { ClientRequestToken: 'release-1' });
    const again = await update({ LiveColor: 'green' }, { ClientRequestToken: 'release-1' });
    expect(again.StackId).toBe(first.StackId);
    await aws.settleStack(STACK);
    expect((await resourceEvents()).filter((e) => e.startsWith('ServiceProductionListener') && e.endsWith('UPDATE_COMPLETE'))).toHaveLength(1);
    await expect(update({ LiveColor: 'blue' }, { ClientRequestToken: 'release-1' })).rejects.toMatchObject({ name: 'TokenAlreadyExistsException' });
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents!;
    expect(events.filter((e) => e.ClientRequestToken === 'release-1').length).toBeGreaterThan(4);
  });
});

describe('a failed update rolls back and restores what it changed', () => {
  test('the listener it had flipped is flipped back; the root cause is only in the events', async () => {
    aws.failResource(STACK, 'ServiceTestListener', 'Resource handler returned message: "Listener port 8080 is in use"');
    await update({ LiveColor: 'green' });
    const seen: string[] = [];
    let trafficDuringUpdate: string | undefined;
    for (let i = 0; i < 120 && (aws.stack(STACK).busy() || seen.length === 0); i++) {
      await aws.runFor(1_000);
      if (aws.status(STACK) === 'UPDATE_IN_PROGRESS' && aws.trafficColor(STACK) === 'green') trafficDuringUpdate = 'green';
      if (seen[seen.length - 1] !== aws.status(STACK)) seen.push(aws.status(STACK));
    }
    expect(trafficDuringUpdate).toBe('green');
    expect(seen).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    expect(aws.trafficColor(STACK)).toBe('blue');
    expect(aws.param(STACK, 'LiveColor')).toBe('blue');
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks![0];
    expect(s.StackStatusReason).toBe('The following resource(s) failed to update: [ServiceTestListenerDFA48312]. ');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')).toMatchObject({ LogicalResourceId: 'ServiceTestListenerDFA48312', ResourceStatusReason: expect.stringContaining('Listener port 8080 is in use') });
    expect(await resourceEvents()).toEqual(
      expect.arrayContaining(['ServiceProductionListenerAC94E940 UPDATE_IN_PROGRESS', 'ServiceProductionListenerAC94E940 UPDATE_COMPLETE', 'ServiceTestListenerDFA48312 UPDATE_FAILED']),
    );
    const order = await resourceEvents();
    expect(order.lastIndexOf('ServiceProductionListenerAC94E940 UPDATE_COMPLETE')).toBeGreaterThan(order.indexOf('ServiceTestListenerDFA48312 UPDATE_FAILED'));
  });

  test('a restore that fails leaves UPDATE_ROLLBACK_FAILED; UpdateStack is refused; ContinueUpdateRollback finishes', async () => {
    aws.failResource(STACK, 'ServiceTestListener', 'update failed');
    aws.failResource(STACK, 'ServiceProductionListener', 'Resource handler returned message: "Rate exceeded"', { phase: 'rollback' });
    await update({ LiveColor: 'green' });
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_FAILED');
    expect(aws.trafficColor(STACK)).toBe('green');
    await expect(update({ LiveColor: 'blue' })).rejects.toMatchObject({ message: expect.stringMatching(/is in UPDATE_ROLLBACK_FAILED state and can not be updated\.$/) });
    await cfn.send(new ContinueUpdateRollbackCommand({ StackName: STACK }));
    expect(await status()).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(aws.trafficColor(STACK)).toBe('blue');
    await expect(cfn.send(new ContinueUpdateRollbackCommand({ StackName: STACK }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('ContinueUpdateRollback with ResourcesToSkip marks the resource done without restoring it', async () => {
    aws.failResource(STACK, 'ServiceTestListener', 'update failed');
    aws.failResource(STACK, 'ServiceProductionListener', 'restore failed', { phase: 'rollback' });
    await update({ LiveColor: 'green' });
    await aws.settleStack(STACK);
    await cfn.send(new ContinueUpdateRollbackCommand({ StackName: STACK, ResourcesToSkip: ['ServiceProductionListenerAC94E940'] }));
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(aws.trafficColor(STACK)).toBe('green');
  });
});

describe('CancelUpdateStack', () => {
  test('rolls back what the update had changed; refused when no update runs', async () => {
    aws.timings.callMs = 0;
    await update({ LiveColor: 'green' });
    while (aws.trafficColor(STACK) !== 'green') await aws.runFor(1_000);
    await cfn.send(new CancelUpdateStackCommand({ StackName: STACK }));
    expect(await status()).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(aws.trafficColor(STACK)).toBe('blue');
    expect(aws.stack(STACK).events.some((e) => e.ResourceStatusReason === 'Resource update cancelled')).toBe(true);
    await expect(cfn.send(new CancelUpdateStackCommand({ StackName: STACK }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('drift', () => {
  test('a listener changed outside CloudFormation stays so through updates that do not change it, and is put back by one that does', async () => {
    const elb = new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' });
    const o = aws.outputs(STACK);
    await elb.send(new ModifyListenerCommand({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.GreenTargetGroupArn }] }));
    await update({ StandbyMinTasks: '1' });
    await aws.settleStack(STACK);
    expect(aws.trafficColor(STACK)).toBe('green');
    await update({ LiveColor: 'green' });
    await aws.settleStack(STACK);
    await update({ LiveColor: 'blue' });
    await aws.settleStack(STACK);
    expect(aws.trafficColor(STACK)).toBe('blue');
  });
});

describe('the roles updates run as', () => {
  test('the role named is kept for later updates; the narrow role cannot register a task definition', async () => {
    const narrow = aws.outputs(STACK).ParameterUpdateRoleArn;
    await update({ LiveColor: 'green' }, { RoleARN: narrow });
    await aws.settleStack(STACK);
    expect(aws.stack(STACK).roleArn).toBe(narrow);
    await update({ BlueImage: imageRef('v2') });
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')!.ResourceStatusReason).toMatch(/is not authorized to perform: ecs:RegisterTaskDefinition/);
    expect(aws.param(STACK, 'BlueImage')).toBe(imageRef('v1'));
  });

  test('SSM-typed parameters are resolved at every update: a missing one fails the call', async () => {
    aws.ssm.delete('/cdk-bootstrap/hnb659fds/version');
    await expect(update({ LiveColor: 'green' })).rejects.toMatchObject({ message: 'Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.' });
  });
});
