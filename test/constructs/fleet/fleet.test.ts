import { CfnParameter, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Fleet, FleetProps } from '../../../constructs';
import { newApp } from '../../support/synth';

const AMI = 'ami-0123456789abcdef0';

function build(props: Partial<FleetProps> = {}): { stack: Stack; fleet: Fleet; template: Template } {
  const app = newApp();
  const stack = new Stack(app, 'FleetStack', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const fleet = new Fleet(stack, 'Blue', { vpc, imageId: AMI, instanceTypes: [new ec2.InstanceType('t3.medium')], ...props });
  return { stack, fleet, template: Template.fromStack(stack) };
}

/** The findings acknowledged on a construct itself, id to reason. */
function acknowledged(construct: { node: Stack['node'] }): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data));
}

const NITRO_IN_TRANSIT = 'cdk-validator-cfnguard::autoscaling_group_nitro_encryption_in_transit_override_check';

/** The user data script of the only launch template, with tokens flattened. */
function userData(template: Template): string {
  const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
  const parts = lt.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[];
  return parts.map((p) => (typeof p === 'string' ? p : '<token>')).join('');
}

describe('Fleet with only the required props', () => {
  let template: Template;
  let fleet: Fleet;
  beforeAll(() => {
    ({ template, fleet } = build());
  });

  test('is one cluster with Container Insights on (default containerInsights ENABLED)', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('the Auto Scaling group has bounds 0..2 (defaults), no desired capacity, and a template change replaces no instance', () => {
    const groups = template.findResources('AWS::AutoScaling::AutoScalingGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const [group] = Object.values(groups);
    expect(group.Properties).toMatchObject({ MinSize: '0', MaxSize: '2' });
    expect(group.Properties.NewInstancesProtectedFromScaleIn).toBeUndefined();
    expect(group.Properties.DesiredCapacity).toBeUndefined();
    // Only the scheduled-action guard; no rolling or replacing update, so running instances stay.
    expect(group.UpdatePolicy).toEqual({ AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true } });
    expect(group.Properties.CapacityRebalance).toBeUndefined();
  });

  test('runs in the private subnets by default', () => {
    const privateSubnets = fleet.cluster.vpc.privateSubnets.map((s) => Stack.of(fleet).resolve(s.subnetId));
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { VPCZoneIdentifier: privateSubnets });
  });

  test('is on-demand only (default spotPercentage 0)', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MixedInstancesPolicy: {
        InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 100 },
        LaunchTemplate: { Overrides: [{ InstanceType: 't3.medium' }] },
      },
    });
    expect(userData(template)).not.toContain('ECS_ENABLE_SPOT_INSTANCE_DRAINING');
  });

  test('the launch template boots the given AMI, requires IMDSv2, encrypts a 30 GiB gp3 root on /dev/xvda, monitors in detail, has no key', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        ImageId: AMI,
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 30, DeleteOnTermination: true } }],
        Monitoring: { Enabled: true },
        KeyName: Match.absent(),
      },
    });
  });

  test('the instance role has no managed policy (default sessionManager false: no ssm:GetParameter* on *) and the ECS agent talks to this cluster only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AmazonSSMManagedInstanceCore|"ssm:GetParameter/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['ecs:DeregisterContainerInstance', 'ecs:RegisterContainerInstance', 'ecs:Submit*'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('BlueCluster'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('a new security group admits nothing and may call out (default securityGroup)', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'FleetStack/Blue: ECS container instances',
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
  });

  test('the capacity provider manages scaling at 100% (default targetCapacityPercent) and draining, without termination protection', () => {
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 },
        ManagedTerminationProtection: 'DISABLED',
        ManagedDraining: 'ENABLED',
      },
    });
    template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 1);
  });

  test('no instance is protected from scale-in, so deleting the group (cdk destroy, a failed create rolling back) cannot hang (aws/aws-cdk#18179)', () => {
    // Nothing removes scale-in protection once the capacity provider is gone:
    // https://github.com/aws/aws-cdk/issues/18179
    const [group] = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(group.Properties.NewInstancesProtectedFromScaleIn).not.toBe(true);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/SetInstanceProtection|EnforcedInstanceProtection/);
  });

  test('on-demand only: the instance role may not change container instance states', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/UpdateContainerInstancesState/);
  });

  test('the agent cleans images every 30m once 1h old, stops containers after 30s, blocks task IMDS (defaults)', () => {
    // Exactly these settings: no extra agentSettings by default.
    const settings = userData(template)
      .split('\n')
      .filter((l) => l.includes('/etc/ecs/ecs.config'))
      .map((l) => l.replace(/^echo '?|'? >> \/etc\/ecs\/ecs.config$/g, ''));
    expect(settings).toEqual([
      'ECS_ENABLE_CONTAINER_METADATA=true',
      'ECS_IMAGE_CLEANUP_INTERVAL=30m',
      'ECS_IMAGE_MINIMUM_CLEANUP_AGE=1h',
      'ECS_CONTAINER_STOP_TIMEOUT=30s',
      'ECS_AWSVPC_BLOCK_IMDS=true',
      'ECS_ENABLE_TASK_IAM_ROLE=true',
      'ECS_CLUSTER=<token>',
    ]);
  });

  test('exposes connections and metrics', () => {
    expect(fleet.connections.securityGroups).toEqual([fleet.securityGroup]);
    expect(fleet.metricCpuReservation().metricName).toBe('CPUReservation');
    expect(fleet.metricMemoryReservation().metricName).toBe('MemoryReservation');
    expect(fleet.metricInServiceInstances().dimensions).toHaveProperty('AutoScalingGroupName');
  });
});

