import { CloudFormationClient, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AwsModel, imageRef } from './index';

const region = 'ap-northeast-1';
const STACK = 'bgf-dev-api';
const cfn = new CloudFormationClient({ region });

let aws: AwsModel;
beforeEach(() => {
  aws = new AwsModel().install();
  aws.timings.callMs = 0;
  aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
});
afterEach(() => aws.restore());

describe('CloudFormation details', () => {
  test('UsePreviousValue keeps every parameter not changed; the template is the previous one', async () => {
    const before = { ...aws.stack(STACK).parameters };
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '1' });
    await aws.settleStack(STACK);
    expect(aws.stack(STACK).parameters).toEqual({ ...before, StandbyMinTasks: '1' });
  });

  test('an IAM template needs its capability', async () => {
    const Parameters = Object.keys(aws.stack(STACK).parameters).map((k) => (k === 'LiveColor' ? { ParameterKey: k, ParameterValue: 'green' } : { ParameterKey: k, UsePreviousValue: true }));
    await expect(cfn.send(new UpdateStackCommand({ StackName: STACK, UsePreviousTemplate: true, Parameters }))).rejects.toMatchObject({ name: 'InsufficientCapabilitiesException', message: 'Requires capabilities : [CAPABILITY_IAM]' });
  });

  test('a new image replaces the task definition: a new revision, the old one deleted in cleanup', async () => {
    const td = () => aws.stack(STACK).resources.get('ServiceBlueTaskDefinition9822CCCF')!.physicalId;
    const old = td();
    aws.updateOutOfBand(STACK, { BlueImage: imageRef('v2') });
    await aws.settleStack(STACK);
    expect(td()).not.toBe(old);
    const deleted = aws.stack(STACK).events.filter((e) => e.ResourceStatus === 'DELETE_COMPLETE').map((e) => e.PhysicalResourceId);
    expect(deleted).toEqual([old]);
    const cleanupAt = aws.stack(STACK).events.findIndex((e) => e.ResourceStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(aws.stack(STACK).events.findIndex((e) => e.ResourceStatus === 'DELETE_COMPLETE')).toBeGreaterThan(cleanupAt);
  });

  test('a rolled-back replacement: the old task definition is current again, the new one deleted', async () => {
    const td = () => aws.stack(STACK).resources.get('ServiceBlueTaskDefinition9822CCCF')!.physicalId;
    const old = td();
    aws.failResource(STACK, 'ServiceBlueService', 'Resource handler returned message: "service unavailable"');
    aws.updateOutOfBand(STACK, { BlueImage: imageRef('v2') });
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(td()).toBe(old);
    const deleted = aws.stack(STACK).events.filter((e) => e.ResourceStatus === 'DELETE_COMPLETE').map((e) => e.PhysicalResourceId);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).not.toBe(old);
  });

  test('parameters and outputs can carry a prefix', () => {
    aws.addServiceStack('bgf-staging-api', { prefix: 'Api', live: 'green' });
    expect(aws.param('bgf-staging-api', 'ApiLiveColor')).toBe('green');
    expect(aws.stack('bgf-staging-api').outputs().ApiProductionListenerArn).toBeDefined();
    expect(aws.trafficColor('bgf-staging-api')).toBe('green');
  });
});

describe('ELBv2', () => {
  const elb = new ElasticLoadBalancingV2Client({ region });

  test('ModifyListener to a target group that does not exist is refused; DescribeListeners shows the forward', async () => {
    const arn = aws.outputs(STACK).ProductionListenerArn;
    await expect(elb.send(new ModifyListenerCommand({ ListenerArn: arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: `${aws.outputs(STACK).BlueTargetGroupArn}x` }] }))).rejects.toMatchObject({ name: 'TargetGroupNotFound' });
    const l = (await elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }))).Listeners![0];
    expect(l.DefaultActions![0].TargetGroupArn).toBe(aws.outputs(STACK).BlueTargetGroupArn);
    await expect(elb.send(new DescribeListenersCommand({ ListenerArns: [`${arn}0`] }))).rejects.toMatchObject({ name: 'ListenerNotFound' });
  });
});

describe('Application Auto Scaling scheduled actions', () => {
  test('a scheduled action moves the count into its bounds, in and out', () => {
    aws.runScheduledAction(STACK, { min: 2, max: 2 });
    expect(aws.service(STACK, 'blue').desired).toBe(2);
    aws.runScheduledAction(STACK, { min: 0, max: 1 });
    expect(aws.service(STACK, 'blue').desired).toBe(1);
    aws.runScheduledAction(STACK, { min: 0, max: 2 });
    expect(aws.service(STACK, 'blue').desired).toBe(1);
  });
});

describe('Lambda retry settings', () => {
  test('MaximumRetryAttempts 0: a failed asynchronous invocation runs once', async () => {
    const fn = aws.outputs(STACK).AutoRollbackFunctionName;
    aws.lambda.get(fn).maximumRetryAttempts = 0;
    let runs = 0;
    aws.handle(STACK, 'AutoRollback', async () => {
      runs++;
      throw new Error('x');
    });
    await new LambdaClient({ region }).send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event' }));
    await aws.runFor(3_600_000);
    expect(runs).toBe(1);
  });

  test('an unknown function: ResourceNotFoundException', async () => {
    await expect(new LambdaClient({ region }).send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
