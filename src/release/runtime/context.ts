import { AwsAccess, AwsClients, CallerIdentity } from '../../aws/clients';
import { DEFAULT_RETRY, RetryPolicy, withRetry } from '../../aws/retry';
import { WaitTiming } from '../../aws/waiters';
import { Reporter } from './reporter';

/** Time, injectable so bake and rollback-window logic is tested without sleeping. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** How long each kind of wait may take, and how often the bake loop looks at the alarms. */
export interface ReleaseTimings {
  readonly stackUpdate: WaitTiming;
  readonly serviceStable: WaitTiming;
  readonly targetsHealthy: WaitTiming;
  readonly imageScan: WaitTiming;
  readonly bakePollSeconds: number;
  /** Lock lease; renewed at every step, so it only has to outlast the longest single wait. */
  readonly lockLeaseSeconds: number;
}

export const DEFAULT_TIMINGS: ReleaseTimings = {
  stackUpdate: { maxWaitSeconds: 30 * 60, minDelaySeconds: 10, maxDelaySeconds: 30 },
  serviceStable: { maxWaitSeconds: 20 * 60, minDelaySeconds: 10, maxDelaySeconds: 30 },
  targetsHealthy: { maxWaitSeconds: 10 * 60, minDelaySeconds: 10, maxDelaySeconds: 30 },
  imageScan: { maxWaitSeconds: 5 * 60, minDelaySeconds: 5, maxDelaySeconds: 20 },
  bakePollSeconds: 30,
  lockLeaseSeconds: 45 * 60,
};

/** Points where a test can stop the process, as a crash or Ctrl-C would. */
export interface ReleaseHooks {
  afterStep?(step: string): void | Promise<void>;
}

export interface ReleaseContext {
  readonly clients: AwsClients;
  /**
   * Another set of clients with other credentials (`deploy --image-from-profile/--image-from-role-arn`:
   * the other environment's account); default a new AwsClients.
   */
  readonly clientsFor?: (region: string, access: AwsAccess) => AwsClients;
  readonly clock: Clock;
  readonly reporter: Reporter;
  readonly timings: ReleaseTimings;
  readonly retry: RetryPolicy;
  /** Aborts waits and sleeps on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** Who runs the release: `$GITHUB_ACTOR`/`$USER` at host. */
  readonly actor: string;
  readonly hooks?: ReleaseHooks;
  /** How far the command got; the exit code is derived from it (outcome.ts). */
  readonly phase: PhaseTracker;
  /** Whose credentials the clients use, once checked (cli-runtime.ts checkCallerAccount). */
  caller?: CallerIdentity;
}

/**
 * The one fact the exit code depends on beyond the error: whether production traffic may have
 * moved. Set just before the call that moves it (a swap's stack update, a rollback's
 * ModifyListener), so a timeout or Ctrl-C during that call already counts.
 */
export class PhaseTracker {
  private moved?: string;

  trafficMoving(to: string): void {
    this.moved = to;
  }

  /** The fleet production traffic was being moved to, if it was. */
  get trafficMovedTo(): string | undefined {
    return this.moved;
  }
}

export function retryPolicy(clock: Clock, reporter: Reporter, signal?: AbortSignal): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    sleep: (ms) => clock.sleep(ms, signal),
    onRetry: (i) => reporter.note(`${i.operation} on ${i.resource}: ${i.reason}, retry ${i.attempt}/${i.maxAttempts - 1} in ${(i.delayMs / 1000).toFixed(1)}s`),
  };
}

/** `withRetry` with the context's policy. */
export function call<T>(ctx: ReleaseContext, operation: string, resource: string, fn: () => Promise<T>): Promise<T> {
  return withRetry(ctx.retry, operation, resource, fn);
}
