import { AwsCallError, retryReason } from '../../src/aws/errors';
import { backoffDelay, withRetry } from '../../src/aws/retry';

const err = (name: string, status?: number, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('retryReason', () => {
  test.each([
    ['ThrottlingException', 400, 'throttling'],
    ['Throttling', 400, 'throttling'],
    ['TooManyRequestsException', 429, 'throttling'],
    ['ProvisionedThroughputExceededException', 400, 'throttling'],
    ['SomethingNew', 429, 'throttling'],
    ['InternalFailure', 500, 'server'],
    ['ServiceUnavailable', 503, 'server'],
    ['TimeoutError', undefined, 'transient'],
    ['ECONNRESET', undefined, 'transient'],
    ['AccessDeniedException', 403, undefined],
    ['ValidationError', 400, undefined],
    ['ConditionalCheckFailedException', 400, undefined],
  ])('%s (HTTP %s) -> %s', (name, status, reason) => {
    expect(retryReason(err(name, status))).toBe(reason);
  });

  test('the SDK flags ($fault server, $retryable.throttling) count too', () => {
    expect(retryReason(err('X', undefined, { $fault: 'server' }))).toBe('server');
    expect(retryReason(err('X', 400, { $retryable: { throttling: true } }))).toBe('throttling');
    expect(retryReason('not an error')).toBeUndefined();
  });
});

describe('withRetry', () => {
  const policy = (sleeps: number[], maxAttempts = 4) => ({ maxAttempts, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.99, sleep: async (ms: number) => void sleeps.push(ms) });

  test('retries throttling with exponential backoff (full jitter, capped) and returns the answer', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(policy(sleeps, 6), 'DescribeStacks', 'stack x', async () => {
      if (++calls < 6) throw err('ThrottlingException', 400);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(sleeps).toEqual([99, 198, 396, 792, 990]);
  });

  test('gives up after maxAttempts with a message naming operation and resource', async () => {
    const sleeps: number[] = [];
    const call = withRetry(policy(sleeps), 'ModifyListener', 'listener L', async () => {
      throw err('InternalFailure', 500);
    });
    await expect(call).rejects.toThrow('ModifyListener on listener L failed (gave up after retries): InternalFailure: InternalFailure happened');
    expect(sleeps).toHaveLength(3);
  });

  test('does not retry other errors; the SDK error stays reachable', async () => {
    const sleeps: number[] = [];
    const error = await withRetry(policy(sleeps), 'GetItem', 'table T', async () => {
      throw err('ResourceNotFoundException', 400);
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.awsErrorName).toBe('ResourceNotFoundException');
    expect(sleeps).toEqual([]);
  });

  test('backoffDelay defaults to Math.random and never exceeds the cap', () => {
    for (let attempt = 1; attempt < 20; attempt++) {
      const d = backoffDelay({ baseDelayMs: 250, maxDelayMs: 20_000 }, attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(20_000);
    }
  });
});

describe('AwsCallError messages', () => {
  test('access denied points at the role', () => {
    expect(new AwsCallError('UpdateStack', 'stack S', err('AccessDenied', 403)).message).toMatch(/^UpdateStack on stack S was denied: .*lack this permission/);
  });
  test('missing credentials say how to log in', () => {
    expect(new AwsCallError('DescribeStacks', 'stack S', err('ExpiredTokenException', 400)).message).toMatch(/no valid AWS credentials .*aws sso login/);
  });
  test('a stack that does not exist names it', () => {
    const e = Object.assign(new Error('Stack with id bgf-x does not exist'), { name: 'ValidationError' });
    expect(new AwsCallError('DescribeStacks', 'stack bgf-x (ap-northeast-1)', e).message).toMatch(/^stack bgf-x \(ap-northeast-1\) does not exist .*--env\/--service\/--stack/);
  });
});
