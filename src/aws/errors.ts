/**
 * Classifies AWS SDK v3 errors (retryable or not) and turns the rest into messages that name the
 * resource and the operation, so an operator reading a failed release knows what to look at.
 */

import { accessProblem, errorMessage, errorName } from '../release/core/access-errors';

export { accessProblem, errorMessage, errorName };
export type { AccessProblem } from '../release/core/access-errors';

/**
 * Error names the AWS services use for throttling (they differ per service): the SDK's own
 * THROTTLING_ERROR_CODES (@smithy/core, retry/service-error-classification constants) except two.
 * `LimitExceededException` is CloudFormation's "the quota for the resource has already been
 * reached" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html#API_CreateStack_Errors)
 * and Application Auto Scaling's "a per-account resource limit is exceeded"
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html#API_RegisterScalableTarget_Errors):
 * waiting does not lift a quota, so the release stops at once and names it.
 * `TransactionInProgressException` is DynamoDB's answer to a TransactWriteItems retried with the
 * same token while the first is running
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors),
 * and nothing here writes transactions.
 */
const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Network-level failures worth another attempt: the request may never have reached AWS. */
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

export type RetryReason = 'throttling' | 'server' | 'transient';

/** Why an error is worth retrying, or undefined when retrying cannot help. */
export function retryReason(error: unknown): RetryReason | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_NAMES.has(e.name ?? '') || status === 429 || e.$retryable?.throttling) return 'throttling';
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'server';
  if (TRANSIENT_NAMES.has(e.name ?? '') || TRANSIENT_NAMES.has(e.code ?? '')) return 'transient';
  return undefined;
}

/** An AWS call that failed for good: the message names the operation and the resource. */
export class AwsCallError extends Error {
  constructor(
    public readonly operation: string,
    public readonly resource: string,
    public override readonly cause: unknown,
  ) {
    super(describeFailure(operation, resource, cause));
    this.name = 'AwsCallError';
  }

  /** The SDK error's name, e.g. `AccessDeniedException`. */
  get awsErrorName(): string {
    return errorName(this.cause);
  }
}

function describeFailure(operation: string, resource: string, cause: unknown): string {
  const name = errorName(cause);
  const message = errorMessage(cause);
  const problem = accessProblem(cause);
  if (problem === 'denied') {
    return `${operation} on ${resource} was denied: ${message}. The credentials in use lack this permission (check the role the release runs as).`;
  }
  if (problem === 'credentials') {
    return `${operation} on ${resource} failed: no valid AWS credentials (${name}: ${message}). Log in (aws sso login, or a CI role) and re-run.`;
  }
  if (name === 'ValidationError' && /does not exist/.test(message)) {
    return `${resource} does not exist (${operation}: ${message}). Check --env/--service/--stack and the region.`;
  }
  const retried = retryReason(cause) ? ' (gave up after retries)' : '';
  return `${operation} on ${resource} failed${retried}: ${name}: ${message}`;
}
