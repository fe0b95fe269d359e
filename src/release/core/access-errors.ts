/**
 * Errors no retry or further polling can cure, told apart by the SDK error's name. Shared by the
 * CLI (src/aws/errors.ts re-exports it) and the Lambdas, so both stop on the same errors.
 */

interface NamedError {
  readonly name?: string;
  readonly message?: string;
}

export function errorName(error: unknown): string {
  return (error as NamedError | undefined)?.name ?? 'Error';
}

export function errorMessage(error: unknown): string {
  return (error as NamedError | undefined)?.message ?? String(error);
}

export type AccessProblem = 'denied' | 'credentials';

/**
 * The call was denied (`denied`: IAM, an SCP or a resource policy; the services name it
 * AccessDenied, AccessDeniedException, UnauthorizedOperation, AuthorizationError...), or the
 * credentials are missing, expired or wrong (`credentials`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html (AccessDeniedException,
 * ExpiredTokenException, InvalidClientTokenId, NotAuthorized, common to the query APIs)
 */
export function accessProblem(error: unknown): AccessProblem | undefined {
  const name = errorName(error);
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError|NotAuthorized/.test(name)) return 'denied';
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|CredentialsProviderError|InvalidSignature/.test(name)) return 'credentials';
  return undefined;
}
