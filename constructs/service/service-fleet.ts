import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnCondition } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Fleet } from '../fleet/fleet';
import { FleetAlarms } from './alarms';
import { ResolvedFleetOptions } from './fleet-options';
import { FleetColor } from '../common/fleet-color';
import { ServiceParameters } from './parameters';
import { addExecCommandPolicy, CONTAINER_NAME, createTaskDefinition } from './task-definition';

/** One color of a BlueGreenService: its fleet, and what runs on it. */
export interface ServiceFleet {
  /** Which fleet this is. */
  readonly color: FleetColor;
  /** The cluster, Auto Scaling group, launch template and capacity provider. */
  readonly fleet: Fleet;
  /** The task definition the fleet's service runs (its image is the fleet's image parameter). */
  readonly taskDefinition: ecs.Ec2TaskDefinition;
  /** The fleet's ECS service, on the fleet's capacity provider. */
  readonly service: ecs.Ec2Service;
  /** The fleet's target group: the production or the test listener forwards to it. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /**
   * The service's Application Auto Scaling target. Its minimum follows the live color (the
   * service's `minTasks` while live, `StandbyMinTasks` while standby); attach scheduled actions
   * to its L1 (`scalableTarget.node.defaultChild`), conditioned on `isLive`.
   */
  readonly scalableTarget: appscaling.ScalableTarget;
  /** True while this fleet is live (the `LiveColor` parameter names it). */
  readonly isLive: CfnCondition;
  /** The alarms that mean "this fleet is unhealthy". */
  readonly alarms: FleetAlarms;
}

export interface ServiceFleetProps {
  readonly color: FleetColor;
  readonly vpc: ec2.IVpc;
  readonly options: ResolvedFleetOptions;
  readonly parameters: ServiceParameters;
  readonly networkMode: ecs.NetworkMode;
  readonly containerPort: number;
  readonly taskSecurityGroup?: ec2.ISecurityGroup;
  readonly logGroup: logs.ILogGroup;
  readonly repository?: ecr.IRepository;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly cpuTargetPercent: number;
  /** Turn ECS Exec on for the fleet's service (and give the task role its ssmmessages rights). */
  readonly enableExecuteCommand: boolean;
}

export type ServiceFleetParts = Omit<ServiceFleet, 'alarms'>;

/**
 * Builds one fleet (construct id `Blue` or `Green`) and everything that belongs to it: the
 * task definition, the ECS service on the fleet's capacity provider, its target group and its
 * scalable target. Everything is a child of the fleet, so the pull-request diff can tell which
 * fleet a change touches from the construct path.
 */
