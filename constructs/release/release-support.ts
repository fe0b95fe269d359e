import { Aws, CfnOutput, DefaultStackSynthesizer, Duration, Fn, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { releaseFunction } from './functions';
import { createParameterUpdateRole, createReleaseRole, grantSsmParameterResolution } from './parameter-update-role';
import { RELEASE_SCHEDULER_ROLE_PATH } from './names';
import { acknowledgeReleaseFindings } from './nag';
import { acknowledgeWildcardResources } from '../ci/nag';
import { LAMBDA_ENV } from '../contract/names';
import { ReleaseSettingsInput, releaseSettingsDocument, validateReleaseSettings } from './settings';

export { ScanSeverity } from './settings';
export type { ReleaseWindowTiming } from './settings';

export { RELEASE_SCHEDULER_ROLE_PATH } from './names';

/** The alarms of one fleet that mean "this fleet is unhealthy". */
export interface ReleaseFleetAlarms {
  /** Every such alarm; an alarm going to ALARM inside the rollback window moves traffic back. */
  readonly all: cloudwatch.IAlarm[];
}

/** What ReleaseSupport needs of one fleet. `BlueGreenService.releaseParts` gives both. */
export interface ReleaseFleet {
  /** The fleet's target group. */
  readonly targetGroup: elbv2.ITargetGroup;
  /** The fleet's ECS service. */
  readonly service: ecs.IBaseService;
  /** The fleet's alarms. */
  readonly alarms: ReleaseFleetAlarms;
  /**
   * The fleet's instances, when the template changes their Auto Scaling group with the release
   * parameters (BlueGreenService's cold standby has `MaxSize` 0): the parameter-update role may
   * then update that group.
   * @default - the parameter-update role may not update any Auto Scaling group
   */
  readonly fleet?: ReleaseFleetInstances;
  /**
   * The fleet's task definition, which an image parameter change replaces: with both fleets'
   * given, ReleaseSupport makes the release role (`releaseRole`) that the release CLI names on its
   * updates, held to what those updates make CloudFormation do.
   * @default - no release role; the CLI names the stack's execution role (`cloudFormationRoleArn`)
   */
  readonly taskDefinition?: ecs.TaskDefinition;
}

/** A fleet's instances: the group whose bounds follow the release parameters, and what it launches with. */
export interface ReleaseFleetInstances {
  /** The fleet's ECS cluster. */
  readonly cluster: ecs.ICluster;
  /** The fleet's Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The group's launch template. */
  readonly launchTemplate: ec2.ILaunchTemplate;
  /** The role of the launch template's instance profile (UpdateAutoScalingGroup checks PassRole for it). */
  readonly instanceRole: iam.IRole;
}

/** What ReleaseSupport needs of a blue/green service: its name, load balancer, listeners and both fleets. */
export interface ReleasableServiceParts {
  /** The service's name, for descriptions and the Lambdas' environment. */
  readonly serviceName: string;
  /** The service's load balancer: the smoke check may reach its test listener. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The listener that forwards to the live fleet. */
  readonly productionListener: elbv2.IApplicationListener;
  /**
   * The test listener; a `LiveColor` update changes it too (`BlueGreenService` has it).
   * @default - the parameter-update role may modify the production listener only
   */
  readonly testListener?: elbv2.IApplicationListener;
  /** Port of the test listener, which forwards to the standby fleet. */
  readonly testListenerPort: number;
  /**
   * Protocol of the test listener (`HTTPS` when it has a certificate): the smoke check calls it so.
   * @default elbv2.ApplicationProtocol.HTTP
   */
  readonly testListenerProtocol?: elbv2.ApplicationProtocol;
  /**
   * A name the test listener's certificate is for, such as the service's DNS name
   * (`BlueGreenService` gives its `dnsName` when it has a certificate and a hosted zone).
   * @default - none: over HTTPS the smoke check checks the certificate's chain and dates, not its name
   */
  readonly tlsServerName?: string;
  /**
   * The most tasks a fleet may run (`BlueGreenService.maxTasks`), handed to the standby-capacity
   * Lambda as `MAX_TASKS`: a cold standby's scalable target is 0..0, so its `MaxCapacity` is not
   * the size a warm-up may reach.
   * @default - no `MAX_TASKS`
   */
  readonly maxTasks?: number;
  /** The blue fleet. */
  readonly blue: ReleaseFleet;
  /** The green fleet. */
  readonly green: ReleaseFleet;
}

/**
 * A service the release tool can release. `BlueGreenService` is one; another construct can be by
 * giving the same parts.
 */
export interface IReleasableService {
  /** What ReleaseSupport works with: the service's listeners and both fleets. */
  readonly releaseParts: ReleasableServiceParts;
}

export interface ReleaseSupportProps extends ReleaseSettingsInput {
  /** The service the release tool releases (a `BlueGreenService`). */
  readonly service: IReleasableService;

  /** The VPC the smoke check runs in (the service's). */
  readonly vpc: ec2.IVpc;

  /**
   * The service's `parameterPrefix`: prefixes the outputs, as it prefixes the service's own.
   * @default '' - no prefix
   */
  readonly parameterPrefix?: string;

  /**
   * Environment name recorded in the history by the auto-rollback Lambda.
   * @default - the stack name
   */
  readonly environmentName?: string;

  /**
   * Subnets of the smoke-check Lambda.
   * @default - the VPC's private subnets with egress
   */
  readonly smokeCheckSubnets?: ec2.SubnetSelection;

  /**
   * The name the smoke check sends as TLS SNI and `Host` to an HTTPS test listener, and checks the
   * listener's certificate against. Ignored for an HTTP test listener.
   * @default - the service's `releaseParts.tlsServerName`; without one, the smoke check checks the
   * certificate's chain and dates but not its name (no certificate names the load balancer's own DNS name)
   */
  readonly smokeCheckHostName?: string;

  /**
   * A CA certificate (PEM) the smoke check trusts beside Node's public roots, for an HTTPS test
   * listener whose certificate chains to a private root (AWS Private CA). Ignored for HTTP.
   * Lambda allows 4 KB of environment variables in all
   * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), so one certificate.
   * @default - only Node's public roots (enough for ACM public and most imported certificates)
   */
  readonly smokeCheckTrustedCaPem?: string;

  /**
   * Customer-managed key of the release table.
   * @default - DynamoDB's AWS-managed key (`aws/dynamodb`)
   */
  readonly tableEncryptionKey?: kms.IKey;

  /**
   * What happens to the release table (history) when it leaves the stack.
   * @default RemovalPolicy.RETAIN - the release history is evidence
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Protect the release table against deletion.
   * @default false
   */
  readonly deletionProtection?: boolean;

  /**
   * How long the Lambdas' logs are kept (they record every automatic rollback and capacity change).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the Lambdas' log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKey?: kms.IKey;

  /**
   * What happens to the Lambdas' log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * The role CloudFormation runs every other update of the stack with (`cdk deploy`, and the
   * release CLI's image and AMI changes, which replace task definitions and launch templates).
   * Published as the `CloudFormationExecutionRoleArn` output: the release CLI passes it on every
   * update, because CloudFormation keeps the role of the last update for updates that name none
   * and the two Lambdas update with the narrow `parameterUpdateRole`. Neither Lambda may pass it.
   * @default - the CDK bootstrap execution role of the stack's synthesizer (none with another synthesizer)
   */
  readonly cloudFormationRoleArn?: string;

  /**
   * Reserve one concurrent execution for each of the auto-rollback and standby-capacity Lambdas,
   * so alarms firing together are handled one at a time. Lambda refuses a reservation that leaves
   * less than 100 unreserved executions, and a new account may have a concurrency quota of only 10
   * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html): turn this off
   * there; the release lock in the table still keeps two updates of the stack apart.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * The in-cloud half of the release tool, per service stack: the release table (lock, history,
 * rollback window), the smoke-check Lambda in the VPC (the only thing admitted to the test
 * listener), the auto-rollback Lambda on the fleets' alarms, the standby-capacity Lambda and the
 * role EventBridge Scheduler invokes it with. See docs/release.md.
 */
export class ReleaseSupport extends Construct {
  /** IAM path of the scheduler role (`ReleaseSchedulerRoleArn`): what CI deploy roles may pass to EventBridge Scheduler. */
  public static readonly SCHEDULER_ROLE_PATH: string = RELEASE_SCHEDULER_ROLE_PATH;

  /** The release table: `pk`/`sk`, TTL on `expiresAt`, point-in-time recovery. */
  public readonly table: dynamodb.Table;
  public readonly smokeCheckFunction: lambda.IFunction;
  public readonly autoRollbackFunction: lambda.IFunction;
  public readonly standbyCapacityFunction: lambda.IFunction;
  /** The role EventBridge Scheduler invokes the standby-capacity Lambda with. */
  public readonly schedulerRole: iam.Role;
  /** The EventBridge rule on the fleets' alarms; undefined when the fleets have no alarms. */
  public readonly alarmRule?: events.Rule;
  /** The smoke check's security group side. */
  public readonly connections: ec2.Connections;
  /**
   * The role CloudFormation applies the two Lambdas' updates with: only what a change of
   * `LiveColor` and `StandbyMinTasks` makes it do (listeners, scalable targets and their scheduled
   * actions, alarms of this service). The Lambdas may pass this role and no other.
   */
  public readonly parameterUpdateRole: iam.Role;
  /**
   * The role CloudFormation applies the release CLI's updates with (`LiveColor`, images, AMIs):
   * what the parameter-update role may do, plus replacing the fleets' task definitions and
   * versioning their launch templates; no IAM, network or load balancer change. Published as the
   * `ReleaseRoleArn` output. Undefined when the fleets do not give their task definitions.
   */
  public readonly releaseRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseSupportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = props.parameterPrefix ?? '';
    validateReleaseSettings(props);
    const service = props.service.releaseParts;
    validate(service, prefix, props.smokeCheckHostName);
    const fleets = [service.blue, service.green];
    const logs_ = {
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      logKey: props.logKey,
      logRemovalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    };

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.tableEncryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.tableEncryptionKey,
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const common = {
      [LAMBDA_ENV.stackName]: stack.stackName,
      [LAMBDA_ENV.parameterPrefix]: prefix,
      [LAMBDA_ENV.tableName]: this.table.tableName,
      [LAMBDA_ENV.serviceName]: service.serviceName,
      [LAMBDA_ENV.environmentName]: props.environmentName ?? stack.stackName,
    };

    // The smoke check: in the VPC, egress only to the load balancer's test listener.
    const smokeSecurityGroup = new ec2.SecurityGroup(this, 'SmokeCheckSecurityGroup', {
      vpc: props.vpc,
      description: `Release smoke check of ${service.serviceName}: calls the test listener only`,
      allowAllOutbound: false,
    });
    const smoke = releaseFunction(this, 'SmokeCheck', {
      handler: 'smoke-check',
      description: `${service.serviceName}: release smoke check through the test listener`,
      timeout: Duration.seconds(30),
      environment: smokeCheckEnvironment(service, props.smokeCheckHostName, props.smokeCheckTrustedCaPem),
      vpc: props.vpc,
      vpcSubnets: props.smokeCheckSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [smokeSecurityGroup],
      ...logs_,
    });
    this.connections = smoke.connections;
    service.loadBalancer.connections.allowFrom(smoke, ec2.Port.tcp(service.testListenerPort), `release smoke check of ${service.serviceName}`);
    this.smokeCheckFunction = smoke;

    const autoRollback = releaseFunction(this, 'AutoRollback', {
      handler: 'auto-rollback',
      description: `${service.serviceName}: moves traffic back when the new live fleet alarms inside the rollback window`,
      // Traffic moves within seconds; the rest waits for the LiveColor update to carry the
      // scheduled capacity over (src/release/capacity.ts).
      timeout: Duration.minutes(10),
      environment: common,
      // One at a time: several alarms firing together must not race each other.
      reservedConcurrentExecutions: props.reserveConcurrency === false ? undefined : 1,
      ...logs_,
    });
    this.autoRollbackFunction = autoRollback;

    const standbyCapacity = releaseFunction(this, 'StandbyCapacity', {
      handler: 'standby-capacity',
      description: `${service.serviceName}: warms and cools the standby fleet (StandbyMinTasks)`,
      timeout: Duration.seconds(60),
      environment: common,
      reservedConcurrentExecutions: props.reserveConcurrency === false ? undefined : 1,
      ...logs_,
    });
    this.standbyCapacityFunction = standbyCapacity;
    if (service.maxTasks !== undefined) standbyCapacity.addEnvironment('MAX_TASKS', String(service.maxTasks));

    const groups = fleets.flatMap((fleet) => (fleet.fleet ? [{ ...fleet.fleet, service: fleet.service }] : []));
    const parameterUpdate = createParameterUpdateRole(this, service, groups);
    this.parameterUpdateRole = parameterUpdate.role;
    const taskDefinitions = fleets.map((fleet) => fleet.taskDefinition);
    const release = taskDefinitions.every((td): td is ecs.TaskDefinition => td !== undefined) ? createReleaseRole(this, service, groups, taskDefinitions) : undefined;
    this.releaseRole = release?.role;
    // assumed: CloudFormation resolves SSM-typed parameters with the caller's credentials (the
    // Lambdas, below); the roles it runs the updates as may read them too, in case it is those.
    for (const role of [this.parameterUpdateRole, ...(this.releaseRole ? [this.releaseRole] : [])]) grantSsmParameterResolution(role);
    for (const fn of [autoRollback, standbyCapacity]) {
      fn.addEnvironment(LAMBDA_ENV.updateRoleArn, this.parameterUpdateRole.roleArn);
      this.grantStackUpdate(fn);
      grantSsmParameterResolution(fn);
    }
    // Without MAX_TASKS, `warm` reads the standby's scalable-target MaxCapacity as its limit.
    standbyCapacity.addToRolePolicy(new iam.PolicyStatement({ actions: ['application-autoscaling:DescribeScalableTargets'], resources: ['*'] }));
    this.table.grant(autoRollback, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.table.grant(standbyCapacity, 'dynamodb:GetItem');
    for (const fn of [autoRollback, standbyCapacity]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: fleets.map((fleet) => fleet.service.serviceArn) }));
    }
    autoRollback.addToRolePolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyListener'], resources: [service.productionListener.listenerArn] }));
    // The rollback core reads where production traffic goes (both functions: capacity follows the
    // listener, not LiveColor) and the health of the fleet it moves to. ELB Describe* actions take
    // no resource-level permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
    autoRollback.addToRolePolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));
    standbyCapacity.addToRolePolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeListeners'], resources: ['*'] }));
    const carryCapacity = this.grantCapacityCarry(autoRollback, fleets.map((fleet) => fleet.service.serviceArn));

    const alarmArns = fleets.flatMap((fleet) => fleet.alarms.all.map((a) => a.alarmArn));
    if (alarmArns.length > 0) {
      this.alarmRule = new events.Rule(this, 'AlarmRule', {
        description: `${service.serviceName}: a fleet alarm went to ALARM (auto-rollback decides whether it matters)`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: alarmArns,
          detail: { state: { value: ['ALARM'] } },
        },
        targets: [new targets.LambdaFunction(autoRollback, { retryAttempts: 4, maxEventAge: Duration.minutes(10) })],
      });
    }

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      path: RELEASE_SCHEDULER_ROLE_PATH,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `${service.serviceName}: EventBridge Scheduler invokes the standby-capacity Lambda`,
    });
    // Not grantInvoke: it adds `<arn>:*` (every version), and the schedules call $LATEST only.
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [standbyCapacity.functionArn] }));
    // A cool-down that meets a busy stack or a held lock schedules itself again (the one-time
    // schedule that invoked it is deleted once it ran): one-time retry schedules, which can only
    // run this function, through the scheduler role.
    const retrySchedules = new iam.PolicyStatement({
      actions: ['scheduler:CreateSchedule'],
      resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'default/*-retry-*' })],
    });
    standbyCapacity.addToRolePolicy(retrySchedules);
    standbyCapacity.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResources(
      standbyCapacity.role!,
      retrySchedules,
      'Retry schedule names end in the minute they run (<stack>-retry-<yyyymmddThhmm>); whatever their name, they run as the scheduler role, which may invoke this function only.',
    );

    const output = (name: string, value: string, description: string) => {
      new CfnOutput(this, name, { value, description }).overrideLogicalId(`${prefix}${name}`);
    };
    output('ReleaseTableName', this.table.tableName, `${service.serviceName}: release lock, history and rollback window`);
    output('SmokeCheckFunctionName', smoke.functionName, `${service.serviceName}: Lambda in the VPC that calls the test listener`);
    output('AutoRollbackFunctionName', autoRollback.functionName, `${service.serviceName}: Lambda that moves traffic back on an alarm inside the rollback window`);
    output('StandbyCapacityFunctionName', standbyCapacity.functionName, `${service.serviceName}: Lambda that sets StandbyMinTasks (warm, cool, cool-if-idle)`);
    output('StandbyCapacityFunctionArn', standbyCapacity.functionArn, `${service.serviceName}: target of the cool-down and release-window schedules`);
    output('ReleaseSchedulerRoleArn', this.schedulerRole.roleArn, `${service.serviceName}: role EventBridge Scheduler invokes the standby-capacity Lambda with`);
    output('ParameterUpdateRoleArn', this.parameterUpdateRole.roleArn, `${service.serviceName}: role CloudFormation applies the Lambdas' LiveColor/StandbyMinTasks updates with`);
    if (this.releaseRole) {
      output('ReleaseRoleArn', this.releaseRole.roleArn, `${service.serviceName}: role CloudFormation applies the release CLI's updates with (LiveColor, images, AMIs)`);
    }
    // Lazy: the fleets' Auto Scaling groups are complete only once the whole service is built.
    output('ReleaseSettings', Lazy.string({ produce: () => releaseSettingsDocument(this, { ...props, service }) }), `${service.serviceName}: release settings (JSON, docs/contracts.md) the release CLI reads`);
    const executionRoleArn = props.cloudFormationRoleArn ?? defaultExecutionRoleArn(stack);
    if (executionRoleArn) {
      output('CloudFormationExecutionRoleArn', executionRoleArn, `${service.serviceName}: role the release CLI passes on its stack updates (image, AMI), as cdk deploy does`);
    }

    acknowledgeReleaseFindings(this, {
      controlPlaneFunctions: [autoRollback, standbyCapacity],
      vpcFunction: smoke,
      vpc: props.vpc,
      logGroups: [smoke, autoRollback, standbyCapacity].map((fn) => fn.logGroup as logs.LogGroup),
      logKey: props.logKey,
      capacityStatement: { role: autoRollback.role!, statement: carryCapacity },
      updateRoles: [parameterUpdate, ...(release ? [release] : [])],
    });
  }

  /**
   * Read the fleets' scalable-target bounds and register the live fleet's again (what a scheduled
   * action does). RegisterScalableTarget names no ECS service in its resource (the target ARN has a
   * generated id), so it is held to ECS desired counts; Application Auto Scaling also checks that
   * the caller may update the ECS service it scales, which only these two services allow.
   */
  private grantCapacityCarry(fn: lambda.IFunction, serviceArns: string[]): iam.PolicyStatement {
    const stack = Stack.of(this);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['application-autoscaling:DescribeScalableTargets'], resources: ['*'] }));
    const register = new iam.PolicyStatement({
      actions: ['application-autoscaling:RegisterScalableTarget'],
      resources: [stack.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*' })],
      conditions: { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
    });
    fn.addToRolePolicy(register);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: serviceArns }));
    return register;
  }

  /**
   * Read and update this stack with the previous template, handing CloudFormation the narrow
   * parameter-update role (UsePreviousTemplate cannot be required in IAM: the role is the limit).
   */
  private grantStackUpdate(fn: lambda.IFunction): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }));
    // Without RoleARN, UpdateStack runs as the role last associated with the stack (the CDK
    // execution role after any cdk deploy) and the caller needs no iam:PassRole for it
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html,
    // RoleARN). cloudformation:RoleArn is the request's RoleARN
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-policy-keys),
    // and a condition on a key the request lacks does not match, so an update without the narrow
    // role is denied.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudformation:UpdateStack'],
        resources: [Aws.STACK_ID],
        conditions: { ArnEquals: { 'cloudformation:RoleArn': this.parameterUpdateRole.roleArn } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.parameterUpdateRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    // CloudFormation checks AWS::EC2::Image::Id parameters (the AMIs) with the caller's rights.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['*'] }));
  }
}

