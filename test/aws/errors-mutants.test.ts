import { accessProblem, AwsCallError, errorMessage, errorName, retryReason } from '../../src/aws/errors';

/**
 * Which AWS SDK v3 errors are retried, which stop at once, and what the operator reads. The error
 * names are the SDK's own classification (@smithy/core, retry/service-error-classification/
 * constants.js: THROTTLING_ERROR_CODES, TRANSIENT_ERROR_CODES, NODEJS_TIMEOUT_ERROR_CODES;
 * https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts)
 * and the access-error names IAM and STS answer
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html,
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
 */

const sdkError = (name: string, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe('retryReason: throttling', () => {
  test.each([
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
  ])('%s with HTTP 400 is throttling', (name) => {
    expect(retryReason(sdkError(name))).toBe('throttling');
  });

  test('a quota error is not throttling: LimitExceededException (in the SDK\'s list) stops at once', () => {
    expect(retryReason(sdkError('LimitExceededException'))).toBeUndefined();
    expect(retryReason(sdkError('TransactionInProgressException'))).toBeUndefined();
  });

  test('HTTP 429 is throttling whatever the name; throttling wins over a server fault', () => {
    expect(retryReason(sdkError('Unknown', { $metadata: { httpStatusCode: 429 } }))).toBe('throttling');
    expect(retryReason(sdkError('SlowDown', { $metadata: { httpStatusCode: 503 }, $fault: 'server' }))).toBe('throttling');
  });

  test('$retryable without throttling is not taken for throttling', () => {
    expect(retryReason(sdkError('Unknown', { $retryable: { throttling: false } }))).toBeUndefined();
    expect(retryReason(sdkError('Unknown', { $retryable: {} }))).toBeUndefined();
  });
});

describe('retryReason: server faults', () => {
  test('HTTP 500 and above are server faults; 499 and a client fault are not', () => {
    expect(retryReason(sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 } }))).toBe('server');
    expect(retryReason(sdkError('GatewayTimeout', { $metadata: { httpStatusCode: 504 } }))).toBe('server');
    expect(retryReason(sdkError('ClientClosed', { $metadata: { httpStatusCode: 499 } }))).toBeUndefined();
    expect(retryReason(sdkError('ValidationError', { $fault: 'client' }))).toBeUndefined();
  });

  test('an error without $metadata is classified by name alone', () => {
    expect(retryReason({ name: 'ValidationError' })).toBeUndefined();
    expect(retryReason({ name: 'ThrottlingException' })).toBe('throttling');
    expect(retryReason({ $fault: 'server' })).toBe('server');
    expect(retryReason({})).toBeUndefined();
  });
});

describe('retryReason: network failures', () => {
  test.each(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])('the name %s is transient', (name) => {
    expect(retryReason({ name, message: 'x' })).toBe('transient');
  });

  test.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])("Node's error code %s (name Error) is transient", (code) => {
    expect(retryReason(Object.assign(new Error('socket hang up'), { code }))).toBe('transient');
  });

  test('an unknown code is not', () => {
    expect(retryReason(Object.assign(new Error('bad'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
  });

  test('what is not an object is never retried', () => {
    expect(retryReason(null)).toBeUndefined();
    expect(retryReason(undefined)).toBeUndefined();
    expect(retryReason('ThrottlingException')).toBeUndefined();
    expect(retryReason(429)).toBeUndefined();
  });
});

describe('errorName and errorMessage', () => {
  test('the SDK error\'s own name and message; "Error" and the text for anything else', () => {
    expect(errorName(sdkError('AccessDenied'))).toBe('AccessDenied');
    expect(errorName({})).toBe('Error');
    expect(errorName(undefined)).toBe('Error');
    expect(errorMessage(sdkError('AccessDenied'))).toBe('AccessDenied happened');
    expect(errorMessage('socket hang up')).toBe('socket hang up');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage({ name: 'X' })).toBe('[object Object]');
  });
});

describe('accessProblem', () => {
  test.each([
    ['AccessDenied', 'denied'],
    ['AccessDeniedException', 'denied'],
    ['UnauthorizedOperation', 'denied'],
    ['AuthorizationError', 'denied'],
    ['NotAuthorized', 'denied'],
    ['ExpiredToken', 'credentials'],
    ['ExpiredTokenException', 'credentials'],
    ['InvalidClientTokenId', 'credentials'],
    ['UnrecognizedClientException', 'credentials'],
    ['CredentialsProviderError', 'credentials'],
    ['InvalidSignatureException', 'credentials'],
    ['ValidationError', undefined],
    ['ThrottlingException', undefined],
    ['ResourceNotFoundException', undefined],
  ])('%s -> %s', (name, problem) => {
    expect(accessProblem(sdkError(name))).toBe(problem);
  });
});

describe('AwsCallError', () => {
  test('keeps the operation, the resource and the SDK error; its name is AwsCallError', () => {
    const cause = sdkError('ConditionalCheckFailedException');
    const e = new AwsCallError('PutItem', 'table T', cause);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AwsCallError');
    expect(e.operation).toBe('PutItem');
    expect(e.resource).toBe('table T');
    expect(e.cause).toBe(cause);
    expect(e.awsErrorName).toBe('ConditionalCheckFailedException');
    expect(e.message).toBe('PutItem on table T failed: ConditionalCheckFailedException: ConditionalCheckFailedException happened');
  });

  test('a denied call names operation, resource and the message, and points at the role', () => {
    expect(new AwsCallError('UpdateStack', 'stack S', sdkError('AccessDenied')).message).toBe(
      'UpdateStack on stack S was denied: AccessDenied happened. The credentials in use lack this permission (check the role the release runs as).',
    );
  });

  test('bad credentials name the SDK error and say how to log in', () => {
    expect(new AwsCallError('DescribeStacks', 'stack S', sdkError('ExpiredTokenException')).message).toBe(
      'DescribeStacks on stack S failed: no valid AWS credentials (ExpiredTokenException: ExpiredTokenException happened). Log in (aws sso login, or a CI role) and re-run.',
    );
  });

  test('a stack that does not exist names the stack, the operation and what to check', () => {
    const e = Object.assign(new Error('Stack with id bgf-x does not exist'), { name: 'ValidationError' });
    expect(new AwsCallError('DescribeStacks', 'stack bgf-x', e).message).toBe(
      'stack bgf-x does not exist (DescribeStacks: Stack with id bgf-x does not exist). Check --env/--service/--stack and the region.',
    );
  });

  test('any other ValidationError, or "does not exist" under another name, is reported as it is', () => {
    const other = Object.assign(new Error('Parameters: [LiveColor] must have values'), { name: 'ValidationError' });
    expect(new AwsCallError('UpdateStack', 'stack S', other).message).toBe('UpdateStack on stack S failed: ValidationError: Parameters: [LiveColor] must have values');
    const missing = Object.assign(new Error('Listener L does not exist'), { name: 'ListenerNotFoundException' });
    expect(new AwsCallError('ModifyListener', 'listener L', missing).message).toBe('ModifyListener on listener L failed: ListenerNotFoundException: Listener L does not exist');
  });

  test('a retryable error says the retries gave up', () => {
    expect(new AwsCallError('GetItem', 'table T', sdkError('ThrottlingException')).message).toBe('GetItem on table T failed (gave up after retries): ThrottlingException: ThrottlingException happened');
  });
});
