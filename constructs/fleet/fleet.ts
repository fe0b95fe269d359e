import { Duration, Size, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { agentConfig, EcsAgentOptions } from './agent';
import { AMI_ID_PATTERN } from '../contract/names';

export { EcsAgentOptions } from './agent';

export { AMI_ID_PATTERN };

export interface FleetProps extends EcsAgentOptions {
  /** The VPC the instances run in. */
  readonly vpc: ec2.IVpc;

  /**
   * The AMI every instance of this fleet boots. Pass a value that changes only when you mean
   * it to, such as a CloudFormation parameter (BlueGreenService passes `BlueAmi`/`GreenAmi`),
   * never an SSM-resolved "latest": newly autoscaled instances must boot the image the fleet
   * was tested with.
   */
  readonly imageId: string;

  /**
   * EC2 instance types, most preferred first. All must share one CPU architecture, the one
   * of `imageId`.
   */
  readonly instanceTypes: ec2.InstanceType[];

  /**
   * Share (0-100) of the instances that run on Spot. Spot instances are drained by the ECS
   * agent when AWS reclaims them.
   * @default 0 - on-demand only
   */
  readonly spotPercentage?: number;

  /**
   * Lower bound of the Auto Scaling group. The capacity provider scales between the bounds;
   * the group never gets a desired capacity from the template.
   * @default 0
   */
  readonly minInstances?: number;

  /**
   * Upper bound of the Auto Scaling group.
   * @default 2
   */
  readonly maxInstances?: number;

  /**
   * Where the instances run.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security group of the instances.
   * @default - a new group that allows all outbound traffic and no inbound traffic
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * Size of the encrypted gp3 root volume.
   * @default Size.gibibytes(30)
   */
  readonly rootVolumeSize?: Size;

  /**
   * Device name of the AMI's root volume.
   * @default '/dev/xvda' - the ECS-optimized Amazon Linux 2 and 2023 AMIs
   */
  readonly rootDeviceName?: string;

  /**
   * Container Insights on the cluster.
   * @default ecs.ContainerInsights.ENABLED
   */
  readonly containerInsights?: ecs.ContainerInsights;

  /**
   * How full (percent) the capacity provider keeps the instances; below 100 keeps spare room
   * so a scale-out places tasks without waiting for an instance.
   * @default 100
   */
  readonly targetCapacityPercent?: number;

  /**
   * One-minute instance metrics (billed per instance), so scaling and alarms see a spike sooner.
   * @default true
   */
  readonly detailedMonitoring?: boolean;

  /**
   * Give the instances `AmazonSSMManagedInstanceCore`, for Session Manager shells on the hosts.
   * It carries `ssm:GetParameter*` on every parameter of the account, which every process and
   * every host-network container could then read. ECS Exec into containers does not need it (the
   * task role carries its `ssmmessages` rights).
   * @default false - the instance role holds only what the ECS agent needs
   */
  readonly sessionManager?: boolean;
}

/**
 * One color of a blue/green service: an ECS cluster on its own EC2 Auto Scaling group,
 * joined by a capacity provider with managed scaling,
 * managed draining (tasks leave an instance before it goes away) and no managed termination
 * protection (so deletion and a cold fleet's MaxSize 0 always finish). Instances boot a pinned
 * AMI from a launch template that requires IMDSv2, encrypts its gp3 root volume and has no SSH key.
 */
export class Fleet extends Construct implements ec2.IConnectable {
  /** What an EC2 image id looks like (`ami-` and 8 or 17 hex digits), as a regular expression's source. */
  public static readonly AMI_ID_PATTERN: string = AMI_ID_PATTERN.source;

  public readonly cluster: ecs.Cluster;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly launchTemplate: ec2.LaunchTemplate;
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /** The instances' role (ECS agent; Session Manager only with `sessionManager`). */
  public readonly instanceRole: iam.Role;
  /** The instances' security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    const spotPercentage = props.spotPercentage ?? 0;
    const minInstances = props.minInstances ?? 0;
    const maxInstances = props.maxInstances ?? 2;
    validate(props, spotPercentage, minInstances, maxInstances);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: props.containerInsights ?? ecs.ContainerInsights.ENABLED,
    });

    this.securityGroup =
      props.securityGroup ??
      new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `${this.node.path}: ECS container instances`,
        allowAllOutbound: true,
      });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });

    const sessionManager = props.sessionManager ?? false;
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: sessionManager ? 'ECS container instance: ECS agent and Session Manager' : 'ECS container instance: ECS agent',
      managedPolicies: sessionManager ? [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')] : undefined,
    });

    const userData = ec2.UserData.forLinux();
    userData.addCommands(...agentConfig(props, spotPercentage > 0));
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: new PinnedImage(props.imageId),
      userData,
      role: this.instanceRole,
      securityGroup: this.securityGroup,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpEndpoint: true,
      // One hop: processes on the host reach the metadata service, bridge-mode containers
      // (one hop further) do not; awsvpc tasks are blocked by the agent (ECS_AWSVPC_BLOCK_IMDS).
      httpPutResponseHopLimit: 1,
      detailedMonitoring: props.detailedMonitoring ?? true,
      blockDevices: [
        {
          deviceName: props.rootDeviceName ?? '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs((props.rootVolumeSize ?? Size.gibibytes(30)).toGibibytes(), {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    // No desiredCapacity (a stack update would reset it) and no update policy (a template
    // change must not replace running instances; new ones pick up the new version).
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minCapacity: minInstances,
      maxCapacity: maxInstances,
      mixedInstancesPolicy: {
        launchTemplate: this.launchTemplate,
        launchTemplateOverrides: props.instanceTypes.map((instanceType) => ({ instanceType })),
        instancesDistribution: {
          onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: 100 - spotPercentage,
          spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        },
      },
      capacityRebalance: spotPercentage > 0 ? true : undefined,
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });

    // No managed termination protection: it needs scale-in protection on every instance, and
    // nothing removes that protection once the capacity provider is gone, so a stack deletion or
    // the rollback of a failed create waits forever on the group (aws/aws-cdk#18179, workaround
    // there: turn it off). A group with protected instances also never reaches a MaxSize of 0 (a
    // cold standby): https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html
    // Managed draining moves tasks off an instance before the group terminates it on scale-in,
    // instance refresh or maximum instance lifetime
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html).
    // assumed: a MaxSize of 0 counts as scale-in; the page does not cover a stack deletion, where
    // the capacity provider and its lifecycle hook may go before the group.
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      enableManagedDraining: true,
      targetCapacityPercent: props.targetCapacityPercent ?? 100,
    });
    this.cluster.addAsgCapacityProvider(this.capacityProvider);
    if (spotPercentage > 0) {
      // With ECS_ENABLE_SPOT_INSTANCE_DRAINING the agent sets its own instance to DRAINING on a Spot
      // interruption notice (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/spot-instance-draining-linux-container.html);
      // assumed: it does so with UpdateContainerInstancesState, which AmazonEC2ContainerServiceforEC2Role
      // grants and aws-cdk-lib's instance policy does not.
      this.instanceRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ecs:UpdateContainerInstancesState'],
          resources: ['*'],
          conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
        }),
      );
    }

    acknowledgeFindings(this, props);
  }

  /** The capacity provider's name, for an ECS service's capacity provider strategy. */
  public get capacityProviderName(): string {
    return this.capacityProvider.capacityProviderName;
  }

  /** Share of the registered CPU that tasks reserve, across the fleet's instances. */
  public metricCpuReservation(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.cluster.metricCpuReservation(options);
  }

  /** Share of the registered memory that tasks reserve, across the fleet's instances. */
  public metricMemoryReservation(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.cluster.metricMemoryReservation(options);
  }

  /** Instances in service in the Auto Scaling group (needs group metrics, which are on). */
  public metricInServiceInstances(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupInServiceInstances',
      dimensionsMap: { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName },
      statistic: 'Average',
      period: Duration.minutes(1),
      ...options,
    });
  }
}

