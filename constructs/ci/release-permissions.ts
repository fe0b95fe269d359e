import * as iam from 'aws-cdk-lib/aws-iam';
import { RELEASE_PARAMETER_UPDATE_ROLE_PATH, RELEASE_SCHEDULER_ROLE_PATH } from '../release/names';

/** The tag every stack of the app puts on its resources (lib/app.ts); release writes are scoped by it. */
export const ENVIRONMENT_TAG_KEY = 'bluegreen-fleet:environment';

/** An account and Region with its CDK bootstrap: what the bootstrap roles' ARNs are made of. */
export interface BootstrapEnvironment {
  /** The account id. */
  readonly account: string;
  /** The Region, e.g. `ap-northeast-1`. */
  readonly region: string;
  /** CDK bootstrap qualifier of the account and Region. */
  readonly cdkQualifier: string;
  /** AWS partition of the account (`aws`, `aws-cn`, ...). */
  readonly partition: string;
}

/** An environment whose live image another one may release (`deploy --image-from <env>`). */
export interface ImageSourceEnvironment {
  /** The environment's name. */
  readonly environment: string;
  /** The environment's account. */
  readonly account: string;
  /** The environment's Region. */
  readonly region: string;
}

/** Where one environment lives and how its stacks and bootstrap roles are named. */
export interface ReleaseScope extends BootstrapEnvironment {
  /** The environment's name. */
  readonly environment: string;
  /** Stack names of the environment start with `<stackPrefix>-<environment>-`. */
  readonly stackPrefix: string;
  /**
   * Environments whose live image this one may release (`deploy --image-from <env>` reads that
   * environment's service stack). Read-only.
   * @default - none
   */
  readonly imageSources?: ImageSourceEnvironment[];
}

/** A statement of the release policy, and why its wildcard resources (if any) are as narrow as they can be. */
export interface ReleaseStatement {
  /** The statement. */
  readonly statement: iam.PolicyStatement;
  /**
   * Why its wildcard resources are as narrow as they can be (the cdk-nag acknowledgement).
   * @default - the statement has no wildcard resource
   */
  readonly wildcardReason?: string;
}

/** The roles `cdk bootstrap` creates in an account and Region. The values are the names' `<kind>`. */
export enum CdkBootstrapRole {
  /** `cdk-<qualifier>-deploy-role-...`: what `cdk deploy` assumes. */
  DEPLOY = 'deploy',
  /** `cdk-<qualifier>-file-publishing-role-...`: uploads file assets. */
  FILE_PUBLISHING = 'file-publishing',
  /** `cdk-<qualifier>-lookup-role-...`: context lookups. */
  LOOKUP = 'lookup',
  /** `cdk-<qualifier>-cfn-exec-role-...`: the CloudFormation execution role. */
  CFN_EXEC = 'cfn-exec',
}

/** ARNs of the CDK bootstrap roles of an account and region (`cdk-<qualifier>-<kind>-role-<account>-<region>`). */
export function bootstrapRoleArn(scope: BootstrapEnvironment, kind: CdkBootstrapRole): string {
  return `arn:${scope.partition}:iam::${scope.account}:role/cdk-${scope.cdkQualifier}-${kind}-role-${scope.account}-${scope.region}`;
}

/** The one-time schedules the release CLI creates, by the suffix after the stack name (src/release/schedule.ts). */
export const RELEASE_SCHEDULE_SUFFIXES: readonly string[] = ['-cool-down', '-pending-expiry'];

/**
 * What a release of one environment calls besides ECR (granted by the repositories): read that
 * environment's stacks and update them only as their release or parameter-update role (the
 * parameter change that swaps colors; never as the CDK execution role), flip that environment's listeners (the fast rollback path), keep the release lock
 * and history, invoke the smoke check, schedule the end of the rollback window, and read the
 * state it reconciles against. test/constructs/ci/release-calls.test.ts holds every SDK call of
 * the release CLI against the statements.
 *
 * Written by hand because the resources live in stacks built later, so no construct exists here
 * to call `grant*` on; each statement is scoped by stack-name prefix or the environment tag.
 */
