import { randomUUID } from 'node:crypto';
import { DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand, UpdateStackCommand, waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { AwsCallError } from '../../aws/errors';
import { WaitFailedError, waitFor } from '../../aws/waiters';
import { call, ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { isBusy, output, isNoUpdatesError, isUpdatable, parameterUpdateInput, ParameterName, parseStack, StackState } from '../core/stack-state';
import { clampStandby, StandbySize, standbyMaxValue } from '../core/standby-size';

export async function readStack(ctx: ReleaseContext, stackName: string, prefixHint?: string, clients = ctx.clients): Promise<StackState> {
  // DescribeStacks answers ValidationError "Stack with id <name> does not exist" for a stack
  // the caller's account does not have in that region
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html):
  // with the wrong profile that is every stack, so the message names the account asked.
  const whose = ctx.caller ? ` of account ${ctx.caller.account} (credentials of ${ctx.caller.arn})` : '';
  const missing = () =>
    new ReleaseError(ExitCode.Error, `stack ${stackName} does not exist in ${clients.region}${whose}: check the stack name and --region; if the stack is in another account, use --profile/--role-arn (or --account to have this checked first)`);
  let out;
  try {
    out = await call(ctx, 'DescribeStacks', `stack ${stackName} (${clients.region})`, () => clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    if (error instanceof AwsCallError && error.awsErrorName === 'ValidationError' && /does not exist/.test(error.message)) throw missing();
    throw error;
  }
  const stack = out.Stacks?.[0];
  if (!stack) throw missing();
  const account = /^arn:aws[a-z-]*:cloudformation:[^:]+:(\d{12}):/.exec(stack.StackId ?? '')?.[1];
  if (ctx.caller && account && account !== ctx.caller.account) {
    throw new ReleaseError(ExitCode.Usage, `credentials are for account ${ctx.caller.account} (${ctx.caller.arn}), the stack ${stackName} is in ${account}: use --profile/--role-arn; nothing was changed`);
  }
  return parseStack(stack, prefixHint);
}

const templates = new WeakMap<StackState, Promise<string | undefined>>();

/**
 * The template of the stack as `state` read it, fetched once per state: a state is a snapshot,
 * and only an update (which gives a new state) changes the template.
 */
export function templateBody(ctx: ReleaseContext, state: StackState): Promise<string | undefined> {
  let body = templates.get(state);
  if (!body) {
    body = call(ctx, 'GetTemplate', `stack ${state.name}`, () => ctx.clients.cloudFormation.send(new GetTemplateCommand({ StackName: state.name }))).then((out) => out.TemplateBody);
    // A failed read is not remembered: the next caller asks again.
    body.catch(() => templates.delete(state));
    templates.set(state, body);
  }
  return body;
}

/**
 * The standby size to set for `wanted` tasks, clamped to the `StandbyMinTasks` parameter's
 * MaxValue read from the stack's template (GetTemplateSummary does not carry MaxValue).
 */
export async function standbySize(ctx: ReleaseContext, state: StackState, wanted: number): Promise<StandbySize> {
  const max = standbyMaxValue(await templateBody(ctx, state), state.prefix);
  if (max === undefined) ctx.reporter.warn(`the template of ${state.name} declares no MaxValue for ${state.prefix}StandbyMinTasks that could be read; the standby size is not clamped`);
  return clampStandby(wanted, max);
}

/** Refuses to start while CloudFormation is changing the stack, or when it cannot be updated. */
export function assertUpdatable(state: StackState): void {
  if (isBusy(state.status)) {
    throw new ReleaseError(
      ExitCode.Refused,
      `stack ${state.name} is ${state.status} since ${state.lastChange?.toISOString() ?? 'an unknown time'}: another change is running (a cdk deploy, or a scheduled warm/cool of the standby); wait for it to finish and re-run (rollback does not wait: it moves traffic first)`,
      { stackStatus: state.status },
    );
  }
  if (!isUpdatable(state.status)) {
    throw new ReleaseError(ExitCode.Refused, `stack ${state.name} is ${state.status}${state.statusReason ? ` (${state.statusReason})` : ''}: fix the stack before releasing`, {
      stackStatus: state.status,
    });
  }
}

export type UpdateResult = 'updated' | 'unchanged';

/**
 * The role the CLI's updates run as: ReleaseSupport's release role (`ReleaseRoleArn` output),
 * which may apply LiveColor, image and AMI changes and nothing that touches IAM; else the stack's
 * execution role (`CloudFormationExecutionRoleArn` output, else the role associated with the
 * stack when it is not the Lambdas' narrow `ParameterUpdateRoleArn`). Always named: CloudFormation
 * reuses the role of the last update for one that names none
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html, RoleARN),
 * and after an auto-rollback or a warm/cool by the Lambdas that is the narrow role, which cannot
 * change task definitions or launch templates. The CI release role may pass only the release and
 * parameter-update roles (constructs/ci/release-permissions.ts). Undefined for a stack that never
 * had a role (CloudFormation then uses the caller's credentials, as before).
 */
export function executionRoleArn(state: StackState): string | undefined {
  const release = output(state, 'ReleaseRoleArn');
  if (release) return release;
  const published = output(state, 'CloudFormationExecutionRoleArn');
  if (published) return published;
  const narrow = output(state, 'ParameterUpdateRoleArn');
  if (state.roleArn && state.roleArn !== narrow) return state.roleArn;
  if (state.roleArn) {
    throw new ReleaseError(
      ExitCode.Refused,
      `stack ${state.name} is associated with its parameter-update role ${state.roleArn} and publishes no CloudFormationExecutionRoleArn: deploy it with cdk deploy (which passes the execution role), or set ReleaseSupport's cloudFormationRoleArn`,
    );
  }
  return undefined;
}

/**
 * Sets parameters with the previous template (other parameters keep their values, the stack's
 * capabilities are passed through) and waits for the update. Parameters that already hold are
 * not sent; "No updates are to be performed" counts as success.
 */
export async function updateStack(
  ctx: ReleaseContext,
  state: StackState,
  changes: Partial<Record<ParameterName, string>>,
): Promise<{ result: UpdateResult; state: StackState }> {
  const update = parameterUpdateInput(state, changes, executionRoleArn(state));
  if (!update) return { result: 'unchanged', state };
  // One token per update, the same on every retry of it: a retry whose first attempt reached
  // CloudFormation (a 5xx or a lost response after the fact) is then known as a retry of the
  // request it already runs, not a second update of a stack that is UPDATE_IN_PROGRESS (which
  // CloudFormation refuses: "... is in UPDATE_IN_PROGRESS state and can not be updated").
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html (ClientRequestToken;
  // pattern [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters)
  const input = { ...update.input, ClientRequestToken: `bgf-release-${randomUUID()}` };
  const { effective } = update;
  const resource = `stack ${state.name}`;
  try {
    await call(ctx, 'UpdateStack', resource, () => ctx.clients.cloudFormation.send(new UpdateStackCommand(input)));
  } catch (error) {
    if (isNoUpdatesError(error)) return { result: 'unchanged', state: await readStack(ctx, state.name, state.prefix) };
    // assumed: CloudFormation answers a retry of the request it already received with its StackId;
    // should it answer TokenAlreadyExistsException instead, the token is this update's own (a new
    // UUID per update), so the update is running and the wait below follows it.
    if (!(error instanceof AwsCallError && error.awsErrorName === 'TokenAlreadyExistsException')) throw error;
  }
  const what = `${resource} to finish updating (${Object.entries(effective)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')})`;
  const stop = ctx.reporter.progress(what, ctx.timings.stackUpdate.maxWaitSeconds);
  try {
    await waitFor(what, ctx.timings.stackUpdate, ctx.signal, ctx.clients.cloudFormation, (cfg) => waitUntilStackUpdateComplete(cfg, { StackName: state.name }));
  } catch (error) {
    // The stack's status reason names only the resources ("The following resource(s) failed to
    // update"); why they failed is in the stack events.
    if (!(error instanceof WaitFailedError)) throw error;
    const cause = await firstFailedEvent(ctx, state.name);
    throw cause ? new WaitFailedError(error.what, `${error.reason}; first failed event: ${cause}`) : error;
  } finally {
    stop();
  }
  return { result: 'updated', state: await readStack(ctx, state.name, state.prefix) };
}

/** The first failed event of the stack's last operation: where CloudFormation says what went wrong. */
export async function firstFailedEvent(ctx: ReleaseContext, stackName: string): Promise<string | undefined> {
  try {
    const out = await call(ctx, 'DescribeStackEvents', `stack ${stackName}`, () => ctx.clients.cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackName })));
    // Newest first (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html): the root cause is the oldest *_FAILED of the last operation.
    const events = out.StackEvents ?? [];
    const start = events.findIndex((e) => e.ResourceType === 'AWS::CloudFormation::Stack' && /_IN_PROGRESS$/.test(e.ResourceStatus ?? '') && !/ROLLBACK/.test(e.ResourceStatus ?? ''));
    const failed = events.slice(0, start < 0 ? events.length : start + 1).filter((e) => /_FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceType !== 'AWS::CloudFormation::Stack');
    const first = failed[failed.length - 1];
    return first ? `${first.LogicalResourceId} ${first.ResourceStatus}: ${first.ResourceStatusReason ?? 'no reason given'}` : undefined;
  } catch (error) {
    return `stack events not readable (${(error as Error).message})`;
  }
}
