import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { BlueGreenService, FleetColor } from '../../../constructs';
import { buildService, resourceOf } from './support';

describe('BlueGreenService with only the required props', () => {
  let template: Template;
  let service: BlueGreenService;
  beforeAll(() => {
    ({ template, service } = buildService());
  });

  test('has two fleets behind one load balancer with a production and a test listener', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 2);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    template.resourceCountIs('AWS::ECS::CapacityProvider', 2);
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
  });

  test('everything of a fleet lives under <ServiceId>/Blue or <ServiceId>/Green', () => {
    for (const fleet of service.fleets) {
      const root = `SvcStack/Svc/${fleet.color === 'blue' ? 'Blue' : 'Green'}`;
      for (const c of [fleet.fleet.cluster, fleet.fleet.autoScalingGroup, fleet.fleet.launchTemplate, fleet.fleet.capacityProvider, fleet.taskDefinition, fleet.service, fleet.targetGroup, fleet.scalableTarget, ...fleet.alarms.all]) {
        expect(c.node.path.startsWith(`${root}/`)).toBe(true);
      }
    }
    for (const c of [service.loadBalancer, service.productionListener, service.testListener, service.parameters]) {
      expect(c.node.path).not.toMatch(/\/(Blue|Green)\//);
    }
  });

  test('the parameters are LiveColor (default blue), per-fleet images pinned by digest and AMIs, StandbyMinTasks (default 0, at most the fixed ceiling 100, not maxTasks)', () => {
    template.hasParameter('LiveColor', { Type: 'String', AllowedValues: ['blue', 'green'], Default: 'blue' });
    // A MaxValue of maxTasks would fail the next cdk deploy that lowers maxTasks while the standby is warm.
    template.hasParameter('StandbyMinTasks', { Type: 'Number', Default: 0, MinValue: 0, MaxValue: 100 });
    for (const color of ['Blue', 'Green']) {
      template.hasParameter(`${color}Image`, { Type: 'String', AllowedPattern: Match.stringLikeRegexp('@sha256') });
      template.hasParameter(`${color}Ami`, { Type: 'AWS::EC2::Image::Id' });
    }
  });

  test('only a cold standby has a desired count (0); each service has the circuit breaker with rollback, ECS Exec (default enableExecuteCommand), AZ spread and its own capacity provider', () => {
    for (const color of ['Blue', 'Green']) {
      const { resource } = resourceOf(template, 'AWS::ECS::Service', `Svc${color}Service`);
      expect(resource.Properties.DesiredCount).toEqual({ 'Fn::If': [`${color}IsLive`, { Ref: 'AWS::NoValue' }, { 'Fn::If': ['StandbyIsCold', 0, { Ref: 'AWS::NoValue' }] }] });
      expect(resource.Properties).toMatchObject({
        DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
        EnableExecuteCommand: true,
        PlacementStrategies: [{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'spread', Field: 'instanceId' }],
        CapacityProviderStrategy: [{ CapacityProvider: { Ref: resourceOf(template, 'AWS::ECS::CapacityProvider', `Svc${color}CapacityProvider`).id }, Weight: 1 }],
        HealthCheckGracePeriodSeconds: 60,
      });
      // The service waits for both listeners (its target group is attached through one of them) and the capacity provider association.
      const associations = resourceOf(template, 'AWS::ECS::ClusterCapacityProviderAssociations', `Svc${color}Cluster`).id;
      expect(resource.DependsOn).toEqual(expect.arrayContaining([associations, expect.stringMatching(/^SvcProductionListener/), expect.stringMatching(/^SvcTestListener/)]));
    }
  });

  test('awsvpc by default: ip target groups health-checked on / with a 30 s deregistration delay', () => {
    template.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { NetworkMode: 'awsvpc' }, 2);
    template.resourcePropertiesCountIs(
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      {
        TargetType: 'ip',
        Port: 8080,
        HealthCheckPath: '/',
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      },
      2,
    );
  });

  test('the container: 256 CPU units, 512 MiB hard limit, curl health check, awslogs per color, no env or secrets, root filesystem writable, image user', () => {
    for (const color of ['Blue', 'Green']) {
      const { resource } = resourceOf(template, 'AWS::ECS::TaskDefinition', `Svc${color}TaskDefinition`);
      const [container] = resource.Properties.ContainerDefinitions;
      expect(container).toMatchObject({
        Name: 'app',
        Image: { Ref: `${color}Image` },
        Cpu: 256,
        Memory: 512,
        ReadonlyRootFilesystem: false,
        PortMappings: [{ ContainerPort: 8080, HostPort: 8080, Protocol: 'tcp' }],
        HealthCheck: { Command: ['CMD-SHELL', 'curl -fsS -o /dev/null http://localhost:8080/ || exit 1'], Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 60 },
        LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': color.toLowerCase(), mode: 'non-blocking', 'awslogs-group': { Ref: expect.stringMatching(/^SvcLogs/) } } },
      });
      expect(container.User).toBeUndefined();
      expect(container.Secrets).toBeUndefined();
      expect((container.Environment ?? []).map((e: { Name: string }) => e.Name)).not.toContain('LOG_LEVEL');
    }
  });

  test('each fleet boots its own AMI parameter on up to 2 instances (default maxInstances) with a 30 GiB root (default rootVolumeSize)', () => {
    for (const color of ['Blue', 'Green']) {
      const { resource } = resourceOf(template, 'AWS::EC2::LaunchTemplate', `Svc${color}LaunchTemplate`);
      expect(resource.Properties.LaunchTemplateData).toMatchObject({
        ImageId: { Ref: `${color}Ami` },
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [{ Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }],
      });
      const asg = resourceOf(template, 'AWS::AutoScaling::AutoScalingGroup', `Svc${color}AutoScalingGroup`).resource;
      expect(asg.Properties).toMatchObject({
        MinSize: '0',
        MaxSize: { 'Fn::If': [`${color}IsLive`, '2', { 'Fn::If': ['StandbyIsCold', '0', '2'] }] },
        MixedInstancesPolicy: { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 100 } },
      });
      expect(asg.Properties.DesiredCapacity).toBeUndefined();
    }
    // Pinned: no SSM-resolved "latest" image anywhere.
    const types = Object.values((template.toJSON() as { Parameters: Record<string, { Type: string }> }).Parameters).map((p) => p.Type);
    expect(types.filter((t) => t.startsWith('AWS::SSM::Parameter::Value') && t !== 'AWS::SSM::Parameter::Value<String>')).toEqual([]);
  });

  test('scaling: live 1..2, standby StandbyMinTasks (at most 2)..2 and 0..0 while cold, CPU tracking at 60%', () => {
    for (const color of ['Blue', 'Green']) {
      const { resource } = resourceOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget', `Svc${color}ScalableTarget`);
      expect(resource.Properties).toMatchObject({
        MinCapacity: { 'Fn::If': [`${color}IsLive`, 1, { 'Fn::If': ['StandbyIsCold', 0, { 'Fn::Select': [{ Ref: 'StandbyMinTasks' }, expect.any(Array)] }] }] },
        MaxCapacity: { 'Fn::If': [`${color}IsLive`, 2, { 'Fn::If': ['StandbyIsCold', 0, 2] }] },
        ScalableDimension: 'ecs:service:DesiredCount',
        RoleARN: expect.stringMatching(/aws-service-role\/ecs\.application-autoscaling\.amazonaws\.com\/AWSServiceRoleForApplicationAutoScaling_ECSService$/),
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }) },
      2,
    );
  });

  test('an internal load balancer, no deletion protection, invalid headers dropped, no access logs; HTTP listeners on 80 and 8080', () => {
    const { resource } = resourceOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'SvcLoadBalancer');
    expect(resource.Properties.Scheme).toBe('internal');
    expect(resource.Properties.LoadBalancerAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    );
    expect(JSON.stringify(resource.Properties.LoadBalancerAttributes)).not.toContain('access_logs');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', Certificates: Match.absent() });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, Protocol: 'HTTP' });
  });

  test('the log group keeps 30 days, is retained on delete and uses CloudWatch Logs encryption (defaults)', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: Match.absent() },
      DeletionPolicy: 'Retain',
    });
  });

  test('the only unscoped (Resource *) statements sit in policies of their own: ECS Exec on the task role, the registry login on the execution role', () => {
    const unscoped: string[] = [];
    // (The instance roles are the Fleet's: the ECS agent's own calls, test/constructs/fleet.)
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy')).filter(([i]) => i.includes('TaskDefinition'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) if (statement.Resource === '*') unscoped.push(`${id.replace(/[0-9A-F]{8}$/, '')} ${[statement.Action].flat().join(',')}`);
    }
    const exec = 'ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel';
    expect(unscoped.sort()).toEqual(
      ['Blue', 'Green'].flatMap((c) => [`Svc${c}TaskDefinitionExecutionRoleRegistryLoginPolicy ecr:GetAuthorizationToken`, `Svc${c}TaskDefinitionTaskRoleExecCommandPolicy ${exec}`]).sort(),
    );
    for (const color of ['Blue', 'Green']) {
      const execPolicy = resourceOf(template, 'AWS::IAM::Policy', `Svc${color}TaskDefinitionTaskRoleExecCommandPolicy`);
      expect(execPolicy.resource.Properties.Roles).toEqual([{ Ref: resourceOf(template, 'AWS::IAM::Role', `Svc${color}TaskDefinitionTaskRole`).id }]);
      expect(resourceOf(template, 'AWS::ECS::Service', `Svc${color}Service`).resource.DependsOn).toContain(execPolicy.id);
    }
  });

  test('without a repository, the execution role may pull only from the repository named in its image parameter', () => {
    const { resource } = resourceOf(template, 'AWS::IAM::Policy', 'SvcBlueTaskDefinitionExecutionRoleDefaultPolicy');
    const pull = resource.Properties.PolicyDocument.Statement.find((s: { Action: unknown }) => JSON.stringify(s.Action).includes('ecr:BatchGetImage'));
    const arn = JSON.stringify(pull.Resource);
    expect(arn).toContain(':repository/');
    expect(arn).toContain('{"Ref":"BlueImage"}');
    expect(arn).not.toContain('GreenImage');
    expect(arn).not.toMatch(/repository\/\*"/);
  });

  test('per-fleet alarms (5% target 5xx, unhealthy hosts, p99 over 2 s; 5 minutes) never fire on missing data and have no actions', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { TreatMissingData: 'notBreaching', EvaluationPeriods: 5, DatapointsToAlarm: 5, AlarmActions: Match.absent(), ActionsEnabled: Match.absent() }, 6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'SvcStack-api-blue-target-5xx-rate', Threshold: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'SvcStack-api-green-unhealthy-hosts', Threshold: 1, MetricName: 'UnHealthyHostCount', Statistic: 'Minimum' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'SvcStack-api-blue-response-time-p99', Threshold: 2, ExtendedStatistic: 'p99' });
    expect(service.blue.alarms.all).toHaveLength(3);
  });

  test('outputs carry the contract names; no DNS name without a hosted zone', () => {
    const outputs = Object.keys((template.toJSON() as { Outputs: object }).Outputs);
    expect(outputs.sort()).toEqual(
      [
        'ProductionListenerArn', 'TestListenerArn', 'TestListenerPort', 'LoadBalancerDnsName',
        ...['Blue', 'Green'].flatMap((c) => ['TargetGroupArn', 'ClusterName', 'ServiceName', 'AutoScalingGroupName', 'AlarmNames'].map((n) => `${c}${n}`)),
      ].sort(),
    );
    template.hasOutput('TestListenerPort', { Value: '8080' });
    template.hasOutput('BlueAlarmNames', { Value: { 'Fn::Join': [',', [{ Ref: Match.stringLikeRegexp('SvcBlueErrorRate') }, Match.anyValue(), Match.anyValue()]] } });
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(service.dnsName).toBeUndefined();
  });
});

