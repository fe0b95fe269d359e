import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentCiRoles, ImageRepository } from '../../../constructs';
import { ReleaseSchedule, releaseScheduleName } from '../../../src/release/steps/schedule';
import type { StackState } from '../../../src/release/core/stack-state';
import { newApp } from '../../support/synth';

/**
 * Every AWS call the release CLI makes (src/release, src/aws, src/commands), as the IAM request
 * it becomes, evaluated against the synthesized policy of a CI release role. A call added to the
 * CLI without a row here fails the first test; a row the role does not allow fails the second.
 */

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';
const ENV = 'staging';
const STACK = `bgf-${ENV}-api`;
const STACK_ARN = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`;
const TAGGED = { [`aws:ResourceTag/bluegreen-fleet:environment`]: ENV };
const ECS_TARGET = { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' };
const SCALABLE_TARGET = `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/0ec9b1a2c3d4e5f60718293a4b5c6d7e8f90`;
/** Names as CloudFormation generates them for the service stack's resources. */
const NAMES = {
  table: `${STACK}-ApiReleaseTable1A2B3C4D-ABCDEF123456`,
  smokeCheck: `${STACK}-ApiReleaseSmokeCheck5E6F7A8B-ABCDEF123456`,
  schedulerRole: `${STACK}-ApiReleaseSchedulerRole9C0D1E2F-ABCDEF123456`,
  cluster: `${STACK}-ServiceGreenCluster0A1B2C3D-ABCDEF123456`,
  service: `${STACK}-ServiceGreenService4E5F6A7B-ABCDEF123456`,
};
const ECS_SERVICE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${NAMES.cluster}/${NAMES.service}`;
const REPOSITORY = 'bluegreen-fleet/api';
const SCHEDULER_ROLE = `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/release-scheduler/${NAMES.schedulerRole}`;
const PARAMETER_UPDATE_ROLE = `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/parameter-update/${STACK}-ApiReleaseParameterUpdateRole3A4B5C6D-ABCDEF123456`;
const RELEASE_ROLE = `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/parameter-update/${STACK}-ApiReleaseReleaseRole9F8E7D6C-ABCDEF123456`;
const CDK_EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
/** The CLI's one-time schedules, named as src/release/schedule.ts names them (with and without a parameter prefix). */
const SCHEDULES = (['cool-down', 'pending-expiry'] as ReleaseSchedule[]).flatMap((kind) =>
  ['', 'Api'].map((prefix) => `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${releaseScheduleName({ name: STACK, prefix } as StackState, kind)}`),
);

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