/** The CDK bootstrap execution role of the stack's synthesizer, when it has one. */
function defaultExecutionRoleArn(stack: Stack): string | undefined {
  const synthesizer = stack.synthesizer;
  return synthesizer instanceof DefaultStackSynthesizer ? Fn.sub(synthesizer.cloudFormationExecutionRoleArn) : undefined;
}

function validate(service: ReleasableServiceParts, prefix: string, hostName: string | undefined): void {
  if (hostName !== undefined && !Token.isUnresolved(hostName) && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(hostName)) {
    throw new Error(`ReleaseSupport: smokeCheckHostName "${hostName}" must be a DNS name (letters, digits, hyphens and dots, no scheme or port), e.g. api.internal.example.com`);
  }
  if (!/^[A-Za-z0-9]*$/.test(prefix)) {
    throw new Error(`ReleaseSupport: parameterPrefix "${prefix}" must be letters and digits only (it prefixes CloudFormation logical ids)`);
  }
  const port = service.testListenerPort;
  if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new Error(`ReleaseSupport: service.testListenerPort ${port} must be a port number from 1 to 65535`);
  }
}

/**
 * Where the smoke check may call, and how: the test listener's origin with the listener's
 * protocol as its scheme (an HTTPS listener terminates TLS: a plain HTTP request to it fails), and for HTTPS the name to
 * send as SNI, which the load balancer picks the certificate by, and to check the certificate
 * against. The client must send the name: the load balancer's own DNS name is on no certificate.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
 */
