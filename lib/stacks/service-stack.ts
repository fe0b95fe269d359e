import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { BlueGreenService, FleetOptions, Network, ReleaseSupport, ReleaseWindowPrewarm, ScanSeverity, ScheduledCapacity } from '../../constructs';
import { EnvironmentConfig, FleetSpec, ServiceConfig } from '../config';
import { retentionDays } from './network-stack';

export interface ServiceStackProps extends StackProps {
  readonly environment: EnvironmentConfig;
  readonly service: ServiceConfig;
  /** The environment's network (VPC, log key). */
  readonly network: Network;
  /** The environment's private zone for service names. */
  readonly hostedZone: route53.IHostedZone;
  /**
   * The account and Region of the ECR registry the image parameters may name.
   * @default - the stack's own account and Region
   */
  readonly imageRegistry?: { readonly account: string; readonly region: string };
}

const NETWORK_MODES: Record<ServiceConfig['networkMode'], ecs.NetworkMode> = {
  awsvpc: ecs.NetworkMode.AWS_VPC,
  host: ecs.NetworkMode.HOST,
  bridge: ecs.NetworkMode.BRIDGE,
};

/**
 * One service of one environment, on its own stack: a service's release updates only its own
 * stack, and the CloudFormation limits (500 resources, 1 MB) apply per service.
 */
export class ServiceStack extends Stack {
  public readonly service: BlueGreenService;
  public readonly config: ServiceConfig;
  /** The release table and Lambdas the release CLI and the auto-rollback use (docs/release.md). */
  public readonly release: ReleaseSupport;
  /** The live fleet's scheduled scale-out/in (docs/schedules.md). */
  public readonly schedules: ScheduledCapacity;
  /** The standby's warm-up before, and cool-down after, each release window (docs/schedules.md). */
  public readonly releaseWindows: ReleaseWindowPrewarm;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Strong references (exports) from the network stack and from other service stacks, whatever
    // the app-wide default: docs/decisions.md ("Cross-stack references").
    this.node.setContext(cxapi.DEFAULT_CROSS_STACK_REFERENCES, 'strong');
    const { environment: env, service: config } = props;
    this.config = config;
    const secrets = new SecretImports(this);
    this.service = new BlueGreenService(this, 'Service', {
      vpc: props.network.vpc,
      serviceName: config.name,
      containerPort: config.containerPort,
      networkMode: NETWORK_MODES[config.networkMode],
      healthCheckPath: config.healthCheckPath,
      fleet: fleetOptions(config.fleet, secrets) as FleetOptions,
      blue: config.overrides.blue && fleetOptions(config.overrides.blue, secrets),
      green: config.overrides.green && fleetOptions(config.overrides.green, secrets),
      minTasks: config.minTasks,
      maxTasks: config.maxTasks,
      cpuTargetPercent: config.cpuTargetPercent,
      deletionProtection: env.production,
      hostedZone: props.hostedZone,
      // HTTPS listeners with the config's certificate (services[].certificateArn; production requires one).
      certificate: config.certificateArn === undefined ? undefined : acm.Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn),
      logKey: props.network.logKey,
      accessLogBucket: props.network.accessLogBucket,
      logRetention: retentionDays(env.logRetentionDays),
      logRemovalPolicy: env.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // The stack name already names environment and service: bgf-<env>-<service>-blue-...
      alarms: { alarmNamePrefix: this.stackName },
      // A shell into production containers is not a routine tool: off there.
      enableExecuteCommand: !env.production,
      // Images are built and pushed into the shared account's ECR (lib/config/environments/shared.ts).
      imageAccount: props.imageRegistry?.account,
      imageRegion: props.imageRegistry?.region,
    });
    acknowledgeEnvironmentChoices(this.service, env, config);
    this.release = new ReleaseSupport(this, 'Release', {
      service: this.service,
      vpc: props.network.vpc,
      environmentName: env.name,
      logKey: props.network.logKey,
      logRemovalPolicy: env.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Release history outside production goes with its stack (a destroyed branch environment
      // leaves no table behind); production keeps it.
      removalPolicy: env.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: env.production,
      // The release settings the CLI reads from the stack (docs/contracts.md "Release settings").
      bake: Duration.minutes(config.bakeMinutes),
      rollbackWindow: Duration.minutes(config.rollbackWindowMinutes),
      releaseWindows: config.releaseWindows.map((w) => ({ name: w.name, duration: Duration.minutes(w.durationMinutes), prewarm: Duration.minutes(w.prewarmMinutes) })),
      maxScanSeverity: ScanSeverity[config.maxScanSeverity],
      imageSizeBudgetMiB: config.imageSizeBudgetMiB,
      smokeCheckPath: config.smokeCheckPath,
      smokeCheckTrustedCaPem: config.trustedCaPem,
    });
    this.schedules = new ScheduledCapacity(this, 'Schedules', { service: this.service, schedules: config.schedules });
    this.releaseWindows = new ReleaseWindowPrewarm(this, 'ReleaseWindows', {
      serviceName: config.name,
      standbyCapacityFunction: this.release.standbyCapacityFunction,
      // The role the release CLI's rollback-window cool-down uses too: one role, one permission.
      role: this.release.schedulerRole,
      windows: config.releaseWindows.map((w) => ({
        name: w.name,
        cron: w.cron,
        timeZone: w.timeZone,
        duration: Duration.minutes(w.durationMinutes),
        prewarm: Duration.minutes(w.prewarmMinutes),
      })),
    });
  }
}

