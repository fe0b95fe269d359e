import { accessProblem, AccessProblem, errorMessage, errorName } from './access-errors';
import { summarizeWaiterFailure } from './waiter-failure';

/**
 * Runs the AWS SDK v3 waiters (`waitUntilStackUpdateComplete`, `waitUntilServicesStable`,
 * `waitUntilTargetInService`, ...) with a timeout and an abort signal, and turns their ways of
 * ending badly into errors that name what was waited for. One implementation for the CLI
 * (src/aws/waiters.ts) and the Lambdas.
 */

export interface WaitTiming {
  /** Give up after this long. */
  readonly maxWaitSeconds: number;
  /** First poll interval; the waiter backs off up to `maxDelaySeconds`. */
  readonly minDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

/** What an SDK waiter takes as its first argument. */
export interface SdkWaiterConfig<C extends SendingClient = SendingClient> {
  /** The caller's client, with its polls watched for access and credential errors. */
  readonly client: C;
  readonly maxWaitTime: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly abortSignal?: AbortSignal;
}

/** What the SDK waiters call: `client.send(command)`. */
export interface SendingClient {
  send(...args: never[]): Promise<unknown>;
}

export class WaitTimeoutError extends Error {
  constructor(
    public readonly what: string,
    public readonly seconds: number,
  ) {
    super(`timed out after ${seconds}s waiting for ${what}`);
    this.name = 'WaitTimeoutError';
  }
}

export class WaitAbortedError extends Error {
  constructor(public readonly what: string) {
    super(`stopped while waiting for ${what}`);
    this.name = 'WaitAbortedError';
  }
}

export class WaitFailedError extends Error {
  constructor(
    public readonly what: string,
    public readonly reason: string,
  ) {
    super(`${what} failed: ${reason}`);
    this.name = 'WaitFailedError';
  }
}

/** A poll of the wait was denied, or had no valid credentials: polling again cannot help. */
export class WaitAccessError extends Error {
  constructor(
    /** The API action of the poll, e.g. `DescribeStacks`. */
    public readonly operation: string,
    public readonly what: string,
    public readonly problem: AccessProblem,
    public override readonly cause: unknown,
  ) {
    super(
      problem === 'denied'
        ? `${operation} was denied while waiting for ${what}: ${errorMessage(cause)}`
        : `${operation} had no valid AWS credentials while waiting for ${what} (${errorName(cause)}: ${errorMessage(cause)})`,
    );
    this.name = 'WaitAccessError';
  }
}

/** Makes the error a watched poll's access problem ends the wait with (the CLI's is its AwsCallError). */
export type AccessErrorFactory = (operation: string, what: string, cause: unknown) => Error;

const defaultAccessError: AccessErrorFactory = (operation, what, cause) => new WaitAccessError(operation, what, accessProblem(cause) ?? 'denied', cause);

/**
 * `run` receives the waiter configuration, the client included, and calls one SDK waiter, e.g.
 * `waitFor(what, timing, signal, ecs, (cfg) => waitUntilServicesStable(cfg, input))`.
 *
 * The SDK v3 waiters treat an error of their poll that no acceptor names as "retry" (the
 * generated acceptors return RETRY for any exception but the ones they list, e.g. CloudFormation's
 * stack waiters only ValidationError: node_modules/@aws-sdk/client-cloudformation, `checkState`;
 * https://github.com/smithy-lang/smithy-typescript/tree/main/packages/util-waiter; reported as
 * https://github.com/aws/aws-sdk-js-v3/issues/2091 and #6699, closed unfixed), so an
 * AccessDenied or an expired token would be polled until the timeout, 10-30 minutes later. A
 * watched client's access or credential error stops the wait at once, with the error
 * `accessError` makes (default a `WaitAccessError`) naming the action that was denied and what
 * was waited for. The client is an argument of `waitFor`, so no waiter can be given an unwatched one.
 */
export async function waitFor<C extends SendingClient>(
  what: string,
  timing: WaitTiming,
  signal: AbortSignal | undefined,
  client: C,
  run: (config: SdkWaiterConfig<C>) => Promise<unknown>,
  accessError: AccessErrorFactory = defaultAccessError,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let denied: Error | undefined;
  const watched: C = new Proxy(client, {
    get(target, key, receiver) {
      if (key !== 'send') return Reflect.get(target, key, receiver) as unknown;
      return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
        try {
          return await (target.send as (...args: unknown[]) => Promise<unknown>).apply(target, [command, ...rest]);
        } catch (error) {
          if (accessProblem(error) && !denied) {
            denied = accessError(command.constructor.name.replace(/Command$/, ''), what, error);
            stop.abort();
          }
          throw error;
        }
      };
    },
  });
  try {
    await run({
      client: watched,
      maxWaitTime: timing.maxWaitSeconds,
      minDelay: timing.minDelaySeconds,
      maxDelay: Math.max(timing.maxDelaySeconds, timing.minDelaySeconds),
      abortSignal: stop.signal,
    });
  } catch (error) {
    if (denied) throw denied;
    const name = (error as Error).name;
    if (name === 'TimeoutError') throw new WaitTimeoutError(what, timing.maxWaitSeconds);
    if (name === 'AbortError') throw new WaitAbortedError(what);
    throw new WaitFailedError(what, summarizeWaiterFailure((error as Error).message));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