/** A single PEM certificate that fits Lambda's 4 KB of environment variables beside the others. */
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;
const MAX_TRUSTED_CA_CHARS = 3000;

function smokeCheckEnvironment(service: ReleasableServiceParts, hostName: string | undefined, trustedCaPem?: string): Record<string, string> {
  const https = service.testListenerProtocol === elbv2.ApplicationProtocol.HTTPS;
  const env: Record<string, string> = {
    [LAMBDA_ENV.allowedOrigin]: `${https ? 'https' : 'http'}://${service.loadBalancer.loadBalancerDnsName}:${service.testListenerPort}`,
  };
  const serverName = hostName ?? service.tlsServerName;
  if (https && serverName !== undefined) env[LAMBDA_ENV.tlsServerName] = serverName;
  if (trustedCaPem !== undefined) {
    if (!PEM_CERTIFICATE.test(trustedCaPem) || trustedCaPem.length > MAX_TRUSTED_CA_CHARS) {
      throw new Error(`ReleaseSupport smokeCheckTrustedCaPem must be one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----) of at most ${MAX_TRUSTED_CA_CHARS} characters: Lambda allows 4 KB of environment variables in all`);
    }
    if (https) env[LAMBDA_ENV.tlsTrustedCa] = trustedCaPem;
  }
  return env;
}