/**
 * Findings that follow from what this environment's config chose (or has no field for yet);
 * each reason names the choice.
 */
function acknowledgeEnvironmentChoices(service: BlueGreenService, env: EnvironmentConfig, config: ServiceConfig): void {
  const lb = service.loadBalancer;
  const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
  ack(lb, 'cdk-validator-cfnguard::elbv2_logging_enabled_check', `Access logs are on (access_logs.s3.enabled): the bucket is ${env.name}'s access-log bucket in the network stack, referenced across stacks, which the rule cannot follow.`);
  if (config.certificateArn === undefined) {
    for (const listener of [service.productionListener, service.testListener]) {
      ack(listener, 'cdk-validator-cfnguard::alb_http_to_https_redirection_check', `Internal load balancer reached only from ${env.name}'s VPC by the callers in allowFrom; ${config.name} names no certificateArn (${env.name} does not require TLS), so its listeners speak HTTP.`);
    }
  }
  if (!env.production) {
    ack(lb, 'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check', `${env.name} is not production: its stacks must be deletable; production turns deletion protection on.`);
  }
  if (env.logRetentionDays < 365) {
    ack(service.logGroup, 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check', `${env.name} keeps container logs ${env.logRetentionDays} days (logRetentionDays) to bound cost.`);
  }
  // The key is the network stack's log key; the rule cannot see a key referenced across stacks.
  ack(service.logGroup, 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', `Encrypted with ${env.name}'s customer-managed log key from the network stack (Network.logKey), referenced across stacks.`);
  for (const fleet of service.fleets) {
    const { instanceTypes } = { ...config.fleet, ...config.overrides[fleet.color] };
    if (instanceTypes.length < 2) {
      ack(fleet.fleet.autoScalingGroup, 'cdk-validator-cfnguard::autoscaling_mixed_instances_policy_multiple_instance_types_check', `${env.name} ${config.name} names one instance type (${instanceTypes[0]}); add a second to fleet.instanceTypes for capacity resilience.`);
    }
    const container = fleet.taskDefinition;
    ack(container, 'cdk-validator-cfnguard::ecs_containers_readonly_access_check', 'The service config has no read-only-root field yet; whether the image can run read-only is the image\'s decision (BlueGreenService fleet.readonlyRootFilesystem, per color).');
    ack(container, 'cdk-validator-cfnguard::ecs_task_definition_nonroot_user_check', 'The service config has no user field yet; the image\'s USER applies (BlueGreenService fleet.user, per color).');
  }
}

/** A config fleet spec (all of it, or an override's part) as construct options. */
function fleetOptions(spec: Partial<FleetSpec>, secrets: SecretImports): Partial<FleetOptions> {
  return {
    instanceTypes: spec.instanceTypes?.map((t) => new ec2.InstanceType(t)),
    spotPercentage: spec.spotPercentage,
    maxInstances: spec.maxInstances,
    cpu: spec.cpu,
    memoryMiB: spec.memoryMiB,
    environment: spec.environment,
    secrets: spec.secrets && Object.fromEntries(Object.entries(spec.secrets).map(([name, source]) => [name, secrets.get(source)])),
  };
}

/**
 * Imports each secret the config names once per stack: `ssm:<name>` is an SSM SecureString
 * parameter, anything else a Secrets Manager secret name. Only names reach the template; ECS
 * reads the values at task start.
 */
class SecretImports {
  private readonly imported = new Map<string, ecs.Secret>();

  constructor(private readonly scope: Construct) {}

  public get(source: string): ecs.Secret {
    const existing = this.imported.get(source);
    if (existing) return existing;
    const id = `Secret${this.imported.size}`;
    const secret = source.startsWith('ssm:')
      ? ecs.Secret.fromSsmParameter(
          ssm.StringParameter.fromSecureStringParameterAttributes(this.scope, id, { parameterName: source.slice('ssm:'.length) }),
        )
      : ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this.scope, id, source));
    this.imported.set(source, secret);
    return secret;
  }
}
