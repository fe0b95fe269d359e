import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Node.js runtime of the release Lambdas; it ships AWS SDK v3, so the SDK stays out of the bundles. */
export const RELEASE_LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Where a handler's source is: `lambda/<name>/index.ts` at the project root, found from this file
 * whether it runs as TypeScript (tests), transpiled under `.build/` (the app) or under `dist/`.
 */
export function handlerEntry(name: string): string {
  const candidates = [
    path.join(__dirname, '..', '..', 'lambda', name, 'index.ts'),
    path.join(__dirname, '..', '..', '..', 'lambda', name, 'index.ts'),
    path.join(__dirname, '..', '..', 'lambda', name, 'index.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`ReleaseSupport: handler source lambda/${name}/index.ts not found (looked in ${candidates.join(', ')})`);
  return found;
}

function findUp(file: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

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
 * One release Lambda: bundled and minified by the locally installed esbuild (no Docker), the
 * AWS SDK external, arm64, its own log group, and a role that may write only to that log group
 * (no managed policy).
 */
export function releaseFunction(scope: Construct, id: string, props: ReleaseFunctionProps): nodejs.NodejsFunction {
  const entry = handlerEntry(props.handler);
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
  return new nodejs.NodejsFunction(scope, id, {
    entry,
    handler: 'handler',
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
    depsLockFilePath: findUp('package-lock.json', path.dirname(entry)),
    projectRoot: path.dirname(findUp('package.json', path.dirname(entry)) ?? entry),
    bundling: {
      minify: true,
      sourceMap: false,
      target: 'node24',
      format: nodejs.OutputFormat.CJS,
      externalModules: ['@aws-sdk/*'],
      forceDockerBundling: false,
    },
  });
}