/** SDK command (or waiter) -> the requests IAM authorizes for it. */
const CLI_CALLS: Readonly<Record<string, readonly Request[]>> = {
  // Whose credentials the CLI runs with, before any other call: GetCallerIdentity needs no
  // permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
  GetCallerIdentityCommand: [],
  // --role-arn: AssumeRole is made with the caller's own credentials, to become this role; the
  // role's trust policy and the caller's sts:AssumeRole decide it, not the role's own policy.
  AssumeRoleCommand: [],
  // CloudFormation: the service stack, and --image-from's source environment.
  DescribeStacksCommand: [
    { action: 'cloudformation:DescribeStacks', resource: STACK_ARN },
    { action: 'cloudformation:DescribeStacks', resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/bgf-dev-api/1` },
  ],
  waitUntilStackUpdateComplete: [{ action: 'cloudformation:DescribeStacks', resource: STACK_ARN }],
  // A failed LiveColor reconcile names the first failed stack event.
  DescribeStackEventsCommand: [{ action: 'cloudformation:DescribeStackEvents', resource: STACK_ARN }],
  // StandbyMinTasks' MaxValue, which the standby size is clamped to.
  GetTemplateCommand: [{ action: 'cloudformation:GetTemplate', resource: STACK_ARN }],
  UpdateStackCommand: [
    // As the stack's release role (ReleaseSupport's ReleaseRoleArn output, what
    // src/release/state/stack.ts executionRoleArn names), or its narrow parameter-update role;
    // never the CDK execution role (in DENIED below).
    { action: 'cloudformation:UpdateStack', resource: STACK_ARN, context: { 'cloudformation:RoleArn': RELEASE_ROLE } },
    { action: 'iam:PassRole', resource: RELEASE_ROLE, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    { action: 'cloudformation:UpdateStack', resource: STACK_ARN, context: { 'cloudformation:RoleArn': PARAMETER_UPDATE_ROLE } },
    { action: 'iam:PassRole', resource: PARAMETER_UPDATE_ROLE, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    // CloudFormation resolves the SSM-typed BootstrapVersion parameter again with the caller's credentials.
    { action: 'ssm:GetParameters', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version` },
  ],
  // Load balancer: where traffic goes, the fast rollback, target health.
  DescribeListenersCommand: [{ action: 'elasticloadbalancing:DescribeListeners', resource: '*' }],
  ModifyListenerCommand: [{ action: 'elasticloadbalancing:ModifyListener', resource: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/bgf-st-Servi-1A2B3C/0123456789abcdef/fedcba9876543210`, context: TAGGED }],
  DescribeTargetHealthCommand: [{ action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' }],
  waitUntilTargetInService: [{ action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' }],
  // ECS, Auto Scaling, CloudWatch: the fleets' state.
  DescribeServicesCommand: [{ action: 'ecs:DescribeServices', resource: ECS_SERVICE }],
  waitUntilServicesStable: [{ action: 'ecs:DescribeServices', resource: ECS_SERVICE }],
  DescribeAutoScalingGroupsCommand: [{ action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' }],
  DescribeAlarmsCommand: [{ action: 'cloudwatch:DescribeAlarms', resource: '*' }],
  // The scheduled bounds carried over a swap or rollback.
  DescribeScalableTargetsCommand: [{ action: 'application-autoscaling:DescribeScalableTargets', resource: '*' }],
  RegisterScalableTargetCommand: [
    { action: 'application-autoscaling:RegisterScalableTarget', resource: SCALABLE_TARGET, context: { ...ECS_TARGET, ...TAGGED } },
    // Application Auto Scaling checks that the caller may update the service it scales.
    { action: 'ecs:DescribeServices', resource: ECS_SERVICE },
    { action: 'ecs:UpdateService', resource: ECS_SERVICE },
  ],
  // The release table (DynamoDB document client).
  GetCommand: [{ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${NAMES.table}` }],
  PutCommand: [{ action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${NAMES.table}` }],
  UpdateCommand: [{ action: 'dynamodb:UpdateItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${NAMES.table}` }],
  DeleteCommand: [{ action: 'dynamodb:DeleteItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${NAMES.table}` }],
  QueryCommand: [{ action: 'dynamodb:Query', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${NAMES.table}` }],
  // The smoke check.
  InvokeCommand: [{ action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAMES.smokeCheck}` }],
  // The rollback window's cool-down schedule, with ReleaseSupport's scheduler role.
  GetScheduleCommand: SCHEDULES.map((resource) => ({ action: 'scheduler:GetSchedule', resource })),
  CreateScheduleCommand: [
    ...SCHEDULES.map((resource) => ({ action: 'scheduler:CreateSchedule', resource })),
    { action: 'iam:PassRole', resource: SCHEDULER_ROLE, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  ],
  UpdateScheduleCommand: [
    ...SCHEDULES.map((resource) => ({ action: 'scheduler:UpdateSchedule', resource })),
    { action: 'iam:PassRole', resource: SCHEDULER_ROLE, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  ],
  // --ami latest.
  GetParameterCommand: [{ action: 'ssm:GetParameter', resource: `arn:aws:ssm:${REGION}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id` }],
  // ECR in the shared account (ImageRepository.grantRelease).
  DescribeImagesCommand: [{ action: 'ecr:DescribeImages', resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}` }],
  DescribeImageScanFindingsCommand: [{ action: 'ecr:DescribeImageScanFindings', resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}` }],
  BatchGetImageCommand: [{ action: 'ecr:BatchGetImage', resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}` }],
  PutImageCommand: [{ action: 'ecr:PutImage', resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}` }],
};

/** Requests of the staging role that must stay denied: other environments' writes, other roles. */
const DENIED: readonly Request[] = [
  // Without RoleARN CloudFormation reuses the stack's last role (the CDK execution role after a cdk deploy).
  { action: 'cloudformation:UpdateStack', resource: STACK_ARN },
  { action: 'cloudformation:UpdateStack', resource: STACK_ARN, context: { 'cloudformation:RoleArn': CDK_EXEC_ROLE } },
  { action: 'iam:PassRole', resource: CDK_EXEC_ROLE, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
  { action: 'cloudformation:UpdateStack', resource: STACK_ARN, context: { 'cloudformation:RoleArn': `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/parameter-update/bgf-production-api-X` } },
  { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${REGION}` },
  { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-lookup-role-${ACCOUNT}-${REGION}` },
  { action: 'cloudformation:CreateChangeSet', resource: STACK_ARN },
  { action: 'cloudformation:DeleteStack', resource: STACK_ARN },
  { action: 'cloudformation:UpdateStack', resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/bgf-production-api/1` },
  { action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/bgf-production-api-ApiReleaseTable1A2B3C4D-X` },
  { action: 'scheduler:CreateSchedule', resource: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/bgf-production-api-cool-down` },
  { action: 'scheduler:CreateSchedule', resource: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${STACK}-anything-else` },
  { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/release-scheduler/bgf-production-api-ApiReleaseSchedulerRole-X`, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/${STACK}-ApiReleaseAutoRollbackRole-X`, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  { action: 'iam:PassRole', resource: SCHEDULER_ROLE, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  { action: 'elasticloadbalancing:ModifyListener', resource: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/x/1/2`, context: { 'aws:ResourceTag/bluegreen-fleet:environment': 'production' } },
  { action: 'application-autoscaling:RegisterScalableTarget', resource: SCALABLE_TARGET, context: { ...ECS_TARGET, 'aws:ResourceTag/bluegreen-fleet:environment': 'production' } },
  { action: 'application-autoscaling:RegisterScalableTarget', resource: SCALABLE_TARGET, context: { 'application-autoscaling:service-namespace': 'dynamodb', 'application-autoscaling:scalable-dimension': 'dynamodb:table:ReadCapacityUnits', ...TAGGED } },
  { action: 'ecs:UpdateService', resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/bgf-production-api-ServiceGreenCluster-X/svc` },
];

/** The SDK commands and waiters the release CLI's sources import from the AWS SDK. */
function commandsInSources(): string[] {
  const root = path.join(__dirname, '../../..');
  const files = ['src/release', 'src/aws', 'src/commands'].flatMap((dir) => (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, dir, f)));
  const found = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/import \{([^}]+)\} from '@aws-sdk\/[^']+'/g)) {
      for (const name of m[1].split(',').map((n) => n.trim())) if (/Command$|^waitUntil/.test(name)) found.add(name);
    }
  }
  return [...found].sort();
}

