import { summarizeWaiterFailure } from '../release/core/waiter-failure';
import { accessProblem, AwsCallError } from './errors';

/**
 * Runs the AWS SDK v3 waiters (`waitUntilStackUpdateComplete`, `waitUntilServicesStable`,
 * `waitUntilTargetInService`, ...) with a timeout and an abort signal, and turns their three
 * ways of ending badly into errors that name what was waited for.
 */

export interface WaitTiming {
  /** Give up after this long. */
  readonly maxWaitSeconds: number;
  /** First poll interval; the waiter backs off up to `maxDelaySeconds`. */
  readonly minDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

export interface SdkWaiterConfig {
  readonly maxWaitTime: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly abortSignal?: AbortSignal;
  /**
   * The client to give the SDK waiter (`{ ...cfg, client: cfg.watch(client) }`): the same client,
   * whose polls `waitFor` watches for access and credential errors.
   */
  readonly watch: <C extends SendingClient>(client: C) => C;
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

/**
 * `run` receives the waiter configuration (without the client) and calls one SDK waiter, e.g.
 * `(cfg) => waitUntilServicesStable({ ...cfg, client: cfg.watch(client) }, input)`.
 *
 * The SDK v3 waiters treat an error of their poll that no acceptor names as "retry" (the
 * generated acceptors return RETRY for any exception but the ones they list, e.g. CloudFormation's
 * stack waiters only ValidationError: node_modules/@aws-sdk/client-cloudformation, `checkState`;
 * https://github.com/smithy-lang/smithy-typescript/tree/main/packages/util-waiter), so an
 * AccessDenied or an expired token would be polled until the timeout, 10-30 minutes later. A
 * watched client's access or credential error stops the wait at once, as an `AwsCallError`
 * naming the action that was denied and what was waited for.
 */
export async function waitFor(
  what: string,
  timing: WaitTiming,
  signal: AbortSignal | undefined,
  run: (config: SdkWaiterConfig) => Promise<unknown>,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let denied: AwsCallError | undefined;
  const watch = <C extends SendingClient>(client: C): C =>
    new Proxy(client, {
      get(target, key, receiver) {
        if (key !== 'send') return Reflect.get(target, key, receiver) as unknown;
        return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
          try {
            return await (target.send as (...args: unknown[]) => Promise<unknown>).apply(target, [command, ...rest]);
          } catch (error) {
            if (accessProblem(error) && !denied) {
              denied = new AwsCallError(command.constructor.name.replace(/Command$/, ''), `waiting for ${what}`, error);
              stop.abort();
            }
            throw error;
          }
        };
      },
    });
  try {
    await run({
      maxWaitTime: timing.maxWaitSeconds,
      minDelay: timing.minDelaySeconds,
      maxDelay: Math.max(timing.maxDelaySeconds, timing.minDelaySeconds),
      abortSignal: stop.signal,
      watch,
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

export { summarizeWaiterFailure };
