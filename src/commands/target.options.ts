import { AMI_ID_PATTERN, DIGEST_PATTERN } from '../../constructs/contract/names';
import { flag, OptionsOf, requiredText, text } from '../cli/options';

/** The options every release command takes, and the checks of values several commands share. */

/** Environment names as lib/config spells them (lowercase, digits, dashes). */
const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A CloudFormation stack name: alphanumerics and hyphens, starting with a letter, at most 128
 * characters (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html, StackName).
 */
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/**
 * A Docker tag: letters, digits, underscores, periods and dashes, not starting with a period or
 * dash, at most 128 characters (https://docs.docker.com/reference/cli/docker/image/tag/).
 */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const TARGET_OPTIONS = {
  env: requiredText('--env <env>', 'environment, e.g. dev or production', { check: (v) => (ENV_NAME.test(v) ? undefined : `"${v}" is not an environment name (lowercase letters, digits, dashes)`) }),
  service: requiredText('--service <name>', 'service name from the environment config', { check: (v) => (/^[a-z][a-z0-9-]{0,23}$/.test(v) ? undefined : `"${v}" is not a service name`) }),
  stack: text('--stack <name>', 'stack name (default bgf-<env>-<service>)', { check: (v) => (STACK_NAME.test(v) ? undefined : `"${v}" is not a CloudFormation stack name (a letter, then letters, digits, dashes; at most 128)`) }),
  branch: text('--branch <git-branch>', 'git branch, with --env branch'),
  parameterPrefix: text('--parameter-prefix <prefix>', 'parameter prefix when a stack holds several services', { check: (v) => (/^[A-Za-z0-9]*$/.test(v) ? undefined : `"${v}" is not a parameter prefix (letters and digits, as in a logical id)`) }),
  json: flag('--json', 'print one JSON result object on stdout (progress stays on stderr)'),
} as const;

export type TargetCommandOptions = OptionsOf<typeof TARGET_OPTIONS>;

export const BREAK_LOCK = flag('--break-lock', 'take the release lock from a run that is known to be dead');

/** Checks between the target options: --stack belongs to --env, --branch only with --env branch. */
export function targetAcross(v: TargetCommandOptions): [string, string][] {
  const out: [string, string][] = [];
  if (v.stack && v.env && !v.stack.startsWith(`bgf-${v.env}-`)) out.push(['--stack', `"${v.stack}" is not a stack of --env ${v.env} (its stacks are named bgf-${v.env}-<service>)`]);
  if (v.branch && v.env !== 'branch') out.push(['--branch', `is only for --env branch, not --env ${v.env}`]);
  return out;
}

/** `--image`: a tag, a digest, or `<registry>/<repository>[:tag|@digest]`. */
export function imageProblem(v: string): string | undefined {
  const at = v.indexOf('@');
  if (at >= 0) return DIGEST_PATTERN.test(v.slice(at + 1)) ? undefined : `"${v}": "${v.slice(at + 1)}" is not a sha256 digest (sha256: and 64 hex digits)`;
  if (v.startsWith('sha256:')) return DIGEST_PATTERN.test(v) ? undefined : `"${v}" is not a sha256 digest (sha256: and 64 hex digits)`;
  const tag = v.includes('/') ? (/:([^/:]+)$/.exec(v)?.[1] ?? '') : v;
  if (v.includes('/') && !tag) return undefined;
  return TAG.test(tag) ? undefined : `"${v}": "${tag}" is not a valid image tag (letters, digits, _ . -; not starting with . or -; at most 128)`;
}

export function amiProblem(v: string): string | undefined {
  return v === 'latest' || AMI_ID_PATTERN.test(v) ? undefined : `"${v}" is not an AMI id (ami-0123456789abcdef0) or "latest"`;
}

export function envNameProblem(v: string): string | undefined {
  return ENV_NAME.test(v) ? undefined : `"${v}" is not an environment name`;
}
