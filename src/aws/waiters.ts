import { DescribeImageScanFindingsCommand, DescribeImageScanFindingsCommandInput, ECRClient } from '@aws-sdk/client-ecr';
import { checkExceptions, createWaiter, WaiterConfiguration, WaiterResult, WaiterState } from '@smithy/core/client';
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

/**
 * Image scan statuses (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanStatus.html).
 * A basic scan ends `COMPLETE`; enhanced scanning (Amazon Inspector) goes `PENDING` then `ACTIVE`,
 * "the scan is complete and the findings are available", and stays `ACTIVE` while the image is
 * monitored: it never becomes `COMPLETE`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html).
 */
export const SCAN_DONE_STATUSES: readonly string[] = ['COMPLETE', 'ACTIVE'];
/** Statuses after which no findings will come: the scan failed, or the image cannot or will not be scanned. */
export const SCAN_ENDED_STATUSES: readonly string[] = ['FAILED', 'UNSUPPORTED_IMAGE', 'SCAN_ELIGIBILITY_EXPIRED', 'FINDINGS_UNAVAILABLE', 'LIMIT_EXCEEDED', 'IMAGE_ARCHIVED'];

/**
 * Waits for an image's scan to be done, basic or enhanced. The SDK's `waitUntilImageScanComplete`
 * succeeds only on `COMPLETE` and fails only on `FAILED` (node_modules/@aws-sdk/client-ecr,
 * `checkState$1`), so with enhanced scanning it polls an `ACTIVE` scan until it times out. Built on
 * the SDK's own waiter (`createWaiter`, the same backoff and abort), polling the same
 * DescribeImageScanFindings with the same defaults (5 s to 120 s). Like the SDK's, an error of a
 * poll is retried; `waitFor` stops it on an access error.
 */
export async function waitUntilImageScanDone(config: WaiterConfiguration<ECRClient>, input: DescribeImageScanFindingsCommandInput): Promise<WaiterResult> {
  const check = async (client: ECRClient, request: DescribeImageScanFindingsCommandInput): Promise<WaiterResult> => {
    try {
      const out = await client.send(new DescribeImageScanFindingsCommand(request));
      const status = out.imageScanStatus?.status ?? '';
      if (SCAN_DONE_STATUSES.includes(status)) return { state: WaiterState.SUCCESS, reason: out };
      if (SCAN_ENDED_STATUSES.includes(status)) return { state: WaiterState.FAILURE, reason: out };
      return { state: WaiterState.RETRY, reason: out };
    } catch (error) {
      return { state: WaiterState.RETRY, reason: error };
    }
  };
  return checkExceptions(await createWaiter({ minDelay: 5, maxDelay: 120, ...config }, input, check));
}
