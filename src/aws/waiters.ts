import { summarizeWaiterFailure } from '../release/core/waiter-failure';

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
 * `(cfg) => waitUntilServicesStable({ client, ...cfg }, input)`.
 */
export async function waitFor(
  what: string,
  timing: WaitTiming,
  signal: AbortSignal | undefined,
  run: (config: SdkWaiterConfig) => Promise<unknown>,
): Promise<void> {
  try {
    await run({
      maxWaitTime: timing.maxWaitSeconds,
      minDelay: timing.minDelaySeconds,
      maxDelay: Math.max(timing.maxDelaySeconds, timing.minDelaySeconds),
      abortSignal: signal,
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError') throw new WaitTimeoutError(what, timing.maxWaitSeconds);
    if (name === 'AbortError') throw new WaitAbortedError(what);
    throw new WaitFailedError(what, summarizeWaiterFailure((error as Error).message));
  }
}

export { summarizeWaiterFailure };
