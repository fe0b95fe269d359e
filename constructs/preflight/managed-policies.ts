import { AssemblyStack } from './assembly';

/** A policy statement as JSON, as in a template or an AWS managed policy document. */
export interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/**
 * AWS managed policies whose content the rules need, copied from the AWS Managed Policy
 * Reference (each URL below). A managed policy not listed here is opaque: a role holding one
 * gets `maybe`, never `yes`, for anything its known policies do not grant.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, readonly PolicyStatementJson[]>> = {
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
  AdministratorAccess: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
  'service-role/AWSLambdaBasicExecutionRole': [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html (v3)
  'service-role/AWSLambdaVPCAccessExecutionRole': [
    {
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaENIManagementAccess.html
  'service-role/AWSLambdaENIManagementAccess': [
    {
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    },
  ],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudFormationReadOnlyAccess.html
  AWSCloudFormationReadOnlyAccess: [
    { Effect: 'Allow', Action: ['cloudformation:Describe*', 'cloudformation:EstimateTemplateCost', 'cloudformation:Get*', 'cloudformation:List*', 'cloudformation:ValidateTemplate', 'cloudformation:Detect*'], Resource: '*' },
  ],
};

/**
 * The CDK bootstrap deploy role (`cdk-<qualifier>-deploy-role-...`) as the current bootstrap
 * template defines it (aws-cdk's lib/api/bootstrap/bootstrap-template.yaml, DeploymentActionRole):
 * CloudFormation deploy actions on every stack, PassRole of the execution role, and
 * ssm:GetParameter(s) on the bootstrap version parameter only ("CreateChangeSet uses this to
 * evaluate any SSM parameters"), plus AWSCloudFormationReadOnlyAccess.
 * assumed: the environment is bootstrapped with that template and no custom policy.
 */
export function cdkDeployRoleStatements(stack: AssemblyStack): PolicyStatementJson[] {
  const versionParameter = stack.bootstrapVersionParameter ?? '/cdk-bootstrap/hnb659fds/version';
  return [
    {
      Effect: 'Allow',
      Action: [
        'cloudformation:CreateChangeSet',
        'cloudformation:DeleteChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:RollbackStack',
        'cloudformation:ContinueUpdateRollback',
        'cloudformation:DeleteStack',
        'cloudformation:UpdateTerminationProtection',
      ],
      Resource: '*',
    },
    ...(stack.executionRoleArn ? [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: stack.executionRoleArn }] : []),
    { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: `arn:aws:ssm:${stack.region}:${stack.account}:parameter${versionParameter}` },
    ...AWS_MANAGED_POLICIES.AWSCloudFormationReadOnlyAccess,
  ];
}

/**
 * The CDK execution role: `cdk bootstrap` attaches AdministratorAccess unless
 * --cloudformation-execution-policies names others
 * (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html).
 * assumed: the default; `bluegreen-fleet preflight --live` simulates the real role instead.
 */
export function cdkExecutionRoleStatements(): PolicyStatementJson[] {
  return [...AWS_MANAGED_POLICIES.AdministratorAccess];
}
