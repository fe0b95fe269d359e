import { AwsAccess, AwsClients, CallerIdentity } from '../../aws/clients';
import { AwsCallError } from '../../aws/errors';
import { RetryPolicy, withRetry } from '../../aws/retry';
import { WaitAbortedError, WaitTimeoutError } from '../../aws/waiters';
import { Clock, DEFAULT_TIMINGS, PhaseTracker, ReleaseContext, ReleaseHooks, ReleaseTimings, retryPolicy, systemClock } from './context';
import { actorName } from '../state/lock';
import { ExitCode, ExitCodeValue, ReleaseError } from '../core/outcome';
import { Reporter, TextSink } from './reporter';

/** What a command needs from its surroundings; tests replace any of it. */
export interface CommandDeps {
  readonly clients?: (region: string, access: AwsAccess) => AwsClients;
  /** The region a shared config profile names (default: the SDK's resolution from the config files). */
  readonly profileRegion?: (profile: string | undefined) => Promise<string | undefined>;
  readonly clock?: Clock;
  readonly stdout?: TextSink;
  readonly stderr?: TextSink;
  readonly timings?: Partial<ReleaseTimings>;
  readonly retry?: Partial<RetryPolicy>;
  readonly hooks?: ReleaseHooks;
  readonly env?: NodeJS.ProcessEnv;
  /** Listen for SIGINT/SIGTERM (the real CLI does; tests do not). */
  readonly handleSignals?: boolean;
}

/** Where a command's calls go and with whose credentials; resolved before the first AWS call. */
export interface CommandReach {
  readonly region: string;
  readonly profile?: string;
  readonly roleArn?: string;
  /** The stack the command changes or reads: the caller's account is checked against it first. */
  readonly stackName?: string;
  /** The account the stack must be in (`--account`, or a stack ARN's). */
  readonly expectedAccount?: string;
}

export interface CommandSpec<T> {
  readonly name: string;
  readonly json?: boolean;
  /** The region and credentials to use; may throw a usage error. Runs before any AWS call. */
  readonly reach: (env: NodeJS.ProcessEnv, profileRegion: (profile: string | undefined) => Promise<string | undefined>) => CommandReach | Promise<CommandReach>;
  readonly run: (ctx: ReleaseContext) => Promise<T>;
  /** The human form of the result (stdout). */
  readonly format: (result: T) => string;
  /** Commands whose result itself means "not ok" (none yet) can map it to an exit code. */
  readonly exitCode?: (result: T) => ExitCodeValue;
}

/**
 * The region of a profile in the shared config file, as the SDK resolves it (the client's own
 * region chain: https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html); undefined
 * when it names none. Loads the SDK only when no region was given otherwise.
 */
async function sdkProfileRegion(profile: string | undefined): Promise<string | undefined> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  try {
    return await new STSClient(profile ? { profile } : {}).config.region();
  } catch {
    return undefined;
  }
}

/**
 * Before any change: whose credentials these are (STS GetCallerIdentity), and, when the stack's
 * account is known (`--account`, a stack ARN), that they are that account's: a wrong profile is
 * named as such, not later as "stack does not exist". With no expected account, readStack names
 * the caller's account when the stack is not found (state/stack.ts).
 */
export async function checkCallerAccount(ctx: ReleaseContext, reach: CommandReach): Promise<CallerIdentity> {
  const caller = await withRetry(ctx.retry, 'GetCallerIdentity', `the credentials${reach.profile ? ` of profile ${reach.profile}` : ''}${reach.roleArn ? ` (role ${reach.roleArn})` : ''}`, () => ctx.clients.callerIdentity());
  if (reach.expectedAccount && caller.account !== reach.expectedAccount) {
    throw new ReleaseError(
      ExitCode.Usage,
      `credentials are for account ${caller.account} (${caller.arn}), the stack ${reach.stackName} is in ${reach.expectedAccount}: use --profile/--role-arn for an identity in ${reach.expectedAccount}; nothing was changed`,
      { callerAccount: caller.account, stackAccount: reach.expectedAccount },
    );
  }
  return caller;
}

