import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BUILD_SECRET_PLACEHOLDER_FIELD } from '../../constructs/secrets/placeholder';

/** A BuildKit secret id and the Secrets Manager secret that holds its value. */
export interface BuildSecretRef {
  readonly id: string;
  readonly secretId: string;
}

export interface FetchedSecret extends BuildSecretRef {
  readonly value: Uint8Array;
}

/** A build secret that cannot be used; the message names the secret, never its value. */
export class BuildSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BuildSecretError';
  }
}

/** Reads every secret into memory before anything touches the disk, so a missing one leaves nothing behind. */
export async function fetchBuildSecrets(client: SecretsManagerClient, refs: readonly BuildSecretRef[]): Promise<FetchedSecret[]> {
  const fetched: FetchedSecret[] = [];
  for (const ref of refs) fetched.push({ ...ref, value: await fetchOne(client, ref) });
  return fetched;
}

async function fetchOne(client: SecretsManagerClient, ref: BuildSecretRef): Promise<Uint8Array> {
  const what = `build secret "${ref.id}" (${ref.secretId})`;
  let out;
  try {
    out = await client.send(new GetSecretValueCommand({ SecretId: ref.secretId }));
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'ResourceNotFoundException') {
      throw new BuildSecretError(`${what} does not exist in Secrets Manager (or has no current value); create it in the shared stack (buildSecrets) and store its value with put-secret-value`, { cause: error });
    }
    if (/AccessDenied/.test(name)) {
      throw new BuildSecretError(`${what} cannot be read by these credentials; the build role needs BuildSecrets.grantRead (the secret's policy denies everyone else)`, { cause: error });
    }
    if (name === 'DecryptionFailure') throw new BuildSecretError(`${what} could not be decrypted with its KMS key (${name})`, { cause: error });
    throw new BuildSecretError(`${what} could not be read: ${name}`, { cause: error });
  }
  const value = out.SecretBinary ?? (out.SecretString !== undefined ? Buffer.from(out.SecretString, 'utf8') : undefined);
  if (!value || value.length === 0) throw new BuildSecretError(`${what} is empty; store its value with put-secret-value`);
  if (out.SecretString !== undefined && isPlaceholder(out.SecretString)) {
    throw new BuildSecretError(
      `${what} still holds the placeholder the stack created; store the real value first: aws secretsmanager put-secret-value --secret-id ${ref.secretId} --secret-string file://<path>`,
    );
  }
  return value;
}

function isPlaceholder(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    return Object.prototype.hasOwnProperty.call(JSON.parse(text), BUILD_SECRET_PLACEHOLDER_FIELD);
  } catch {
    return false;
  }
}
