import { AwsCallError, RetryReason, retryReason } from './errors';

/**
 * One retry layer for every AWS call the release tool makes. The SDK clients are created with
 * `maxAttempts: 1` (see clients.ts) so that attempts are not multiplied by a second hidden layer,
 * and so every retry is visible in the output and exercised by the tests.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  /** First backoff ceiling; doubles per attempt ("full jitter"). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1); injectable so tests are deterministic. */
  readonly random?: () => number;
  readonly onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  readonly operation: string;
  readonly resource: string;
  readonly reason: RetryReason;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, 'sleep'> = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000 };

/** The delay before attempt `attempt + 1`: uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/**
 * Runs `fn`, retrying throttling, 5xx and network errors with exponential backoff; any other
 * error (or the last retryable one) becomes an `AwsCallError` naming `operation` and `resource`.
 */
export async function withRetry<T>(policy: RetryPolicy, operation: string, resource: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const reason = retryReason(error);
      if (!reason || attempt >= policy.maxAttempts) throw new AwsCallError(operation, resource, error);
      const delayMs = backoffDelay(policy, attempt);
      policy.onRetry?.({ operation, resource, reason, attempt, maxAttempts: policy.maxAttempts, delayMs });
      await policy.sleep(delayMs);
    }
  }
}
