import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { FLEET_COLORS, FleetColor } from '../common/fleet-color';
import type { IReleasableService, ReleasableServiceParts, ReleaseFleet } from '../release/release-support';
import type { IScheduledService, ScheduledServiceParts } from '../schedule/scheduled-capacity';
import { createFleetAlarms } from './alarms';
import { resolveFleetOptions, sharedFleetOptions } from './fleet-options';
import { addLiveColorListener, createLoadBalancer } from './load-balancer';
import { addOutputs } from './outputs';
import { cap, IMAGE_PATTERN, ServiceParameters } from './parameters';
import { createServiceFleet, ServiceFleet } from './service-fleet';
import { BlueGreenServiceProps } from './props';
import { validateServiceProps } from './validate';

/**
 * A service on two complete fleets, blue and green, behind one load balancer. The production
 * listener forwards to the live fleet and a test listener to the standby; which fleet is live,
 * and each fleet's image and AMI, are CloudFormation parameters that only a release changes.
 */
export class BlueGreenService extends Construct implements ec2.IConnectable, IReleasableService, IScheduledService {
  /** The service's name (`serviceName` prop). */
  public readonly serviceName: string;
  /** The release-owned CloudFormation parameters: live color, images, AMIs, standby size. */
  public readonly parameters: ServiceParameters;
  /** The load balancer in front of both fleets. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the live fleet. */
  public readonly productionListener: elbv2.ApplicationListener;
  /** The listener that forwards to the standby fleet (release smoke checks). */
  public readonly testListener: elbv2.ApplicationListener;
  /** The blue fleet. */
  public readonly blue: ServiceFleet;
  /** The green fleet. */
  public readonly green: ServiceFleet;
  /** The container log group of both fleets. */
  public readonly logGroup: logs.LogGroup;
  /** The DNS record, when a hosted zone was given. */
  public readonly dnsRecord?: route53.ARecord;
  /** `<serviceName>.<zone>`, when a hosted zone was given. */
  public readonly dnsName?: string;
  /** Who may call the service: the load balancer's security group, on the production port. */
  public readonly connections: ec2.Connections;
  /**
   * The security groups this service's tasks (awsvpc) or instances (host, bridge) call out
   * from. Pass it to another service's `allowCallsFrom`.
   */
  public readonly outbound: ec2.IConnectable;
  /** Port of the production listener. */
  public readonly listenerPort: number;
  /** Port of the test listener. */
  public readonly testListenerPort: number;
  /** Protocol of both listeners: HTTPS with a certificate, else HTTP. */
  private readonly testListenerProtocol: elbv2.ApplicationProtocol;
  /** The most tasks each fleet may run (its scalable target's maximum while live or warm). */
  public readonly maxTasks: number;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    const https = props.certificate !== undefined;
    const networkMode = props.networkMode ?? ecs.NetworkMode.AWS_VPC;
    const minTasks = props.minTasks ?? 1;
    const maxTasks = props.maxTasks ?? 2;
    const cpuTargetPercent = props.cpuTargetPercent ?? 60;
    const prefix = props.parameterPrefix ?? '';
    this.serviceName = props.serviceName;
    this.maxTasks = maxTasks;
    this.listenerPort = props.listenerPort ?? (https ? 443 : 80);
    this.testListenerPort = props.testListenerPort ?? (https ? 8443 : 8080);
    this.testListenerProtocol = https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
    validateServiceProps(this, { ...props, networkMode, minTasks, maxTasks, cpuTargetPercent, prefix }, this.listenerPort, this.testListenerPort);
    const shared = sharedFleetOptions(props.fleet, props);
    const options = {
      blue: resolveFleetOptions(shared, props.blue, 'blue', props.containerPort),
      green: resolveFleetOptions(shared, props.green, 'green', props.containerPort),
    };

    this.parameters = new ServiceParameters(this, 'Parameters', { prefix, serviceName: props.serviceName, maxTasks, imagePattern: imagePatternFor(this, props) });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.loadBalancer = createLoadBalancer(this, {
      vpc: props.vpc,
      serviceName: props.serviceName,
      internetFacing: props.internetFacing ?? false,
      deletionProtection: props.deletionProtection ?? false,
      accessLogBucket: props.accessLogBucket,
    });
    this.connections = new ec2.Connections({
      securityGroups: this.loadBalancer.connections.securityGroups,
      defaultPort: ec2.Port.tcp(this.listenerPort),
    });

