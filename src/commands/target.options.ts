import { AMI_ID_PATTERN, DIGEST_PATTERN, IMAGE_TAG_PATTERN } from '../../constructs/contract/names';
import { flag, OptionsOf, text } from '../cli/options';

/** The options every release command takes, and the checks of values several commands share. */

/** Environment names as lib/config spells them (lowercase, digits, dashes). */
const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A CloudFormation stack name: alphanumerics and hyphens, starting with a letter, at most 128
 * characters (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html, StackName).
 */
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/** A stack ARN: `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>` (the region and account come with it). */
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[a-zA-Z][-a-zA-Z0-9]{0,127}\/[-a-zA-Z0-9]+$/;

/** A Region code such as ap-northeast-1 or us-gov-west-1 (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A profile name of the shared config file: no whitespace or brackets (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html). */
export const PROFILE = /^[^\s[\]]{1,128}$/;

/** An IAM role ARN (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * A Docker tag: letters, digits, underscores, periods and dashes, not starting with a period or
 * dash, at most 128 characters (https://docs.docker.com/reference/cli/docker/image/tag/).
 */
export const TAG = IMAGE_TAG_PATTERN;

export const TARGET_OPTIONS = {
  stack: text('--stack <name-or-arn>', 'the service stack (any stack built with BlueGreenService and ReleaseSupport); an ARN also gives its region and account', {
    check: (v) => (STACK_NAME.test(v) || STACK_ARN.test(v) ? undefined : `"${v}" is not a CloudFormation stack name (a letter, then letters, digits, dashes; at most 128) or stack ARN`),
  }),
  env: text('--env <env>', "with --service: this repository's stack bgf-<env>-<service> (e.g. dev, br-<slug>)", { check: (v) => (ENV_NAME.test(v) ? undefined : `"${v}" is not an environment name (lowercase letters, digits, dashes)`) }),
  service: text('--service <name>', 'with --env: the service of bgf-<env>-<service>', { check: (v) => (/^[a-z][a-z0-9-]{0,23}$/.test(v) ? undefined : `"${v}" is not a service name`) }),
  region: text('--region <region>', 'the stack\'s region (default: AWS_REGION, then the profile\'s region)', { check: (v) => (REGION.test(v) ? undefined : `"${v}" is not an AWS Region code (e.g. ap-northeast-1)`) }),
  profile: text('--profile <name>', 'a profile of the shared AWS config/credentials files', { check: (v) => (PROFILE.test(v) ? undefined : `"${v}" is not a profile name (no spaces or brackets)`) }),
  roleArn: text('--role-arn <arn>', 'assume this role (STS AssumeRole) for every call, from the profile\'s or the default credentials', { check: (v) => (ROLE_ARN.test(v) ? undefined : `"${v}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`) }),
  account: text('--account <id>', 'the account the stack must be in: checked against the credentials before any change', { check: (v) => (/^\d{12}$/.test(v) ? undefined : `"${v}" is not an AWS account id (12 digits)`) }),
  parameterPrefix: text('--parameter-prefix <prefix>', 'parameter prefix when a stack holds several services', { check: (v) => (/^[A-Za-z0-9]*$/.test(v) ? undefined : `"${v}" is not a parameter prefix (letters and digits, as in a logical id)`) }),
  json: flag('--json', 'print one JSON result object on stdout (progress stays on stderr)'),
} as const;

export type TargetCommandOptions = OptionsOf<typeof TARGET_OPTIONS>;

export const BREAK_LOCK = flag('--break-lock', 'take the release lock from a run that is known to be dead');

/** Checks between the target options: a stack, by --stack or by --env and --service together. */
export function targetAcross(v: TargetCommandOptions): [string, string][] {
  const out: [string, string][] = [];
  if (!v.stack && !(v.env && v.service)) {
    out.push([v.env ? '--service' : v.service ? '--env' : '--stack', v.env || v.service ? 'is required too: give --env and --service together (stack bgf-<env>-<service>), or --stack' : 'or --env with --service is required: which stack to release']);
  }
  const name = v.stack?.startsWith('arn:') ? v.stack.split('/')[1] : v.stack;
  if (name && v.env && !name.startsWith(`bgf-${v.env}-`)) out.push(['--stack', `"${v.stack}" is not a stack of --env ${v.env} (its stacks are named bgf-${v.env}-<service>)`]);
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
