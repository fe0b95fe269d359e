import { serviceStackName } from '../../../constructs/contract';
import { ExitCode, ReleaseError } from '../core/outcome';

export { serviceStackName };

/**
 * The stack a release command works on, and how to reach it. Everything else (fleets,
 * listeners, table, Lambdas, release settings) is read from the deployed stack
 * (docs/contracts.md), so any stack built with BlueGreenService and ReleaseSupport can be
 * released; no app config is read.
 */
export interface ReleaseTarget {
  /** The stack name (also when `--stack` was given as an ARN). */
  readonly stackName: string;
  readonly region: string;
  /** A shared config profile (`--profile`). */
  readonly profile?: string;
  /** A role to assume for every call (`--role-arn`). */
  readonly roleArn?: string;
  /** The account the stack must be in: `--account`, or the account of a stack ARN. */
  readonly expectedAccount?: string;
}

export interface TargetInput {
  readonly env?: string;
  readonly service?: string;
  /** A stack name or ARN; overrides the shorthand's `bgf-<env>-<service>`. */
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly account?: string;
}

/**
 * A CloudFormation stack ARN: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-resources-for-iam-policies).
 */
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:([a-z0-9-]+):(\d{12}):stack\/([a-zA-Z][-a-zA-Z0-9]{0,127})\/[-a-zA-Z0-9]+$/;

export function parseStackArn(value: string): { region: string; account: string; name: string } | undefined {
  const m = STACK_ARN.exec(value);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

/** An IAM role ARN (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/**
 * The region, in the order the AWS CLI and SDKs take it: `--region`, then `AWS_REGION` (and the
 * older `AWS_DEFAULT_REGION`), then the profile's `region` in the shared config file
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html). A stack ARN names its own.
 */
export async function resolveRegion(input: TargetInput, env: NodeJS.ProcessEnv, profileRegion: (profile: string | undefined) => Promise<string | undefined>): Promise<string> {
  const fromArn = input.stack ? parseStackArn(input.stack)?.region : undefined;
  if (fromArn && input.region && input.region !== fromArn) {
    throw new ReleaseError(ExitCode.Usage, `--region ${input.region} disagrees with the stack ARN's region ${fromArn}; give one`);
  }
  const region = fromArn ?? input.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (await profileRegion(input.profile ?? env.AWS_PROFILE));
  if (!region) {
    throw new ReleaseError(ExitCode.Usage, `no region for stack ${stackNameOf(input)}: give --region, set AWS_REGION, or set a region in the profile${input.profile ? ` ${input.profile}` : ''}`);
  }
  return region;
}

function stackNameOf(input: TargetInput): string {
  if (input.stack) return parseStackArn(input.stack)?.name ?? input.stack;
  if (input.env && input.service) return serviceStackName(input.env, input.service);
  throw new ReleaseError(ExitCode.Usage, 'give --stack <name>, or --env and --service (the stack bgf-<env>-<service>)');
}

/** The stack from the options; checked before any AWS call. */
export async function resolveTarget(
  input: TargetInput,
  env: NodeJS.ProcessEnv = process.env,
  profileRegion: (profile: string | undefined) => Promise<string | undefined> = async () => undefined,
): Promise<ReleaseTarget> {
  const stackName = stackNameOf(input);
  const arn = input.stack ? parseStackArn(input.stack) : undefined;
  if (arn && input.account && arn.account !== input.account) {
    throw new ReleaseError(ExitCode.Usage, `--account ${input.account} disagrees with the stack ARN's account ${arn.account}; give one`);
  }
  return {
    stackName,
    region: await resolveRegion(input, env, profileRegion),
    profile: input.profile,
    roleArn: input.roleArn,
    expectedAccount: arn?.account ?? input.account,
  };
}
