import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsModel, imageRef } from './index';

const STACK = 'bgf-dev-api';
const region = 'ap-northeast-1';
const ecs = new ECSClient({ region });
const elb = new ElasticLoadBalancingV2Client({ region });
const aas = new ApplicationAutoScalingClient({ region });

let aws: AwsModel;
beforeEach(() => {
  aws = new AwsModel().install();
  aws.timings.callMs = 0;
  aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
});
afterEach(() => aws.restore());

async function health(color: 'blue' | 'green'): Promise<string[]> {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: aws.targetGroupArn(STACK, color) }));
  return out.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State!);
}

describe('capacity follows the scalable target, and only into its range', () => {
  test('raising the standby minimum raises its count; lowering only the minimum leaves the count; a cold range 0..0 takes it to zero', async () => {
    expect(aws.service(STACK, 'green').desired).toBe(0);
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '2' });
    await aws.settleStack(STACK);
    expect(aws.service(STACK, 'green').desired).toBe(2);
    const id = aws.resourceId(STACK, 'green');
    const max = aws.scalableTarget(STACK, 'green').max;
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 0, MaxCapacity: max }));
    expect(aws.service(STACK, 'green').desired).toBe(2);
    // The template's cold standby: StandbyMinTasks 0 makes the range 0..0, so the count must go.
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '0' });
    await aws.settleStack(STACK);
    expect(aws.scalableTarget(STACK, 'green')).toMatchObject({ min: 0, max: 0 });
    expect(aws.service(STACK, 'green').desired).toBe(0);
  });

  test('RegisterScalableTarget with a maximum below the count lowers it; min above max is refused', async () => {
    const id = aws.resourceId(STACK, 'blue');
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 2 }));
    expect(aws.service(STACK, 'blue').desired).toBe(2);
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 0, MaxCapacity: 1 }));
    expect(aws.service(STACK, 'blue').desired).toBe(1);
    await expect(aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 3, MaxCapacity: 1 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('tasks and targets take time', () => {
  test('new tasks go PROVISIONING, PENDING, RUNNING; their targets initial then healthy', async () => {
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '2' });
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      await aws.runFor(1_000);
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: aws.outputs(STACK).GreenClusterName, services: [aws.outputs(STACK).GreenServiceName] }))).services![0];
      seen.add(`desired=${s.desiredCount} pending=${s.pendingCount} running=${s.runningCount} targets=${(await health('green')).join(',')}`);
    }
    // The first second: the stack update has not reached the scalable target yet.
    expect([...seen]).toEqual(['desired=0 pending=0 running=0 targets=', 'desired=2 pending=2 running=0 targets=', 'desired=2 pending=0 running=2 targets=initial,initial', 'desired=2 pending=0 running=2 targets=healthy,healthy']);
  });

  test('a new image: a new deployment; the old tasks drain for the deregistration delay; CloudFormation waits for the service', async () => {
    aws.scaleTo(STACK, 'blue', 2);
    await aws.runFor(120_000);
    aws.updateOutOfBand(STACK, { BlueImage: imageRef('v2') });
    let sawTwoDeployments = false;
    let sawDraining = false;
    while (aws.stack(STACK).busy()) {
      await aws.runFor(1_000);
      if (aws.service(STACK, 'blue').deployments === 2) sawTwoDeployments = true;
      if ((await health('blue')).includes('draining')) {
        sawDraining = true;
        expect(aws.status(STACK)).toBe('UPDATE_IN_PROGRESS');
      }
    }
    expect(sawTwoDeployments && sawDraining).toBe(true);
    expect(aws.status(STACK)).toBe('UPDATE_COMPLETE');
    expect(await health('blue')).toEqual(['healthy', 'healthy']);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: aws.outputs(STACK).BlueClusterName, services: [aws.outputs(STACK).BlueServiceName] }))).services![0];
    expect(svc.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: expect.stringMatching(/:2$/) })]);
  });

  test('tasks that fail to start trip the circuit breaker: ECS rolls back, the stack update fails and rolls back', async () => {
    aws.service(STACK, 'blue').model.failing = { reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' };
    aws.updateOutOfBand(STACK, { BlueImage: imageRef('v2') });
    expect(await aws.settleStack(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    const failed = aws.stack(STACK).events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')!;
    expect(failed.LogicalResourceId).toBe('ServiceBlueService19690AD0');
    expect(failed.ResourceStatusReason).toMatch(/ECS Deployment Circuit Breaker was triggered/);
    expect(aws.service(STACK, 'blue').model.events.map((e) => e.message).join('\n')).toMatch(/CannotPullContainerError/);
    expect(aws.param(STACK, 'BlueImage')).toBe(imageRef('v1'));
  });

  test('unhealthy checks: targets go initial then unhealthy', async () => {
    aws.setTargetHealth(STACK, 'green', 'unhealthy');
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '1' });
    await aws.runFor(300_000);
    expect(await health('green')).toEqual(['unhealthy']);
  });
});
