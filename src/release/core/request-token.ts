import { createHash } from 'node:crypto';

/**
 * CloudFormation's ClientRequestToken: "a unique identifier for this UpdateStack request. Specify
 * this token if you plan to retry requests so that CloudFormation knows that you're not attempting
 * to update a stack with the same name". At most 128 characters, pattern [a-zA-Z][-a-zA-Z0-9]*.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html#API_UpdateStack_RequestParameters
 */
export const REQUEST_TOKEN_MAX = 128;
export const REQUEST_TOKEN_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;

/**
 * A deterministic token for one logical update: `bgf-<purpose>-<digest of identity>`. The same
 * purpose and identity (what names the caller's intent: an event id, a schedule, the stack state
 * the decision was made on) give the same token, so a retry of the same intent is recognised by
 * CloudFormation instead of starting a second update. `purpose` is cut to letters, digits and
 * dashes; the digest (24 hex characters of SHA-256) keeps the token within 128 characters
 * whatever the identity holds.
 */
export function requestToken(purpose: string, identity: readonly (string | number | undefined)[]): string {
  const digest = createHash('sha256').update(JSON.stringify(identity.map((p) => p ?? null))).digest('hex').slice(0, 24);
  const label = purpose.replace(/[^-a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, REQUEST_TOKEN_MAX - 'bgf--'.length - digest.length);
  return label ? `bgf-${label}-${digest}` : `bgf-${digest}`;
}
