import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerCodeDirectory } from './bundle';

/** The Node.js runtime of the release Lambdas; it ships AWS SDK v3, so the SDK stays out of the bundles. */
export const RELEASE_LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface ReleaseFunctionProps {
  readonly handler: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly logKey?: kms.IKey;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One release Lambda: its handler bundled and minified (see bundle.ts; no Docker), the AWS SDK
 * external, arm64, its own log group, and a role that may write only to that log group (no
 * managed policy).
 */
export function releaseFunction(scope: Construct, id: string, props: ReleaseFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention,
    encryptionKey: props.logKey,
    removalPolicy: props.logRemovalPolicy,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  if (props.vpc) {
    // Lambda checks at CreateFunction that the execution role may create and delete the
    // function's ENIs ("The provided execution role does not have permissions to call
    // CreateNetworkInterface on EC2"), and aws-cdk-lib adds the VPC access policy only to roles it
    // creates itself: https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: "The AWS-maintained minimum a VPC function's role needs to manage its ENIs (what aws-cdk-lib attaches to roles it creates); the ENI actions support no resource-level scope.",
    });
  }
  return new lambda.Function(scope, id, {
    code: lambda.Code.fromAsset(handlerCodeDirectory(props.handler)),
    handler: 'index.handler',
    runtime: RELEASE_LAMBDA_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    description: props.description,
    role,
    logGroup,
    environment: props.environment,
    vpc: props.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: props.securityGroups,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
  });
}