/**
 * The exit code of a failed command, from the error and the phase reached: 3 ("refused before
 * touching live traffic"), 5 ("timed out; live traffic untouched") and 130 ("stopped; live
 * traffic untouched") are only true before traffic moved; after it, a failure is 1 and its
 * message says where traffic went (4, rolled back, stays 4).
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof ReleaseError) return error.exitCode;
  if (error instanceof WaitTimeoutError) return ExitCode.Timeout;
  if (error instanceof WaitAbortedError) return ExitCode.Interrupted;
  return ExitCode.Error;
}

const UNTOUCHED: readonly ExitCodeValue[] = [ExitCode.Refused, ExitCode.Timeout, ExitCode.Interrupted];

/** Whether `code` would claim "live traffic untouched" after traffic moved. */
export function claimsUntouched(code: ExitCodeValue, phase: PhaseTracker): boolean {
  return phase.trafficMovedTo !== undefined && UNTOUCHED.includes(code);
}

/**
 * Runs one command: builds the context, handles Ctrl-C (first: stop cleanly, releasing the lock;
 * second: exit at once), prints the result (one JSON object with `--json`) and returns the exit
 * code.
 */
export async function runCommand<T>(spec: CommandSpec<T>, deps: CommandDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const clock = deps.clock ?? systemClock;
  const reporter = new Reporter({ sink: stderr, now: () => clock.now().getTime() });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(ExitCode.Interrupted);
    stderr.write(`\n${signal}: stopping after the current call (again to exit at once)\n`);
    abort.abort();
  };
  if (deps.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const phase = new PhaseTracker();
  try {
    const env = deps.env ?? process.env;
    const reach = await spec.reach(env, deps.profileRegion ?? sdkProfileRegion);
    const access: AwsAccess = { profile: reach.profile, roleArn: reach.roleArn, sessionName: `bluegreen-fleet-${actorName(env)}` };
    const clientsFor = deps.clients ?? ((r: string, a: AwsAccess) => new AwsClients(r, a));
    const ctx: ReleaseContext = {
      phase,
      clients: clientsFor(reach.region, access),
      clientsFor,
      clock,
      reporter,
      timings: { ...DEFAULT_TIMINGS, ...deps.timings },
      retry: { ...retryPolicy(clock, reporter, abort.signal), ...deps.retry },
      signal: abort.signal,
      actor: actorName(env),
      hooks: deps.hooks,
    };
    if (reach.stackName) ctx.caller = await checkCallerAccount(ctx, reach);
    const result = await spec.run(ctx);
    const code = spec.exitCode?.(result) ?? ExitCode.Ok;
    if (spec.json) stdout.write(`${JSON.stringify({ ok: code === ExitCode.Ok, command: spec.name, exitCode: code, result, steps: reporter.steps, notes: reporter.notes }, null, 2)}\n`);
    else stdout.write(`${spec.format(result)}\n`);
    return code;
  } catch (error) {
    const raw = abort.signal.aborted ? ExitCode.Interrupted : exitCodeFor(error);
    const moved = claimsUntouched(raw, phase);
    const code = moved ? ExitCode.Error : raw;
    const message = `${(error as Error).message ?? String(error)}${moved ? `; production traffic was already moving to the ${phase.trafficMovedTo} fleet, so this is not "live traffic untouched": run \`bluegreen-fleet status\`, then re-run the same command to finish` : ''}`;
    const detail = error instanceof ReleaseError ? error.detail : error instanceof AwsCallError ? { operation: error.operation, resource: error.resource, awsError: error.awsErrorName } : {};
    if (spec.json) stdout.write(`${JSON.stringify({ ok: false, command: spec.name, exitCode: code, error: message, detail, steps: reporter.steps, notes: reporter.notes }, null, 2)}\n`);
    stderr.write(`error: ${message}\n`);
    if (code === ExitCode.Error && !(error instanceof AwsCallError) && !(error instanceof ReleaseError) && (error as Error).stack) {
      stderr.write(`${(error as Error).stack}\n`);
    }
    return code;
  } finally {
    if (deps.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