export function createServiceFleet(scope: Construct, id: string, props: ServiceFleetProps): ServiceFleetParts {
  const { color, options, parameters } = props;
  const awsvpc = props.networkMode === ecs.NetworkMode.AWS_VPC;
  const fleet = new Fleet(scope, id, {
    vpc: props.vpc,
    imageId: parameters.ami(color).valueAsString,
    instanceTypes: options.instanceTypes,
    spotPercentage: options.spotPercentage,
    maxInstances: options.maxInstances,
    rootVolumeSize: options.rootVolumeSize,
    imageCleanupInterval: options.imageCleanupInterval,
    imageMinimumCleanupAge: options.imageMinimumCleanupAge,
    containerStopTimeout: options.containerStopTimeout,
    // Host-network tasks get their task role only with this setting; without it they fall back to
    // the instance's credentials (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#task-iam-role-considerations).
    // They share the host's network and so still reach the instance metadata service, which no
    // agent setting blocks for them (ECS_AWSVPC_BLOCK_IMDS is awsvpc only): the instance role holds
    // the ECS agent's rights and nothing else (no SSM managed policy), see docs/blue-green.md.
    agentSettings: props.networkMode === ecs.NetworkMode.HOST ? { ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST: 'true', ...options.agentSettings } : options.agentSettings,
  });

  const taskDefinition = createTaskDefinition(fleet, {
    networkMode: props.networkMode,
    image: parameters.image(color).valueAsString,
    repository: props.repository,
    containerPort: props.containerPort,
    cpu: options.cpu,
    memoryMiB: options.memoryMiB,
    environment: options.environment,
    secrets: options.secrets,
    logGroup: props.logGroup,
    streamPrefix: color,
    healthCheck: options.containerHealthCheck,
    stopTimeout: options.containerStopTimeout ?? Duration.seconds(30),
    readonlyRootFilesystem: options.readonlyRootFilesystem,
    user: options.user,
  });

  const service = new ecs.Ec2Service(fleet, 'Service', {
    cluster: fleet.cluster,
    taskDefinition,
    capacityProviderStrategies: [{ capacityProvider: fleet.capacityProviderName, weight: 1 }],
    circuitBreaker: { enable: true, rollback: true },
    // ECS Exec is switched on below, on the L1: the L2 would put its unscoped ssmmessages
    // statement into the task role's default policy, the one application teams extend.
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    healthCheckGracePeriod: options.healthCheckGracePeriod,
    placementStrategies: [
      ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
      ecs.PlacementStrategy.spreadAcrossInstances(),
    ],
    securityGroups: awsvpc && props.taskSecurityGroup ? [props.taskSecurityGroup] : undefined,
    vpcSubnets: awsvpc ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
  });
  // The capacity provider must belong to the cluster before a service can use it.
  service.node.addDependency(fleet.cluster);
  const cfnService = service.node.defaultChild as ecs.CfnService;
  if (props.enableExecuteCommand) {
    cfnService.enableExecuteCommand = true;
    service.node.addDependency(addExecCommandPolicy(taskDefinition));
  }
  // A cold standby runs nothing from the first create on. An ECS service created without
  // DesiredCount starts at 1, and CloudFormation sends a DesiredCount it has on every update of
  // the service, resetting what scaling set (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount,
  // https://github.com/aws/containers-roadmap/issues/493). So only a cold standby carries one,
  // 0, the only count its 0..0 range allows anyway; a live or warm fleet carries none and keeps
  // whatever its scalable target set.
  cfnService.desiredCount = Token.asNumber(parameters.ifLiveOrWarm(color, Aws.NO_VALUE, Aws.NO_VALUE, 0));

  const targetGroup = new elbv2.ApplicationTargetGroup(fleet, 'TargetGroup', {
    vpc: props.vpc,
    port: props.containerPort,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: awsvpc ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
    deregistrationDelay: options.deregistrationDelay,
    healthCheck: {
      path: options.healthCheckPath,
      healthyHttpCodes: '200-399',
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    },
  });
  targetGroup.addTarget(service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: props.containerPort }));

  const isLive = parameters.isLive(color);
  // Cold means zero, guaranteed by the range: lowering a minimum never lowers the running count
  // (RegisterScalableTarget only moves capacity into the new range:
  // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html)
  // and CPU target tracking rounds up, keeping an idle fleet at one task
  // (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
  // So a cold standby's range is 0..0, a warm one's StandbyMinTasks (at most maxTasks)..maxTasks.
  const minTasks = parameters.ifLiveOrWarm(color, props.minTasks, parameters.standbyMinimum());
  const maxTasks = parameters.ifLiveOrWarm(color, props.maxTasks, props.maxTasks);
  const scalableTarget = new appscaling.ScalableTarget(fleet, 'ScalableTarget', {
    serviceNamespace: appscaling.ServiceNamespace.ECS,
    resourceId: `service/${fleet.cluster.clusterName}/${service.serviceName}`,
    scalableDimension: 'ecs:service:DesiredCount',
    minCapacity: Token.asNumber(minTasks),
    maxCapacity: Token.asNumber(maxTasks),
    role: ecsScalingRole(fleet),
  });
  scalableTarget.scaleToTrackMetric('CpuTracking', {
    predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
    targetValue: props.cpuTargetPercent,
    scaleInCooldown: Duration.minutes(2),
    scaleOutCooldown: Duration.minutes(1),
  });

  // And no instance: a cold fleet's group may hold none (managed scaling would get there too,
  // but only after its scale-in alarm, and a template guarantee is what the AMI upgrade relies on).
  // Without scale-in protection (Fleet) the group terminates what it holds when MaxSize drops.
  const group = fleet.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  group.maxSize = Token.asString(parameters.ifLiveOrWarm(color, String(options.maxInstances), String(options.maxInstances), '0'));

  return { color, fleet, taskDefinition, service, targetGroup, scalableTarget, isLive };
}

/** The service-linked role Application Auto Scaling uses for ECS (no role of our own). */
function ecsScalingRole(scope: Construct): iam.IRole {
  const arn = Stack.of(scope).formatArn({
    region: '',
    service: 'iam',
    resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
    resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
  });
  return iam.Role.fromRoleArn(scope, 'ScalingRole', arn);
}
