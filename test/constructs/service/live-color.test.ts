import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FleetOptions } from '../../../constructs';
import { buildService, changedResources, resourceOf, resourcesFor } from './support';

const IMAGE = (digit: string) => `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${digit.repeat(64)}`;
const PARAMS = { BlueImage: IMAGE('a'), GreenImage: IMAGE('b'), BlueAmi: 'ami-0aaaaaaaaaaaaaaaa', GreenAmi: 'ami-0bbbbbbbbbbbbbbbb', StandbyMinTasks: '2' };

describe('flipping LiveColor', () => {
  let template: Template;
  let blueLive: Record<string, any>;
  let greenLive: Record<string, any>;
  beforeAll(() => {
    ({ template } = buildService({ minTasks: 3, maxTasks: 6 }));
    blueLive = resourcesFor(template, { ...PARAMS, LiveColor: 'blue' });
    greenLive = resourcesFor(template, { ...PARAMS, LiveColor: 'green' });
  });

  test('changes only the two listeners and the two scalable targets', () => {
    const ids = (type: string, prefix: string) => resourceOf(template, type, prefix).id;
    expect(changedResources(blueLive, greenLive)).toEqual(
      [
        ids('AWS::ElasticLoadBalancingV2::Listener', 'SvcProductionListener'),
        ids('AWS::ElasticLoadBalancingV2::Listener', 'SvcTestListener'),
        ids('AWS::ApplicationAutoScaling::ScalableTarget', 'SvcBlueScalableTarget'),
        ids('AWS::ApplicationAutoScaling::ScalableTarget', 'SvcGreenScalableTarget'),
      ].sort(),
    );
  });

  test('the production listener follows the live fleet and the test listener the standby', () => {
    const tg = (color: string) => ({ Ref: resourceOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', `Svc${color}TargetGroup`).id });
    const forward = (resources: Record<string, any>, prefix: string) =>
      Object.entries(resources).find(([id]) => id.startsWith(prefix))![1].Properties.DefaultActions;
    expect(forward(blueLive, 'SvcProductionListener')).toEqual([{ Type: 'forward', TargetGroupArn: tg('Blue') }]);
    expect(forward(blueLive, 'SvcTestListener')).toEqual([{ Type: 'forward', TargetGroupArn: tg('Green') }]);
    expect(forward(greenLive, 'SvcProductionListener')).toEqual([{ Type: 'forward', TargetGroupArn: tg('Green') }]);
    expect(forward(greenLive, 'SvcTestListener')).toEqual([{ Type: 'forward', TargetGroupArn: tg('Blue') }]);
  });

  test('the minimum follows the live fleet; the maximum does not change', () => {
    const target = (resources: Record<string, any>, color: string) =>
      Object.entries(resources).find(([id]) => id.startsWith(`Svc${color}ScalableTarget`))![1].Properties;
    expect(target(blueLive, 'Blue')).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
    expect(target(blueLive, 'Green')).toMatchObject({ MinCapacity: '2', MaxCapacity: 6 });
    expect(target(greenLive, 'Blue')).toMatchObject({ MinCapacity: '2', MaxCapacity: 6 });
    expect(target(greenLive, 'Green')).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
  });

  test('only the live-color conditions use LiveColor', () => {
    const json = JSON.stringify((template.toJSON() as { Resources: object }).Resources);
    expect(json).not.toContain('"Ref":"LiveColor"');
    // StandbyIsCold reads StandbyMinTasks, not LiveColor.
    expect(Object.keys((template.toJSON() as { Conditions: object }).Conditions).sort()).toEqual(['BlueIsLive', 'GreenIsLive', 'StandbyIsCold']);
  });
});

describe('cold means zero (StandbyMinTasks 0), from the first create on', () => {
  // RegisterScalableTarget only moves capacity into the new range and target tracking rounds up,
  // so only a 0..0 range guarantees zero tasks; an ECS service without DesiredCount starts at 1
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount).
  let template: Template;
  const of = (resources: Record<string, any>, prefix: string) => Object.entries(resources).find(([id]) => id.startsWith(prefix))![1].Properties;
  beforeAll(() => {
    ({ template } = buildService({ minTasks: 3, maxTasks: 6, fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], maxInstances: 4 } }));
  });

  test('the defaults (the first create) give the standby range 0..0, DesiredCount 0 and an Auto Scaling group of at most 0', () => {
    const defaults = { ...PARAMS, StandbyMinTasks: String(template.toJSON().Parameters.StandbyMinTasks.Default), LiveColor: template.toJSON().Parameters.LiveColor.Default };
    const created = resourcesFor(template, defaults);
    expect(of(created, 'SvcGreenScalableTarget')).toMatchObject({ MinCapacity: 0, MaxCapacity: 0 });
    expect(of(created, 'SvcGreenService').DesiredCount).toBe(0);
    expect(of(created, 'SvcGreenAutoScalingGroup')).toMatchObject({ MinSize: '0', MaxSize: '0' });
    // The live fleet carries no DesiredCount (an update would reset what scaling set) and its own bounds.
    expect(of(created, 'SvcBlueScalableTarget')).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
    expect(of(created, 'SvcBlueService').DesiredCount).toBeUndefined();
    expect(of(created, 'SvcBlueAutoScalingGroup')).toMatchObject({ MaxSize: '4' });
  });

  test('a warm standby keeps its tasks: no DesiredCount, range StandbyMinTasks..maxTasks, the group up to maxInstances', () => {
    const warm = resourcesFor(template, { ...PARAMS, LiveColor: 'green', StandbyMinTasks: '3' });
    expect(of(warm, 'SvcBlueScalableTarget')).toMatchObject({ MinCapacity: '3', MaxCapacity: 6 });
    expect(of(warm, 'SvcBlueService').DesiredCount).toBeUndefined();
    expect(of(warm, 'SvcBlueAutoScalingGroup')).toMatchObject({ MaxSize: '4' });
  });

  test('a StandbyMinTasks above maxTasks (left from a larger maxTasks) counts as maxTasks, never a minimum above the maximum', () => {
    const left = resourcesFor(template, { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '12' });
    expect(of(left, 'SvcGreenScalableTarget')).toMatchObject({ MinCapacity: '6', MaxCapacity: 6 });
  });

  test('cooling (StandbyMinTasks to 0) changes only the standby\'s target, service and group', () => {
    const ids = ['SvcGreenScalableTarget', 'SvcGreenService', 'SvcGreenAutoScalingGroup'].map((p) => Object.keys(template.toJSON().Resources).find((id) => id.startsWith(p))!);
    expect(changedResources(resourcesFor(template, { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '3' }), resourcesFor(template, { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '0' }))).toEqual(ids.sort());
  });
});