describe('BlueGreenService as IReleasableService and IScheduledService', () => {
  const { service } = buildService({ maxTasks: 6 });
  // Identity checks only: a deep comparison would walk the whole construct tree.
  const same = (actual: object, expected: object) => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expect([key, (actual as Record<string, unknown>)[key] === value]).toEqual([key, true]);
  };

  test('releaseParts: its listeners, test port, maxTasks and each fleet with its instances and task definition', () => {
    const parts = service.releaseParts;
    const { blue, green, ...rest } = parts;
    same(rest, { serviceName: 'api', loadBalancer: service.loadBalancer, productionListener: service.productionListener, testListener: service.testListener, testListenerPort: 8080, testListenerProtocol: elbv2.ApplicationProtocol.HTTP, tlsServerName: undefined, maxTasks: 6 });
    for (const [color, part] of [[FleetColor.BLUE, blue], [FleetColor.GREEN, green]] as const) {
      const fleet = service.fleet(color);
      const { alarms, fleet: instances, ...refs } = part;
      same(refs, { targetGroup: fleet.targetGroup, service: fleet.service, taskDefinition: fleet.taskDefinition });
      same(instances!, { cluster: fleet.fleet.cluster, autoScalingGroup: fleet.fleet.autoScalingGroup, launchTemplate: fleet.fleet.launchTemplate, instanceRole: fleet.fleet.instanceRole });
      expect(alarms.all.length).toBe(3);
      alarms.all.forEach((alarm, i) => expect(alarm).toBe(fleet.alarms.all[i]));
    }
    expect(blue.targetGroup).not.toBe(green.targetGroup);
  });

  test('scheduleParts: both fleets, blue first, with their scalable targets and live conditions, and maxTasks', () => {
    const { fleets, ...rest } = service.scheduleParts;
    same(rest, { serviceName: 'api', maxTasks: 6 });
    expect(fleets.length).toBe(2);
    same(fleets[0], { color: 'blue', scalableTarget: service.blue.scalableTarget, isLive: service.blue.isLive });
    same(fleets[1], { color: 'green', scalableTarget: service.green.scalableTarget, isLive: service.green.isLive });
  });
});
