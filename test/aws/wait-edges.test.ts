import { DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import { SCAN_DONE_STATUSES, SCAN_ENDED_STATUSES, waitUntilImageScanDone } from '../../src/aws/waiters';
import { summarizeWaiterFailure } from '../../src/release/core/waiter-failure';
import { waitFor, WaitAbortedError, WaitAccessError, WaitFailedError, WaitTimeoutError } from '../../src/release/core/wait';

/**
 * The image-scan waiter's statuses (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanStatus.html),
 * the summary of a waiter's failure, and the wait's error types: what a person reads when a wait ends badly.
 */
const input = { repositoryName: 'r', imageId: { imageDigest: `sha256:${'a'.repeat(64)}` } };

describe('waitUntilImageScanDone', () => {
  /** A client whose DescribeImageScanFindings answers the given statuses in turn (the last one again). */
  const answering = (...statuses: Array<string | Error>) => {
    const client = new ECRClient({ region: 'ap-northeast-1' });
    let i = 0;
    const send = jest.spyOn(client, 'send').mockImplementation(async (command: unknown) => {
      expect(command).toBeInstanceOf(DescribeImageScanFindingsCommand);
      const s = statuses[Math.min(i++, statuses.length - 1)];
      if (s instanceof Error) throw s;
      return { imageScanStatus: { status: s, description: `it is ${s}` } };
    });
    return { client, send };
  };
  const config = (client: ECRClient) => ({ client, maxWaitTime: 2, minDelay: 0.001, maxDelay: 0.002 });

  test.each([['COMPLETE'], ['ACTIVE']])('%s is done', async (status) => {
    const { client, send } = answering('IN_PROGRESS', 'PENDING', status);
    await expect(waitUntilImageScanDone(config(client), input)).resolves.toMatchObject({ state: 'SUCCESS' });
    expect(send).toHaveBeenCalledTimes(3);
  });

  test.each(SCAN_ENDED_STATUSES.map((s) => [s]))('%s ends the wait as a failure naming the status', async (status) => {
    const { client } = answering('IN_PROGRESS', status);
    const error = await waitUntilImageScanDone(config(client), input).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(summarizeWaiterFailure((error as Error).message)).toBe(`scan status ${status} (it is ${status})`);
  });

  test('the statuses are exactly the documented ones', () => {
    expect([...SCAN_DONE_STATUSES].sort()).toEqual(['ACTIVE', 'COMPLETE']);
    expect([...SCAN_ENDED_STATUSES].sort()).toEqual(['FAILED', 'FINDINGS_UNAVAILABLE', 'IMAGE_ARCHIVED', 'LIMIT_EXCEEDED', 'SCAN_ELIGIBILITY_EXPIRED', 'UNSUPPORTED_IMAGE']);
  });

  test('a status it does not know, or none, and a poll that errs are polled again', async () => {
    const { client, send } = answering('SOMETHING_NEW', '', Object.assign(new Error('throttled'), { name: 'ThrottlingException' }), 'COMPLETE');
    await expect(waitUntilImageScanDone(config(client), input)).resolves.toMatchObject({ state: 'SUCCESS' });
    expect(send).toHaveBeenCalledTimes(4);
  });
});

describe('summarizeWaiterFailure', () => {
  const failure = (reason: unknown, state?: string) => JSON.stringify({ ...(state ? { state } : {}), reason });
  test.each([
    ['a scan without a description', failure({ imageScanStatus: { status: 'FAILED' } }), 'scan status FAILED'],
    ['a stack with its reason', failure({ Stacks: [{ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', StackStatusReason: 'AMI not found' }] }), 'stack status UPDATE_ROLLBACK_COMPLETE (AMI not found)'],
    ['a stack without a reason', failure({ Stacks: [{ StackStatus: 'UPDATE_ROLLBACK_COMPLETE' }] }), 'stack status UPDATE_ROLLBACK_COMPLETE'],
    ['ECS failures', failure({ failures: [{ arn: 'arn:s1', reason: 'MISSING' }, { arn: 'arn:s2', reason: 'INACTIVE' }] }), 'arn:s1: MISSING; arn:s2: INACTIVE'],
    ['an error message with the state', failure({ message: 'boom' }, 'FAILURE'), 'FAILURE: boom'],
    ['an error message without a state', failure({ message: 'boom' }), 'FAILURE: boom'],
    ['only a state', failure({}, 'TIMEOUT'), 'TIMEOUT'],
    ['not JSON', 'plain words', 'plain words'],
  ])('%s', (_name, message, summary) => {
    expect(summarizeWaiterFailure(message)).toBe(summary);
  });
});

describe('the wait errors', () => {
  test('each has its name and a message saying what was waited for', () => {
    const cases: Array<[Error, string, string]> = [
      [new WaitTimeoutError('stack S', 60), 'WaitTimeoutError', 'timed out after 60s waiting for stack S'],
      [new WaitAbortedError('stack S'), 'WaitAbortedError', 'stopped while waiting for stack S'],
      [new WaitFailedError('stack S', 'stack status UPDATE_ROLLBACK_COMPLETE'), 'WaitFailedError', 'stack S failed: stack status UPDATE_ROLLBACK_COMPLETE'],
    ];
    for (const [error, name, message] of cases) expect({ name: error.name, message: error.message }).toEqual({ name, message });
  });

  test('a signal already aborted aborts the waiter before its first poll', async () => {
    const caller = new AbortController();
    caller.abort();
    let aborted: boolean | undefined;
    await waitFor('S', { maxWaitSeconds: 1, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 }, caller.signal, { send: async () => ({}) }, async (cfg) => void (aborted = cfg.abortSignal?.aborted));
    expect(aborted).toBe(true);
  });

  test('the caller\'s signal is let go when the wait ends (no listener left behind)', async () => {
    const caller = new AbortController();
    const added = jest.spyOn(caller.signal, 'addEventListener');
    const removed = jest.spyOn(caller.signal, 'removeEventListener');
    await waitFor('S', { maxWaitSeconds: 1, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 }, caller.signal, { send: async () => ({}) }, async () => undefined);
    expect(added).toHaveBeenCalledWith('abort', expect.any(Function), { once: true });
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0][1]);
  });

  test('an access error names the action without its Command suffix, and a client\'s other members pass through', async () => {
    const client = {
      region: 'r1',
      send: async (_command: unknown) => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
    };
    class DescribeThingsCommand {}
    let region: unknown;
    const error = await waitFor('things', { maxWaitSeconds: 1, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 }, undefined, client, async (cfg) => {
      region = cfg.client.region;
      await cfg.client.send(new DescribeThingsCommand() as never);
    }).catch((e: Error) => e);
    expect(region).toBe('r1');
    expect(error).toBeInstanceOf(WaitAccessError);
    expect((error as WaitAccessError).operation).toBe('DescribeThings');
  });
});
