import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { FleetRefs, isNoUpdatesError, parameterUpdateInput, ParameterName, parseStack, StackState } from '../../src/release/core/stack-state';
import { LAMBDA_ENV } from '../../constructs/contract';

/**
 * What the release Lambdas share: the service stack they belong to (read through the same
 * contract as the CLI) and a parameter update with the previous template. They rely on the
 * SDK's own retries; the stack name and prefix come from their environment.
 */

export interface LambdaSettings {
  readonly stackName: string;
  readonly parameterPrefix: string;
  readonly tableName: string;
  /** The narrow role CloudFormation applies the Lambdas' updates with (ReleaseSupport's parameterUpdateRole). */
  readonly updateRoleArn?: string;
}

export function settings(env: NodeJS.ProcessEnv = process.env): LambdaSettings {
  const stackName = env[LAMBDA_ENV.stackName];
  const tableName = env[LAMBDA_ENV.tableName];
  if (!stackName || !tableName) throw new Error(`${LAMBDA_ENV.stackName} and ${LAMBDA_ENV.tableName} must be set (ReleaseSupport sets them)`);
  return { stackName, tableName, parameterPrefix: env[LAMBDA_ENV.parameterPrefix] ?? '', updateRoleArn: env[LAMBDA_ENV.updateRoleArn] || undefined };
}

export async function readStackState(cfn: CloudFormationClient, s: LambdaSettings): Promise<StackState> {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: s.stackName }));
  const stack = out.Stacks?.[0];
  if (!stack) throw new Error(`stack ${s.stackName} not found`);
  return parseStack(stack, s.parameterPrefix);
}

/**
 * Starts a stack update that sets `changes` (other parameters keep their values, the stack's
 * capabilities are passed through), run by CloudFormation as `roleArn` (the narrow
 * parameter-update role: these functions may pass no other). Does not wait: CloudFormation
 * finishes it on its own. The release CLI names the execution role on each of its updates, so
 * the role this leaves associated with the stack never runs an image or AMI change.
 *
 * `token` is the update's ClientRequestToken (`requestToken` of src/release/core/request-token):
 * derived from what the invocation is for, so Lambda's retry of the same event (after an error,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html) sends the
 * same one and CloudFormation knows it for the update the first attempt started, not a new one
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html).
 */
export async function setParameters(
  cfn: CloudFormationClient,
  state: StackState,
  changes: Partial<Record<ParameterName, string>>,
  roleArn: string | undefined,
  token: string,
): Promise<'updated' | 'unchanged'> {
  const update = parameterUpdateInput(state, changes, roleArn);
  if (!update) return 'unchanged';
  try {
    await cfn.send(new UpdateStackCommand({ ...update.input, ClientRequestToken: token }));
    return 'updated';
  } catch (error) {
    if (isNoUpdatesError(error)) return 'unchanged';
    throw error;
  }
}

export async function serviceCounts(ecs: ECSClient, fleet: FleetRefs): Promise<{ desired: number; running: number }> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: fleet.clusterName, services: [fleet.serviceName] }));
  const s = out.services?.[0];
  return { desired: s?.desiredCount ?? 0, running: s?.runningCount ?? 0 };
}

/** One JSON line per decision, so CloudWatch Logs Insights can query what the Lambdas did. */
export function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}