/** An AMI given by id, as it is: no lookup, no "latest", so it changes only with its source. */
class PinnedImage implements ec2.IMachineImage {
  constructor(private readonly imageId: string) {}

  public getImage(): ec2.MachineImageConfig {
    return { imageId: this.imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() };
  }
}

function validate(props: FleetProps, spot: number, min: number, max: number): void {
  if (!Token.isUnresolved(props.imageId) && !AMI_ID_PATTERN.test(props.imageId)) {
    throw new Error(`Fleet: imageId "${props.imageId}" must be an AMI id such as ami-0123456789abcdef0`);
  }
  if (props.instanceTypes.length === 0) {
    throw new Error('Fleet: instanceTypes must name at least one EC2 instance type');
  }
  const architectures = new Set(props.instanceTypes.map((t) => t.architecture));
  if (architectures.size > 1) {
    throw new Error(`Fleet: instanceTypes [${props.instanceTypes.join(', ')}] mix CPU architectures; one AMI boots one architecture`);
  }
  if (!Number.isInteger(spot) || spot < 0 || spot > 100) {
    throw new Error(`Fleet: spotPercentage ${spot} must be a whole number from 0 to 100`);
  }
  if (!Number.isInteger(min) || min < 0) throw new Error(`Fleet: minInstances ${min} must be a whole number, 0 or more`);
  if (!Number.isInteger(max) || max < 1) throw new Error(`Fleet: maxInstances ${max} must be a whole number, 1 or more`);
  if (min > max) throw new Error(`Fleet: minInstances ${min} must be at most maxInstances (${max})`);
  const target = props.targetCapacityPercent;
  if (target !== undefined && (!Number.isInteger(target) || target < 1 || target > 100)) {
    throw new Error(`Fleet: targetCapacityPercent ${target} must be a whole number from 1 to 100`);
  }
}