describe('flipping LiveColor with alarmActions', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildService({}, { props: (s) => ({ alarms: { alarmActions: [new cwActions.SnsAction(new sns.Topic(s, 'Pager'))] } }) }));
  });
  const alarms = (resources: Record<string, any>, color: string) =>
    Object.entries(resources).filter(([id]) => id.startsWith(`Svc${color}`) && (resources[id] as { Type: string }).Type === 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);

  test.each([
    ['blue', 'Blue', 'Green'],
    ['green', 'Green', 'Blue'],
  ])('with %s live, only its alarms run their actions; the standby\'s keep them but stay silent', (live, liveFleet, standby) => {
    const resources = resourcesFor(template, { ...PARAMS, LiveColor: live });
    expect(alarms(resources, liveFleet)).toHaveLength(3);
    for (const alarm of alarms(resources, liveFleet)) expect(alarm).toMatchObject({ ActionsEnabled: true, AlarmActions: [{ Ref: expect.stringMatching(/^Pager/) }] });
    for (const alarm of alarms(resources, standby)) expect(alarm).toMatchObject({ ActionsEnabled: false, AlarmActions: [{ Ref: expect.stringMatching(/^Pager/) }] });
  });

  test('changes the listeners, the scalable targets and the six alarms, nothing else', () => {
    const changed = changedResources(resourcesFor(template, { ...PARAMS, LiveColor: 'blue' }), resourcesFor(template, { ...PARAMS, LiveColor: 'green' }));
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmIds).toHaveLength(6);
    expect(changed).toEqual(
      [
        ...alarmIds,
        resourceOf(template, 'AWS::ElasticLoadBalancingV2::Listener', 'SvcProductionListener').id,
        resourceOf(template, 'AWS::ElasticLoadBalancingV2::Listener', 'SvcTestListener').id,
        resourceOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget', 'SvcBlueScalableTarget').id,
        resourceOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget', 'SvcGreenScalableTarget').id,
      ].sort(),
    );
  });
});