    const awsvpc = networkMode === ecs.NetworkMode.AWS_VPC;
    // One group for the tasks of both fleets: callers and the load balancer see one service.
    const taskSecurityGroup = awsvpc
      ? new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
          vpc: props.vpc,
          description: `${props.serviceName} tasks: the load balancer in on the container port`,
          allowAllOutbound: true,
        })
      : undefined;

    const parts = Object.fromEntries(
      FLEET_COLORS.map((color) => [
        color,
        createServiceFleet(this, cap(color), {
          color,
          vpc: props.vpc,
          options: options[color],
          parameters: this.parameters,
          networkMode,
          containerPort: props.containerPort,
          taskSecurityGroup,
          logGroup: this.logGroup,
          repository: props.repository,
          minTasks,
          maxTasks,
          cpuTargetPercent,
          enableExecuteCommand: props.enableExecuteCommand ?? true,
        }),
      ]),
    ) as Record<FleetColor, ReturnType<typeof createServiceFleet>>;

    this.outbound = taskSecurityGroup ?? {
      connections: new ec2.Connections({ securityGroups: FLEET_COLORS.flatMap((c) => parts[c].fleet.connections.securityGroups) }),
    };
    if (!awsvpc) {
      // Host and bridge tasks are reached on their instances: the container port (host) or
      // the dynamic host port range the ECS agent hands out (bridge).
      const port = networkMode === ecs.NetworkMode.BRIDGE ? ec2.Port.tcpRange(32768, 65535) : ec2.Port.tcp(props.containerPort);
      for (const color of FLEET_COLORS) this.loadBalancer.connections.allowTo(parts[color].fleet, port, `${props.serviceName} load balancer to ${color} tasks`);
    }

    const targetGroups = { blue: parts.blue.targetGroup, green: parts.green.targetGroup };
    const listener = (id: string, toLive: boolean, port: number) =>
      addLiveColorListener(this, id, {
        loadBalancer: this.loadBalancer,
        parameters: this.parameters,
        targetGroups,
        toLive,
        port,
        certificate: props.certificate,
        open: toLive && (props.internetFacing ?? false),
      });
    this.productionListener = listener('ProductionListener', true, this.listenerPort);
    this.testListener = listener('TestListener', false, this.testListenerPort);

    const namePrefix = props.alarms?.alarmNamePrefix ?? `${Stack.of(this).stackName}-${props.serviceName}`;
    const withAlarms = (color: FleetColor): ServiceFleet => ({
      ...parts[color],
      alarms: createFleetAlarms(parts[color].fleet, {
        ...props.alarms,
        targetGroup: parts[color].targetGroup,
        isLive: parts[color].isLive,
        namePrefix: `${namePrefix}-${color}`,
        description: `${props.serviceName} ${color} fleet`,
      }),
    });
    this.blue = withAlarms(FleetColor.BLUE);
    this.green = withAlarms(FleetColor.GREEN);

    if (props.hostedZone) {
      this.dnsRecord = new route53.ARecord(this, 'DnsRecord', {
        zone: props.hostedZone,
        recordName: props.serviceName,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
        comment: `${props.serviceName}: internal load balancer (production listener)`,
      });
      this.dnsName = `${props.serviceName}.${props.hostedZone.zoneName}`;
    }
    addOutputs(this, prefix);
  }

  /** Both fleets, blue first. */
  public get fleets(): ServiceFleet[] {
    return [this.blue, this.green];
  }

  /** The fleet of a color. */
  public fleet(color: FleetColor): ServiceFleet {
    return color === FleetColor.BLUE ? this.blue : this.green;
  }

  /** What ReleaseSupport works with (`IReleasableService`). */
  public get releaseParts(): ReleasableServiceParts {
    const fleet = (f: ServiceFleet): ReleaseFleet => ({
      targetGroup: f.targetGroup,
      service: f.service,
      alarms: { all: f.alarms.all },
      fleet: { cluster: f.fleet.cluster, autoScalingGroup: f.fleet.autoScalingGroup, launchTemplate: f.fleet.launchTemplate, instanceRole: f.fleet.instanceRole },
      taskDefinition: f.taskDefinition,
    });
    return {
      serviceName: this.serviceName,
      loadBalancer: this.loadBalancer,
      productionListener: this.productionListener,
      testListener: this.testListener,
      testListenerPort: this.testListenerPort,
      testListenerProtocol: this.testListenerProtocol,
      // The name callers reach the service by: its certificate has to be for it.
      tlsServerName: this.testListenerProtocol === elbv2.ApplicationProtocol.HTTPS ? this.dnsName : undefined,
      maxTasks: this.maxTasks,
      blue: fleet(this.blue),
      green: fleet(this.green),
    };
  }

  /** What ScheduledCapacity works with (`IScheduledService`). */
  public get scheduleParts(): ScheduledServiceParts {
    return {
      serviceName: this.serviceName,
      fleets: this.fleets.map((f) => ({ color: f.color, scalableTarget: f.scalableTarget, isLive: f.isLive })),
      maxTasks: this.maxTasks,
    };
  }

  /**
   * Lets `caller` reach the production listener. For another BlueGreenService pass its
   * `outbound`.
   */
  public allowCallsFrom(caller: ec2.IConnectable, description?: string): void {
    this.connections.allowDefaultPortFrom(caller, description ?? `callers of ${this.serviceName}`);
  }

  /** Lets `caller` (e.g. a release smoke check) reach the test listener, i.e. the standby fleet. */
  public allowTestCallsFrom(caller: ec2.IConnectable, description?: string): void {
    this.connections.allowFrom(caller, ec2.Port.tcp(this.testListenerPort), description ?? `test callers of ${this.serviceName}`);
  }

  /**
   * Lets `grantee` flip traffic between the fleets with the load balancer API (the emergency
   * rollback path): modify the two listeners, and describe what they point at.
   */
  public grantSwap(grantee: iam.IGrantable): iam.Grant {
    const modify = iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticloadbalancing:ModifyListener'],
      resourceArns: [this.productionListener.listenerArn, this.testListener.listenerArn],
    });
    const describe = this.grantRead(grantee);
    return modify.combine(describe);
  }

  /** Lets `grantee` read the state of both fleets: listeners, target health, services, alarms. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      // Describe and List calls of these services have no resource-level scope.
      actions: [
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTargetGroups',
        'ecs:DescribeServices',
        'ecs:DescribeClusters',
        'autoscaling:DescribeAutoScalingGroups',
        'application-autoscaling:DescribeScalableTargets',
        'cloudwatch:DescribeAlarms',
      ],
      resourceArns: ['*'],
    });
  }

  /** Requests the load balancer received (both listeners), per minute by default. */
  public metricRequestCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.loadBalancer.metrics.requestCount({ statistic: 'Sum', period: Duration.minutes(1), ...options });
  }

  /** 5xx responses of one fleet's targets. */
  public metricTarget5xxCount(fleetColor: FleetColor, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.fleet(fleetColor).targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: Duration.minutes(1), ...options });
  }

  /** Response time of one fleet's targets (p99 by default). */
  public metricTargetResponseTime(fleetColor: FleetColor, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.fleet(fleetColor).targetGroup.metrics.targetResponseTime({ statistic: 'p99', period: Duration.minutes(1), ...options });
  }

  /** Names of one fleet's alarms, comma-separated (the `BlueAlarmNames` output). */
  public alarmNames(color: FleetColor): string {
    return Fn.join(',', this.fleet(color).alarms.all.map((a) => a.alarmName));
  }
}

