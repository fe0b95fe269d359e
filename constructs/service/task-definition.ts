import { Aws, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const CONTAINER_NAME = 'app';

export interface FleetTaskDefinitionProps {
  readonly networkMode: ecs.NetworkMode;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<digest>` (a parameter). */
  readonly image: string;
  /** Repository the image comes from; derived from `image` when not given. */
  readonly repository?: ecr.IRepository;
  readonly containerPort: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, ecs.Secret>>;
  readonly logGroup: logs.ILogGroup;
  readonly streamPrefix: string;
  readonly healthCheck: ecs.HealthCheck;
  readonly stopTimeout: Duration;
  readonly readonlyRootFilesystem: boolean;
  readonly user?: string;
}

/** The default container health check: an HTTP GET of the health path from inside the container. */
export function defaultContainerHealthCheck(port: number, path: string): ecs.HealthCheck {
  return {
    command: ['CMD-SHELL', `curl -fsS -o /dev/null http://localhost:${port}${path} || exit 1`],
    interval: Duration.seconds(30),
    timeout: Duration.seconds(5),
    retries: 3,
    startPeriod: Duration.seconds(60),
  };
}

/** One fleet's task definition: one container with hard limits, awslogs, a health check. */
export function createTaskDefinition(scope: Construct, props: FleetTaskDefinitionProps): ecs.Ec2TaskDefinition {
  const taskDefinition = new ecs.Ec2TaskDefinition(scope, 'TaskDefinition', { networkMode: props.networkMode });
  taskDefinition.addContainer(CONTAINER_NAME, {
    image: ecs.ContainerImage.fromRegistry(props.image),
    cpu: props.cpu,
    memoryLimitMiB: props.memoryMiB,
    essential: true,
    environment: { ...props.environment },
    secrets: { ...props.secrets },
    portMappings: [
      {
        containerPort: props.containerPort,
        // bridge: a dynamic host port, so several tasks fit on one instance.
        hostPort: props.networkMode === ecs.NetworkMode.BRIDGE ? 0 : props.containerPort,
        protocol: ecs.Protocol.TCP,
      },
    ],
    logging: ecs.LogDrivers.awsLogs({
      logGroup: props.logGroup,
      streamPrefix: props.streamPrefix,
      mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    }),
    healthCheck: props.healthCheck,
    stopTimeout: props.stopTimeout,
    readonlyRootFilesystem: props.readonlyRootFilesystem,
    user: props.user,
  });

  // Only ECS tasks of this account may assume the task role (confused deputy):
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html. Set on the
  // role's own trust statement, so the role is updated in place, not replaced.
  const stack = Stack.of(scope);
  (taskDefinition.taskRole.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
  });

  const executionRole = taskDefinition.obtainExecutionRole();
  const repository = props.repository ?? repositoryOf(scope, props.image);
  // grantPull's scoped part; its unscoped registry login goes into a policy of its own.
  repository.grant(executionRole, 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage');
  unscopedPolicy(executionRole, 'RegistryLoginPolicy', ['ecr:GetAuthorizationToken'],
    'ecr:GetAuthorizationToken (the registry login before any pull) has no resource-level scope; the pulls themselves are limited to the one repository, in the role\'s default policy.');
  Validations.of(taskDefinition).acknowledge({
    id: 'AwsSolutions::AwsSolutions-ECS2',
    reason: 'Environment variables hold plain configuration only; secrets are injected from Secrets Manager or SSM (secrets prop).',
  });
  return taskDefinition;
}

/**
 * Lets the task's containers open ECS Exec sessions (the service sets EnableExecuteCommand):
 * the SSM message channel actions, which have no resource-level scope.
 */
export function addExecCommandPolicy(taskDefinition: ecs.TaskDefinition): iam.Policy {
  return unscopedPolicy(
    taskDefinition.taskRole,
    'ExecCommandPolicy',
    ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    'ECS Exec: the ssmmessages channel actions have no resource-level scope; who may open a session is decided by ecs:ExecuteCommand on the caller\'s side.',
  );
}

/**
 * A policy, attached to `role`, holding only actions that have no resource-level scope, with
 * the cdk-nag finding acknowledged on that policy alone. Statements added to the role later
 * land in its default policy, where a `Resource: *` is still reported.
 */
function unscopedPolicy(role: iam.IRole, id: string, actions: string[], reason: string): iam.Policy {
  const policy = new iam.Policy(role, id, { roles: [role], statements: [new iam.PolicyStatement({ actions, resources: ['*'] })] });
  Validations.of(policy).acknowledge({ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason });
  return policy;
}

/**
 * The repository of an ECR image reference, read from the reference at deploy time: account
 * and region from the registry host, the name from between the host and the digest.
 */
export function repositoryOf(scope: Construct, image: string): ecr.IRepository {
  const host = Fn.select(0, Fn.split('/', image));
  const account = Fn.select(0, Fn.split('.', host));
  const region = Fn.select(3, Fn.split('.', host));
  const name = Fn.select(1, Fn.split('.amazonaws.com/', Fn.select(0, Fn.split('@', image))));
  return ecr.Repository.fromRepositoryAttributes(scope, 'ImageRepository', {
    repositoryName: name,
    repositoryArn: `arn:${Aws.PARTITION}:ecr:${region}:${account}:repository/${name}`,
  });
}