describe('the release CLI calls against the CI release role', () => {
  let statements: Statement[];

  beforeAll(() => {
    const stack = new Stack(newApp(), 'Ci', { env: { account: ACCOUNT, region: REGION } });
    const repository = new ImageRepository(stack, 'Api', { repositoryName: REPOSITORY });
    new EnvironmentCiRoles(stack, 'Ci', { repository: 'example-org/bluegreen-fleet', environment: ENV, imageFrom: ['dev'], imageRepositoryArns: [repository.repositoryArn] });
    statements = roleStatements(Template.fromStack(stack), `bgf-ci-release-${ENV}`);
  });

  test('every SDK command and waiter of the release CLI has a row in the table', () => {
    expect(commandsInSources()).toEqual(Object.keys(CLI_CALLS).sort());
  });

  test.each(Object.entries(CLI_CALLS).flatMap(([call, requests]) => requests.map((r) => [call, r.action, r.resource, r] as const)))('%s: %s on %s is allowed', (_call, _action, _resource, request) => {
    expect(allows(statements, { ...request, context: { 'aws:RequestedRegion': REGION, ...request.context } })).toBe(true);
  });

  test.each(DENIED.map((r) => [r.action, r.resource, r] as const))('%s on %s is denied', (_action, _resource, request) => {
    expect(allows(statements, { ...request, context: { 'aws:RequestedRegion': REGION, ...request.context } })).toBe(false);
  });

  test('the evaluator itself: actions, resource globs and conditions must all match', () => {
    const s: Statement = { Effect: 'Allow', Action: ['x:Get'], Resource: ['arn:a/b-*/c'], Condition: { StringEquals: { k: ['v'] } } };
    expect(allows([s], { action: 'x:Get', resource: 'arn:a/b-1/c', context: { k: 'v' } })).toBe(true);
    expect(allows([s], { action: 'x:Put', resource: 'arn:a/b-1/c', context: { k: 'v' } })).toBe(false);
    expect(allows([s], { action: 'x:Get', resource: 'arn:a/c-1/c', context: { k: 'v' } })).toBe(false);
    expect(allows([s], { action: 'x:Get', resource: 'arn:a/b-1/c', context: { k: 'w' } })).toBe(false);
    expect(allows([s], { action: 'x:Get', resource: 'arn:a/b-1/c' })).toBe(false);
    expect(allows([s, { ...s, Effect: 'Deny', Condition: undefined }], { action: 'x:Get', resource: 'arn:a/b-1/c', context: { k: 'v' } })).toBe(false);
    const arn: Statement = { Effect: 'Allow', Action: 'x:Put', Resource: '*', Condition: { ArnLike: { r: 'arn:x:role/p/*' } } };
    expect(allows([arn], { action: 'x:Put', resource: 'a', context: { r: 'arn:x:role/p/q' } })).toBe(true);
    expect(allows([arn], { action: 'x:Put', resource: 'a', context: { r: 'arn:x:role/q' } })).toBe(false);
    expect(allows([arn], { action: 'x:Put', resource: 'a' })).toBe(false);
  });
});