describe('Fleet options', () => {
  test('spot capacity: share above base, capacity rebalance, spot draining', () => {
    const { template } = build({ spotPercentage: 70, instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType('m5.large')] });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityRebalance: true,
      MixedInstancesPolicy: {
        InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 30, SpotAllocationStrategy: 'price-capacity-optimized' },
        LaunchTemplate: { Overrides: [{ InstanceType: 'm6i.large' }, { InstanceType: 'm5.large' }] },
      },
    });
    expect(userData(template)).toContain('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true');
    // The agent drains its own instance on a Spot notice, for this cluster's instances only.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['ecs:UpdateContainerInstancesState']), Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [Match.stringLikeRegexp('BlueCluster'), 'Arn'] } } } }),
        ]),
      },
    });
  });

  test('sessionManager: true gives the instances AmazonSSMManagedInstanceCore', () => {
    const { template } = build({ sessionManager: true });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
  });

  test('bounds, volume, device, insights, capacity target, monitoring, agent settings', () => {
    const { template } = build({
      minInstances: 1,
      maxInstances: 6,
      rootVolumeSize: Size.gibibytes(50),
      rootDeviceName: '/dev/sda1',
      containerInsights: ecs.ContainerInsights.ENHANCED,
      targetCapacityPercent: 80,
      detailedMonitoring: false,
      imageCleanupInterval: Duration.minutes(10),
      imageMinimumCleanupAge: Duration.minutes(90),
      containerStopTimeout: Duration.seconds(45),
      agentSettings: { ECS_LOGLEVEL: 'debug', ECS_CONTAINER_STOP_TIMEOUT: '1m' },
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '6' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: Match.objectLike({ VolumeSize: 50, Encrypted: true }) }],
        Monitoring: { Enabled: false },
      },
    });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', { AutoScalingGroupProvider: { ManagedScaling: Match.objectLike({ TargetCapacity: 80 }) } });
    const script = userData(template);
    expect(script).toContain("'ECS_IMAGE_CLEANUP_INTERVAL=10m'");
    expect(script).toContain("'ECS_IMAGE_MINIMUM_CLEANUP_AGE=90m'");
    expect(script).toContain("'ECS_LOGLEVEL=debug'");
    // A setting given in agentSettings wins over the one derived from a prop.
    expect(script).toContain("'ECS_CONTAINER_STOP_TIMEOUT=1m'");
    expect(script).not.toContain('ECS_CONTAINER_STOP_TIMEOUT=45s');
  });

  test('a given security group is used as it is', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const securityGroup = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const fleet = new Fleet(stack, 'Green', { vpc, imageId: AMI, instanceTypes: [new ec2.InstanceType('t3.small')], securityGroup });
    expect(fleet.securityGroup).toBe(securityGroup);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });
});

describe('the acknowledged in-transit encryption finding', () => {
  test('names the instance types and what the fleet relies on instead: private subnets, a group that admits only what callers add', () => {
    const { fleet } = build({ instanceTypes: [new ec2.InstanceType('t3.medium'), new ec2.InstanceType('t3a.medium')] });
    const reason = acknowledged(fleet.autoScalingGroup)[NITRO_IN_TRANSIT];
    expect(reason).toMatch(/^Instance types \(t3\.medium, t3a\.medium\) are chosen for cost and capacity/);
    expect(reason).toContain('instances in private subnets, behind a security group that admits only what callers add');
    // The load balancer to task hop is HTTP whatever the listener: no claim that HTTPS protects it.
    expect(reason).toContain('plain HTTP to targets even behind an HTTPS listener');
  });

  test('with given subnets and security group, says so rather than claiming private subnets', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const securityGroup = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const fleet = new Fleet(stack, 'Green', { vpc, imageId: AMI, instanceTypes: [new ec2.InstanceType('t3.small')], securityGroup, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    expect(acknowledged(fleet.autoScalingGroup)[NITRO_IN_TRANSIT]).toContain('instances in the given subnets, behind the given security group');
  });
});

describe('Fleet validation', () => {
  const t3 = [new ec2.InstanceType('t3.medium')];
  test.each<[string, Partial<FleetProps>, RegExp]>([
    ['an AMI that is not an id', { imageId: 'latest' }, /imageId "latest" must be an AMI id/],
    ['no instance types', { instanceTypes: [] }, /instanceTypes must name at least one/],
    ['mixed architectures', { instanceTypes: [new ec2.InstanceType('m6g.large'), new ec2.InstanceType('m6i.large')] }, /mix CPU architectures/],
    ['spot over 100', { instanceTypes: t3, spotPercentage: 150 }, /spotPercentage 150 must be a whole number from 0 to 100/],
    ['min above max', { instanceTypes: t3, minInstances: 3, maxInstances: 2 }, /minInstances 3 must be at most maxInstances \(2\)/],
    ['max 0', { instanceTypes: t3, maxInstances: 0 }, /maxInstances 0 must be a whole number, 1 or more/],
    ['capacity target 0', { instanceTypes: t3, targetCapacityPercent: 0 }, /targetCapacityPercent 0 must be a whole number from 1 to 100/],
    ['a setting name that is not ECS_', { instanceTypes: t3, agentSettings: { LOGLEVEL: 'x' } }, /agentSettings name "LOGLEVEL" must look like ECS_SOME_SETTING/],
    ['a value that could break the shell line', { instanceTypes: t3, agentSettings: { ECS_LOGLEVEL: "debug'; rm -rf /" } }, /agentSettings ECS_LOGLEVEL value .* may use only/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('accepts an AMI given as a token (a CloudFormation parameter)', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const ami = new CfnParameter(stack, 'Ami', { type: 'AWS::EC2::Image::Id' });
    new Fleet(stack, 'Blue', { vpc, imageId: ami.valueAsString, instanceTypes: [new ec2.InstanceType('t3.small')] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { ImageId: { Ref: 'Ami' } } });
  });
});