function acknowledgeFindings(fleet: Fleet, props: FleetProps): void {
  if (props.sessionManager) {
    Validations.of(fleet.instanceRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'sessionManager was asked for: AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager shells on the hosts; hosts have no SSH key.',
    });
  }
  Validations.of(fleet.instanceRole).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'The ECS agent reports task and attachment state changes (ecs:Submit*), scoped to this fleet\'s cluster.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS agent calls without resource-level scope: DiscoverPollEndpoint, ecr:GetAuthorizationToken, its own log writes; Poll and telemetry are conditioned on this cluster.',
    },
  );
  const asg = fleet.autoScalingGroup;
  Validations.of(asg).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-AS3',
      reason: 'Scaling is routine here (capacity provider, schedules, scale-in after a release); fleet health is watched by the service alarms, not by per-instance notifications.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-EC26',
      reason: 'The rule cannot read a mixed instances policy; the launch template encrypts the only (root) volume (tested in test/constructs/fleet).',
    },
  );
  const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
  Validations.of(asg).acknowledge({
    id: 'cdk-validator-cfnguard::autoscaling_group_nitro_encryption_in_transit_override_check',
    reason:
      `Instance types (${props.instanceTypes.join(', ')}) are chosen for cost and capacity, not limited to Nitro types that encrypt traffic between instances. ` +
      'The fleet adds no encryption in transit of its own; it relies on network isolation: ' +
      `instances in ${props.vpcSubnets ? 'the given subnets' : 'private subnets'}, behind ${props.securityGroup ? 'the given security group' : 'a security group that admits only what callers add'} ` +
      "(BlueGreenService: its load balancer, on the tasks' port). The load balancer speaks plain HTTP to targets even behind an HTTPS listener; " +
      'a workload that needs that hop encrypted must terminate TLS in its container.',
  });
  const zones = subnets.availabilityZones;
  if (zones.length >= 2 && zones.every((z) => !Token.isUnresolved(z))) {
    Validations.of(asg).acknowledge({
      id: 'cdk-validator-cfnguard::autoscaling_multiple_az_check',
      reason: `The group spans ${zones.length} AZs (${zones.join(', ')}); the rule cannot count subnets referenced from another stack.`,
    });
  }
}