// A small IAM evaluator over synthesized statements: Allow unless no statement allows or one denies.

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

function glob(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

function conditionsHold(condition: Statement['Condition'], context: Readonly<Record<string, string>>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat();
      if (operator === 'StringEquals' && !values.includes(actual)) return false;
      else if ((operator === 'StringLike' || operator === 'ArnLike') && !values.some((v) => glob(v, actual))) return false;
      else if (!['StringEquals', 'StringLike', 'ArnLike'].includes(operator)) throw new Error(`evaluator: unsupported condition operator ${operator}`);
    }
  }
  return true;
}

function matches(statement: Statement, request: Request): boolean {
  const resources = [statement.Resource].flat();
  for (const r of resources) if (typeof r !== 'string') throw new Error(`evaluator: unresolved resource ${JSON.stringify(r)}`);
  return (
    [statement.Action].flat().some((a) => glob(a, request.action)) &&
    (resources as string[]).some((r) => glob(r, request.resource)) &&
    conditionsHold(statement.Condition, request.context ?? {})
  );
}

function allows(statements: readonly Statement[], request: Request): boolean {
  const applicable = statements.filter((s) => matches(s, request));
  return applicable.some((s) => s.Effect === 'Allow') && !applicable.some((s) => s.Effect === 'Deny');
}

/** The statements of every policy attached to the role, with the few intrinsics a template holds here resolved. */
function roleStatements(template: Template, roleName: string): Statement[] {
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
  const [roleId] = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)!;
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const v = value as Record<string, unknown>;
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      const resource = json.Resources[id];
      if (resource?.Type === 'AWS::ECR::Repository' && attribute === 'Arn') return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${resource.Properties.RepositoryName}`;
      throw new Error(`evaluator: cannot resolve ${id}.${attribute}`);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref?: string }) => ref.Ref === roleId))
    .flatMap((r) => resolve(r.Properties.PolicyDocument.Statement) as Statement[]);
}
