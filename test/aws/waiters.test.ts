import { CloudFormationClient, DescribeStacksCommand, waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { AwsCallError } from '../../src/aws/errors';
import { SdkWaiterConfig, summarizeWaiterFailure, waitFor, WaitAbortedError, WaitFailedError, WaitTimeoutError } from '../../src/aws/waiters';
import * as core from '../../src/release/core/wait';
import { waitFor as coreWaitFor, WaitAccessError } from '../../src/release/core/wait';

const timing = { maxWaitSeconds: 60, minDelaySeconds: 5, maxDelaySeconds: 20 };
const named = (name: string, message = '{}') => Object.assign(new Error(message), { name });
/** A client for the waits whose SDK waiter is replaced by the test's own function. */
const idle = { send: async () => ({}) };

describe('waitFor', () => {
  test('passes the timing to the SDK waiter, and an abort of the caller\'s signal to its abort signal', async () => {
    const caller = new AbortController();
    let seen: SdkWaiterConfig<typeof idle> | undefined;
    await waitFor('x', timing, caller.signal, idle, async (cfg) => (seen = cfg));
    expect(seen).toMatchObject({ maxWaitTime: 60, minDelay: 5, maxDelay: 20 });
    await expect(
      waitFor('S', timing, caller.signal, idle, async (cfg) => {
        caller.abort();
        expect(cfg.abortSignal?.aborted).toBe(true);
        throw named('AbortError');
      }),
    ).rejects.toBeInstanceOf(WaitAbortedError);
  });

  // Failed on the old code: the SDK waiter took the AccessDenied of its DescribeStacks poll for
  // "retry" and polled for the whole 60 seconds, then reported a timeout.
  test('an access error at a poll stops the wait at once; the error names the action and what was waited for', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const client = new CloudFormationClient({ region: 'ap-northeast-1' });
      const send = jest.spyOn(client, 'send').mockImplementation(async () => {
        throw named('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/release/alice is not authorized to perform: cloudformation:DescribeStacks');
      });
      let outcome: unknown;
      const done = waitFor('stack S to finish updating', timing, undefined, client, (cfg) => waitUntilStackUpdateComplete(cfg, { StackName: 'S' })).then(
        () => (outcome = 'resolved'),
        (error: unknown) => (outcome = error),
      );
      while (outcome === undefined && Date.now() < 120_000) await jest.advanceTimersByTimeAsync(1_000);
      await done;
      expect(Date.now()).toBeLessThan(timing.maxWaitSeconds * 1000);
      expect(send).toHaveBeenCalledTimes(1);
      expect(send.mock.calls[0][0]).toBeInstanceOf(DescribeStacksCommand);
      expect(outcome).toBeInstanceOf(AwsCallError);
      expect((outcome as Error).message).toMatch(/^DescribeStacks on waiting for stack S to finish updating was denied: User: .* is not authorized to perform: cloudformation:DescribeStacks/);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a waiter timeout names what was waited for', async () => {
    await expect(waitFor('ECS service S to become stable', timing, undefined, idle, async () => Promise.reject(named('TimeoutError')))).rejects.toEqual(new WaitTimeoutError('ECS service S to become stable', 60));
    await expect(waitFor('S', timing, undefined, idle, async () => Promise.reject(named('TimeoutError')))).rejects.toThrow('timed out after 60s waiting for S');
  });

  test('an abort and a failure are told apart', async () => {
    await expect(waitFor('S', timing, undefined, idle, async () => Promise.reject(named('AbortError')))).rejects.toBeInstanceOf(WaitAbortedError);
    const failure = JSON.stringify({ state: 'FAILURE', reason: { Stacks: [{ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', StackStatusReason: 'AMI not found' }] } });
    await expect(waitFor('stack S to update', timing, undefined, idle, async () => Promise.reject(new Error(failure)))).rejects.toEqual(new WaitFailedError('stack S to update', 'stack status UPDATE_ROLLBACK_COMPLETE (AMI not found)'));
  });
});

describe('waitFor of the core (what the Lambdas call)', () => {
  const failing = (error: Error) => ({ send: async (_command: unknown): Promise<unknown> => Promise.reject(error) });
  const poll = (cfg: SdkWaiterConfig<{ send: (command: unknown) => Promise<unknown> }>) => cfg.client.send(new DescribeStacksCommand({ StackName: 'S' }));

  test('a denied poll ends the wait with a WaitAccessError naming the action and what was waited for', async () => {
    const denied = named('AccessDenied', 'not authorized to perform: cloudformation:DescribeStacks');
    const error = await coreWaitFor('stack S to update', timing, undefined, failing(denied), poll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitAccessError);
    expect(error).toMatchObject({ operation: 'DescribeStacks', what: 'stack S to update', problem: 'denied', cause: denied });
    expect((error as Error).message).toBe('DescribeStacks was denied while waiting for stack S to update: not authorized to perform: cloudformation:DescribeStacks');
  });

  test('expired credentials are told apart from a denial; other errors are the waiter\'s to judge', async () => {
    const error = await coreWaitFor('stack S to update', timing, undefined, failing(named('ExpiredTokenException', 'The security token included in the request is expired')), poll).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WaitAccessError', problem: 'credentials', message: expect.stringMatching(/^DescribeStacks had no valid AWS credentials while waiting for stack S to update \(ExpiredTokenException: /) });
    await expect(coreWaitFor('S', timing, undefined, failing(named('Throttling', 'Rate exceeded')), poll)).rejects.toEqual(new WaitFailedError('S', 'Rate exceeded'));
  });

  test('the CLI\'s wait errors are the core\'s classes (one implementation, re-exported)', () => {
    expect([WaitTimeoutError, WaitAbortedError, WaitFailedError]).toEqual([core.WaitTimeoutError, core.WaitAbortedError, core.WaitFailedError]);
  });
});

describe('summarizeWaiterFailure', () => {
  test('ECS failures, plain messages and non-JSON text', () => {
    expect(summarizeWaiterFailure(JSON.stringify({ state: 'FAILURE', reason: { failures: [{ arn: 'svc', reason: 'MISSING' }] } }))).toBe('svc: MISSING');
    expect(summarizeWaiterFailure(JSON.stringify({ state: 'FAILURE', reason: { message: 'denied' } }))).toBe('FAILURE: denied');
    expect(summarizeWaiterFailure('socket hang up')).toBe('socket hang up');
  });
});