/**
 * The image parameters' AllowedPattern: images of the stack's own (or the given) account and
 * Region, so a parameter update cannot point a fleet at another account's registry. Falls back to
 * any account or Region where the template cannot know it (an environment-agnostic stack).
 */
function imagePatternFor(scope: Construct, props: BlueGreenServiceProps): string {
  const stack = Stack.of(scope);
  const account = props.imageAccount ?? (Token.isUnresolved(stack.account) ? undefined : stack.account);
  const region = props.imageRegion ?? (Token.isUnresolved(stack.region) ? undefined : stack.region);
  for (const [name, value, shape] of [['imageAccount', props.imageAccount, /^\d{12}$/], ['imageRegion', props.imageRegion, /^[a-z]{2}(-gov)?-[a-z]+-\d$/]] as const) {
    if (value !== undefined && !shape.test(value)) throw new Error(`BlueGreenService ${scope.node.path}: ${name} "${value}" must be ${name === 'imageAccount' ? 'a 12-digit account id' : 'a Region such as ap-northeast-1'}`);
  }
  return IMAGE_PATTERN.replace('[0-9]{12}', account ?? '[0-9]{12}').replace('\\.ecr\\.[a-z0-9-]+\\.', `\\.ecr\\.${region ?? '[a-z0-9-]+'}\\.`);
}