describe('a change to one fleet', () => {
  let base: Template;
  beforeAll(() => {
    ({ template: base } = buildService({ fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], cpu: 256, environment: { MODE: 'a' } } }));
  });

  const fleetOf = (id: string) => (id.startsWith('SvcBlue') ? 'blue' : id.startsWith('SvcGreen') ? 'green' : 'shared');

  test('a green override touches green resources only', () => {
    const { template } = buildService({
      fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], cpu: 256, environment: { MODE: 'a' } },
      green: { cpu: 512, instanceTypes: [new ec2.InstanceType('t3.large')], environment: { MODE: 'b' }, maxInstances: 4 },
    });
    const changed = changedResources(resourcesFor(base, { LiveColor: 'blue' }), resourcesFor(template, { LiveColor: 'blue' }));
    expect(changed).toEqual(
      [resourceOf(base, 'AWS::ECS::TaskDefinition', 'SvcGreenTaskDefinition').id, resourceOf(base, 'AWS::AutoScaling::AutoScalingGroup', 'SvcGreenAutoScalingGroup').id].sort(),
    );
    expect(new Set(changed.map(fleetOf))).toEqual(new Set(['green']));
  });

  const TASK_DEFINITION = ['AWS::ECS::TaskDefinition', 'SvcGreenTaskDefinition'];
  const TARGET_GROUP = ['AWS::ElasticLoadBalancingV2::TargetGroup', 'SvcGreenTargetGroup'];
  const SERVICE = ['AWS::ECS::Service', 'SvcGreenService'];
  test.each<[string, Partial<FleetOptions>, string[][]]>([
    // The default container health check requests the fleet's own health path.
    ['healthCheckPath', { healthCheckPath: '/ready' }, [TASK_DEFINITION, TARGET_GROUP]],
    ['containerHealthCheck', { containerHealthCheck: { command: ['CMD', '/bin/health'] } }, [TASK_DEFINITION]],
    ['readonlyRootFilesystem', { readonlyRootFilesystem: true }, [TASK_DEFINITION]],
    ['user', { user: '1000:1000' }, [TASK_DEFINITION]],
    ['healthCheckGracePeriod', { healthCheckGracePeriod: Duration.seconds(300) }, [SERVICE]],
    ['deregistrationDelay', { deregistrationDelay: Duration.seconds(5) }, [TARGET_GROUP]],
  ])('a green %s override touches green resources only', (_field, green, expected) => {
    const { template } = buildService({ fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], cpu: 256, environment: { MODE: 'a' } }, green });
    const changed = changedResources(resourcesFor(base, { LiveColor: 'blue' }), resourcesFor(template, { LiveColor: 'blue' }));
    expect(changed).toEqual(expected.map(([type, prefix]) => resourceOf(base, type, prefix).id).sort());
  });

  test('a change to the shared spec touches both fleets, the live one included', () => {
    const { template } = buildService({ fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], cpu: 512, environment: { MODE: 'a' } } });
    const changed = changedResources(resourcesFor(base, { LiveColor: 'blue' }), resourcesFor(template, { LiveColor: 'blue' }));
    expect(new Set(changed.map(fleetOf))).toEqual(new Set(['blue', 'green']));
  });

  test('a new image or AMI for the standby reaches only the standby', () => {
    const before = resourcesFor(base, { ...PARAMS, LiveColor: 'blue' });
    const image = changedResources(before, resourcesFor(base, { ...PARAMS, LiveColor: 'blue', GreenImage: IMAGE('c') }));
    const ami = changedResources(before, resourcesFor(base, { ...PARAMS, LiveColor: 'blue', GreenAmi: 'ami-0cccccccccccccccc' }));
    expect(image).toEqual([resourceOf(base, 'AWS::ECS::TaskDefinition', 'SvcGreenTaskDefinition').id, resourceOf(base, 'AWS::IAM::Policy', 'SvcGreenTaskDefinitionExecutionRoleDefaultPolicy').id].sort());
    expect(ami).toEqual([resourceOf(base, 'AWS::EC2::LaunchTemplate', 'SvcGreenLaunchTemplate').id]);
  });

  test('an override field replaces the shared one as a whole (environment is not merged key by key)', () => {
    const { template } = buildService({
      fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')], environment: { A: '1', B: '2' } },
      blue: { environment: { A: '9' }, cpu: undefined },
    });
    const env = (color: string) => {
      const td = resourceOf(template, 'AWS::ECS::TaskDefinition', `Svc${color}TaskDefinition`).resource;
      return (td.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: string }>).filter((e) => e.Name !== 'AWS_REGION');
    };
    expect(env('Blue')).toEqual([{ Name: 'A', Value: '9' }]);
    expect(env('Green')).toEqual([{ Name: 'A', Value: '1' }, { Name: 'B', Value: '2' }]);
    // `cpu: undefined` in an override means "not overridden": the shared default stays.
    expect(resourceOf(template, 'AWS::ECS::TaskDefinition', 'SvcBlueTaskDefinition').resource.Properties.ContainerDefinitions[0].Cpu).toBe(256);
  });
});
