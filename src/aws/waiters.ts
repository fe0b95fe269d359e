import { summarizeWaiterFailure } from '../release/core/waiter-failure';
import { SdkWaiterConfig, SendingClient, waitFor as coreWaitFor, WaitTiming } from '../release/core/wait';
import { AwsCallError } from './errors';

/**
 * The CLI's waits: the shared implementation (src/release/core/wait.ts, which the Lambdas use
 * too), with a poll's access or credential error reported as the CLI reports every failed AWS
 * call, an `AwsCallError` ("DescribeStacks on waiting for stack S to finish updating was denied:
 * ... check the role the release runs as"), so its exit code and error detail are the same.
 */
export function waitFor<C extends SendingClient>(
  what: string,
  timing: WaitTiming,
  signal: AbortSignal | undefined,
  client: C,
  run: (config: SdkWaiterConfig<C>) => Promise<unknown>,
): Promise<void> {
  return coreWaitFor(what, timing, signal, client, run, (operation, waited, cause) => new AwsCallError(operation, `waiting for ${waited}`, cause));
}

export { WaitAbortedError, WaitFailedError, WaitTimeoutError } from '../release/core/wait';
export type { SdkWaiterConfig, SendingClient, WaitTiming } from '../release/core/wait';
export { summarizeWaiterFailure };