export function releaseStatements(scope: ReleaseScope): ReleaseStatement[] {
  const entry = (props: iam.PolicyStatementProps, wildcardReason?: string): ReleaseStatement => ({ statement: new iam.PolicyStatement(props), wildcardReason });
  const { account, region, environment } = scope;
  const p = scope.partition;
  const prefix = `${scope.stackPrefix}-${environment}-`;
  const byName = `CloudFormation names these after the stack (${prefix}...) with a generated suffix; the prefix selects exactly ${environment}'s stacks.`;
  const stacks = `arn:${p}:cloudformation:${region}:${account}:stack/${prefix}*/*`;
  const parameterUpdateRoles = `arn:${p}:iam::${account}:role${RELEASE_PARAMETER_UPDATE_ROLE_PATH}${prefix}*`;
  return [
    entry({
      sid: 'ReadEnvironmentStacks',
      actions: [
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:DescribeStackResources',
        'cloudformation:ListStackResources',
        'cloudformation:GetTemplate',
        'cloudformation:GetTemplateSummary',
      ],
      resources: [stacks],
    }, `Stack ARNs end in a CloudFormation-assigned id. ${byName}`),
    entry({
      // Without RoleARN, UpdateStack runs as the role last associated with the stack (the CDK
      // execution role after any cdk deploy), and the caller needs no iam:PassRole for it
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html,
      // RoleARN). cloudformation:RoleArn is the RoleARN of the request
      // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-policy-keys);
      // a request without it has no value for the key, and a condition on a key missing from the
      // request context does not match, so the call is denied
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html). So every update this role
      // makes runs with a release or parameter-update role (both under this path), whatever
      // template it sends.
      sid: 'UpdateEnvironmentStacksAsParameterUpdateRole',
      actions: ['cloudformation:UpdateStack'],
      resources: [stacks],
      conditions: { ArnLike: { 'cloudformation:RoleArn': parameterUpdateRoles } },
    }, `Stack ARNs end in a CloudFormation-assigned id. ${byName} Held to RoleARN = a release or parameter-update role of those stacks.`),
    entry({
      sid: 'PassParameterUpdateRoleToCloudFormation',
      actions: ['iam:PassRole'],
      resources: [parameterUpdateRoles],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }, `ReleaseSupport's release and parameter-update roles live under the path ${RELEASE_PARAMETER_UPDATE_ROLE_PATH} with a CloudFormation-generated name that starts with the stack's (${prefix}...); only to CloudFormation.`),
    entry({
      // CloudFormation resolves SSM-typed parameters (the CDK BootstrapVersion) again on every
      // update, UsePreviousValue included
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
      // assumed: with the caller's credentials (the page does not say whose; the parameter-update
      // role this role names may read it too, constructs/release/parameter-update-role.ts), so
      // without this read an update of this role would fail with a ValidationError.
      sid: 'ResolveCdkBootstrapVersion',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [`arn:${p}:ssm:${region}:${account}:parameter/cdk-bootstrap/${scope.cdkQualifier}/version`],
    }),
    entry({
      sid: 'FlipEnvironmentListeners',
      actions: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule'],
      resources: [`arn:${p}:elasticloadbalancing:${region}:${account}:listener/app/*`, `arn:${p}:elasticloadbalancing:${region}:${account}:listener-rule/app/*`],
      conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG_KEY}`]: environment } },
    }, `Listener and rule ARNs are generated per load balancer; ModifyListener/ModifyRule are held to listeners tagged ${ENVIRONMENT_TAG_KEY}=${environment}.`),
    entry({
      sid: 'ReleaseLockAndHistory',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
      resources: [`arn:${p}:dynamodb:${region}:${account}:table/${prefix}*`],
    }, `Release tables: ${byName}`),
    entry({
      sid: 'InvokeReleaseFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: [`arn:${p}:lambda:${region}:${account}:function:${prefix}*`],
    }, `Smoke-check and rollback functions: ${byName}`),
    entry({
      // The one-time schedules that cool the standby when a rollback window closes, or when a
      // prepared release goes stale.
      sid: 'ScheduleEnvironmentReleases',
      actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
      resources: RELEASE_SCHEDULE_SUFFIXES.map((suffix) => `arn:${p}:scheduler:${region}:${account}:schedule/default/${prefix}*${suffix}`),
    }, `The release CLI names its one-time schedules <stack>${RELEASE_SCHEDULE_SUFFIXES.join('|')} in the default group; the stack prefix ${prefix} and the suffix select exactly ${environment}'s.`),
    entry({
      // CreateSchedule/UpdateSchedule hand the schedule ReleaseSupport's scheduler role.
      sid: 'PassReleaseSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [`arn:${p}:iam::${account}:role${RELEASE_SCHEDULER_ROLE_PATH}${prefix}*`],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }, `ReleaseSupport's scheduler roles live under the path ${RELEASE_SCHEDULER_ROLE_PATH} with a CloudFormation-generated name that starts with the stack's (${prefix}...); only to EventBridge Scheduler.`),
    entry({
      // After a swap or rollback, the fleet made live keeps the scheduled bounds the other had
      // (src/release/capacity.ts): what a scheduled action does.
      sid: 'CarryEnvironmentScheduledCapacity',
      actions: ['application-autoscaling:RegisterScalableTarget'],
      resources: [`arn:${p}:application-autoscaling:${region}:${account}:scalable-target/*`],
      conditions: {
        StringEquals: {
          'application-autoscaling:service-namespace': 'ecs',
          'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount',
          [`aws:ResourceTag/${ENVIRONMENT_TAG_KEY}`]: environment,
        },
      },
    }, `Scalable-target ARNs end in an id Application Auto Scaling generates; RegisterScalableTarget is held to ECS desired counts of targets tagged ${ENVIRONMENT_TAG_KEY}=${environment}.`),
    entry({
      // Application Auto Scaling checks that the caller of RegisterScalableTarget may update the ECS service it scales.
      sid: 'UpdateEnvironmentServicesForScaling',
      actions: ['ecs:UpdateService'],
      resources: [`arn:${p}:ecs:${region}:${account}:service/${prefix}*/*`],
    }, `ECS service ARNs name the cluster, which CloudFormation names after the stack (${prefix}...) with a generated suffix; the prefix selects exactly ${environment}'s services.`),
    ...imageSourceStatements(scope, entry),
    entry({
      sid: 'ReadEcsOptimizedAmiParameters',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [`arn:${p}:ssm:${region}::parameter/aws/service/ecs/*`],
    }, `Public ECS-optimized AMI parameters published by AWS under /aws/service/ecs/; read-only.`),
    entry({
      sid: 'ReadFleetState',
      actions: [
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'ecs:DescribeClusters',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:DescribeTasks',
        'ecs:ListTasks',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeScalingActivities',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScheduledActions',
        'application-autoscaling:DescribeScalingActivities',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        'ec2:DescribeImages',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    }, `Describe/list calls of ELB, ECS, Auto Scaling, Application Auto Scaling, CloudWatch and EC2 images accept no resource ARN or read across the fleet; read-only and held to ${region} by aws:RequestedRegion.`),
  ];
}

/** `deploy --image-from <env>` reads the live image (a parameter) of that environment's service stack. */
function imageSourceStatements(scope: ReleaseScope, entry: (props: iam.PolicyStatementProps, wildcardReason?: string) => ReleaseStatement): ReleaseStatement[] {
  const sources = scope.imageSources ?? [];
  if (sources.length === 0) return [];
  const p = scope.partition;
  const stacks = sources.map((s) => `arn:${p}:cloudformation:${s.region}:${s.account}:stack/${scope.stackPrefix}-${s.environment}-*/*`);
  return [
    entry(
      { sid: 'ReadImageSourceStacks', actions: ['cloudformation:DescribeStacks'], resources: stacks },
      `deploy --image-from reads the live image of ${sources.map((s) => s.environment).join(', ')}: DescribeStacks only, on those environments' stacks (ARNs end in a CloudFormation-assigned id).`,
    ),
  ];
}

/** The release permissions of an environment, for callers outside TypeScript (the free functions are the same). */
export class ReleasePermissions {
  /** The tag every stack of the app puts on its resources; release writes are scoped by it. */
  public static readonly ENVIRONMENT_TAG_KEY: string = ENVIRONMENT_TAG_KEY;

  /** ARN of a CDK bootstrap role of an account and Region. */
  public static bootstrapRoleArn(scope: BootstrapEnvironment, kind: CdkBootstrapRole): string {
    return bootstrapRoleArn(scope, kind);
  }

  /** What a release of one environment calls besides ECR (see `releaseStatements`). */
  public static releaseStatements(scope: ReleaseScope): ReleaseStatement[] {
    return releaseStatements(scope);
  }

  private constructor() {}
}
