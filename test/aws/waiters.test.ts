import { summarizeWaiterFailure, waitFor, WaitAbortedError, WaitFailedError, WaitTimeoutError } from '../../src/aws/waiters';

const timing = { maxWaitSeconds: 60, minDelaySeconds: 5, maxDelaySeconds: 20 };
const named = (name: string, message = '{}') => Object.assign(new Error(message), { name });

describe('waitFor', () => {
  test('passes the timing and the abort signal to the SDK waiter', async () => {
    const signal = new AbortController().signal;
    let seen: unknown;
    await waitFor('x', timing, signal, async (cfg) => (seen = cfg));
    expect(seen).toEqual({ maxWaitTime: 60, minDelay: 5, maxDelay: 20, abortSignal: signal });
  });

  test('a waiter timeout names what was waited for', async () => {
    await expect(waitFor('ECS service S to become stable', timing, undefined, async () => Promise.reject(named('TimeoutError')))).rejects.toEqual(new WaitTimeoutError('ECS service S to become stable', 60));
    await expect(waitFor('S', timing, undefined, async () => Promise.reject(named('TimeoutError')))).rejects.toThrow('timed out after 60s waiting for S');
  });

  test('an abort and a failure are told apart', async () => {
    await expect(waitFor('S', timing, undefined, async () => Promise.reject(named('AbortError')))).rejects.toBeInstanceOf(WaitAbortedError);
    const failure = JSON.stringify({ state: 'FAILURE', reason: { Stacks: [{ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', StackStatusReason: 'AMI not found' }] } });
    await expect(waitFor('stack S to update', timing, undefined, async () => Promise.reject(new Error(failure)))).rejects.toEqual(new WaitFailedError('stack S to update', 'stack status UPDATE_ROLLBACK_COMPLETE (AMI not found)'));
  });
});

describe('summarizeWaiterFailure', () => {
  test('ECS failures, plain messages and non-JSON text', () => {
    expect(summarizeWaiterFailure(JSON.stringify({ state: 'FAILURE', reason: { failures: [{ arn: 'svc', reason: 'MISSING' }] } }))).toBe('svc: MISSING');
    expect(summarizeWaiterFailure(JSON.stringify({ state: 'FAILURE', reason: { message: 'denied' } }))).toBe('FAILURE: denied');
    expect(summarizeWaiterFailure('socket hang up')).toBe('socket hang up');
  });
});
