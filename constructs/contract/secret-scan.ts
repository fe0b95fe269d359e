/**
 * Finds secrets where only non-secret text belongs: plain container environment variables
 * (config) and `docker build --build-arg` values (the build command). Both end up where anyone
 * with read access sees them: a task definition in a CloudFormation template, a pull-request
 * comment, CI artifacts, and an image's history.
 *
 * Imports nothing (no aws-cdk-lib, no AWS SDK), so lib/ and src/ may both use it.
 */

export interface SecretFinding {
  /** Stable id of the rule that matched, e.g. `aws-access-key-id`. */
  readonly rule: string;
  /** What was found, for the error message (never the value itself). */
  readonly what: string;
}

interface ValueRule {
  readonly rule: string;
  readonly what: string;
  readonly pattern: RegExp;
}

/** Token formats that their issuers document, so a match is a secret, not a guess. */
const VALUE_RULES: readonly ValueRule[] = [
  // AKIA = long-term access key, ASIA = temporary (STS) key:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  { rule: 'aws-access-key-id', what: 'an AWS access key id (AKIA.../ASIA...)', pattern: /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  // ghp_ (classic PAT), gho_ (OAuth), ghu_/ghs_ (app user/server), ghr_ (refresh), github_pat_ (fine-grained):
  // https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
  { rule: 'github-token', what: 'a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { rule: 'github-token', what: 'a GitHub fine-grained token (github_pat_)', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/ },
  // xoxb- (bot), xoxp- (user), xoxa-/xoxr- (app/refresh), xoxe- (rotating): https://api.slack.com/authentication/token-types
  { rule: 'slack-token', what: 'a Slack token (xox?-)', pattern: /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/ },
  // PEM (RFC 7468) and OpenSSH private keys all share this header form.
  { rule: 'private-key', what: 'a private key (-----BEGIN ... PRIVATE KEY-----)', pattern: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/ },
  // A JWS compact serialization (RFC 7515): base64url('{"...') = "eyJ" header and payload, then a signature.
  { rule: 'jwt', what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/ },
  // RFC 3986 userinfo with a password: scheme://user:password@host.
  { rule: 'url-credentials', what: 'a URL with a password (scheme://user:password@host)', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i },
  // Connection strings and query strings: password=..., Pwd=..., secret: ...
  {
    rule: 'password-assignment',
    what: 'a password assignment (password=...)',
    // ":" only with a space after it (YAML style), so ARNs such as `...:secret:db-AbCdEf` pass.
    pattern: /(?:^|[^A-Za-z0-9])(password|passwd|pwd|pass|secret|client_secret|api_?key|access_?token|auth_?token)\s*(=|:\s)\s*(?!\s|&|;|,|$)[^\s&;,]+/i,
  },
];

/**
 * High-entropy strings: a run of at least {@link ENTROPY_MIN_LENGTH} base64/base64url characters
 * (split at `/`, so URL paths are judged segment by segment) that mixes upper case, lower case
 * and digits, carries at least {@link ENTROPY_THRESHOLD} bits of Shannon entropy per character,
 * and changes character class (upper/lower/digit/symbol) at least {@link MIN_CLASS_CHANGES} times
 * per character. Random keys sit well above both (a random 24-character base62 string measures
 * about 4.3 bits and 0.6 changes); words run together sit below the second
 * (`MyApplicationName2024Production`: 4.26 bits but 0.26 changes). Lower-case hex is never
 * flagged, so git SHAs, image digests and UUIDs pass. An AWS secret access key (40 characters of
 * base64, `/` included: https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds-programmatic-access.html)
 * is judged whole.
 */
export const ENTROPY_THRESHOLD = 4.2;
export const ENTROPY_MIN_LENGTH = 24;
export const MIN_CLASS_CHANGES = 0.3;

export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function classChanges(text: string): number {
  const cls = (ch: string) => (/[A-Z]/.test(ch) ? 'U' : /[a-z]/.test(ch) ? 'L' : /[0-9]/.test(ch) ? 'D' : 'S');
  let changes = 0;
  for (let i = 1; i < text.length; i++) if (cls(text[i]) !== cls(text[i - 1])) changes++;
  return changes / text.length;
}

function looksRandom(run: string): boolean {
  return (
    run.length >= ENTROPY_MIN_LENGTH && /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) &&
    shannonEntropy(run) >= ENTROPY_THRESHOLD && classChanges(run) >= MIN_CLASS_CHANGES
  );
}

function highEntropyRun(value: string): boolean {
  for (const run of value.match(/[A-Za-z0-9+/=_-]+/g) ?? []) {
    if (run.length === 40 && /^[A-Za-z0-9+/]{40}$/.test(run) && looksRandom(run)) return true;
    if (run.split('/').some(looksRandom)) return true;
  }
  return false;
}

/** The first sign that a value is a secret, or undefined. */
export function scanSecretValue(value: string): SecretFinding | undefined {
  for (const r of VALUE_RULES) if (r.pattern.test(value)) return { rule: r.rule, what: r.what };
  if (highEntropyRun(value)) {
    return { rule: 'high-entropy', what: `a random-looking string (${ENTROPY_MIN_LENGTH}+ mixed-case characters, >= ${ENTROPY_THRESHOLD} bits/char; see constructs/contract/secret-scan.ts)` };
  }
  return undefined;
}

/**
 * Name words that say a variable holds a secret. The list is Docker's own build check
 * SecretsUsedInArgOrEnv (https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/:
 * apikey, auth, credential(s), key, password, pass, pword, passwd, secret, token), plus pwd,
 * creds, passphrase and private, which the same check misses (DB_PWD, AWS_CREDS).
 */
const SECRET_WORDS = new Set([
  'apikey', 'auth', 'credential', 'credentials', 'key', 'password', 'pass', 'pword', 'passwd', 'secret', 'token',
  'pwd', 'creds', 'passphrase', 'private', 'secrets', 'tokens', 'keys', 'passwords',
]);
/** Run-together names (DBPASSWORD, MYSQLPWD) end in one of these. */
const SECRET_SUFFIXES = ['password', 'passwd', 'pwd', 'secret', 'token', 'credentials', 'apikey', 'passphrase'];

/** Splits `DB_PASS`, `dbPass`, `db-pass` and `db.pass` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Why a variable name says it holds a secret, or undefined. */
export function scanSecretName(name: string): SecretFinding | undefined {
  const parts = words(name);
  const word = parts.find((w) => SECRET_WORDS.has(w));
  if (word) return { rule: 'secret-name', what: `a name that says it holds a secret (the word "${word.toUpperCase()}")` };
  const last = parts[parts.length - 1] ?? '';
  const suffix = SECRET_SUFFIXES.find((s) => last.endsWith(s));
  if (suffix) return { rule: 'secret-name', what: `a name that says it holds a secret (ends in "${suffix.toUpperCase()}")` };
  return undefined;
}

/** A name-and-value pair as config environment variables and build arguments come. */
export function scanVariable(name: string, value: string): SecretFinding | undefined {
  return scanSecretName(name) ?? scanSecretValue(value);
}
