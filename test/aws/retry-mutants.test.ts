import { AwsCallError } from '../../src/aws/errors';
import { backoffDelay, DEFAULT_RETRY, RetryInfo, withRetry } from '../../src/aws/retry';

/**
 * The one retry layer: what each retry reports, when it stops, and the backoff ("full jitter",
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
const unavailable = () => Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });

describe('withRetry reports every retry', () => {
  test('onRetry gets the operation, the resource, the reason, the attempt and the delay slept next', async () => {
    const infos: RetryInfo[] = [];
    const sleeps: number[] = [];
    const errors = [throttled(), unavailable()];
    const answer = await withRetry(
      { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms), onRetry: (i) => infos.push(i) },
      'DescribeStacks',
      'stack S',
      async () => {
        const e = errors.shift();
        if (e) throw e;
        return 42;
      },
    );
    expect(answer).toBe(42);
    expect(infos).toEqual([
      { operation: 'DescribeStacks', resource: 'stack S', reason: 'throttling', attempt: 1, maxAttempts: 5, delayMs: 50 },
      { operation: 'DescribeStacks', resource: 'stack S', reason: 'server', attempt: 2, maxAttempts: 5, delayMs: 100 },
    ]);
    expect(sleeps).toEqual([50, 100]);
  });

  test('maxAttempts 1: one call, no sleep, the retryable error becomes an AwsCallError at once', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const error = await withRetry({ maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1_000, sleep: async (ms) => void sleeps.push(ms) }, 'GetItem', 'table T', async () => {
      calls++;
      throw throttled();
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toBe('GetItem on table T failed (gave up after retries): Throttling: Rate exceeded');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  test('the last allowed attempt may still succeed', async () => {
    let calls = 0;
    const answer = await withRetry({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined }, 'X', 'Y', async () => {
      if (++calls < 3) throw throttled();
      return 'third';
    });
    expect(answer).toBe('third');
    expect(calls).toBe(3);
  });
});

describe('backoffDelay', () => {
  test('the ceiling doubles from the base each attempt, up to the cap; the draw scales it', () => {
    const p = { baseDelayMs: 250, maxDelayMs: 20_000, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => backoffDelay(p, a))).toEqual([249, 499, 999, 1999, 3999, 7999, 15999, 19999, 19999]);
    expect(backoffDelay({ ...p, random: () => 0 }, 5)).toBe(0);
    expect(backoffDelay({ ...p, random: () => 0.25 }, 3)).toBe(250);
  });

  test('without an injected draw it uses Math.random', () => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(backoffDelay({ baseDelayMs: 100, maxDelayMs: 1_000 }, 2)).toBe(100);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('the defaults docs/release.md states: eight attempts, 250 ms first ceiling, 20 s cap', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000 });
  });
});
