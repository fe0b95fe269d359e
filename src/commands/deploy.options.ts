import { defineOptions, flag, OptionsOf, text } from '../cli/options';
import { amiProblem, BREAK_LOCK, envNameProblem, imageProblem, PROFILE, ROLE_ARN, TARGET_OPTIONS, targetAcross } from './target.options';

/** `deploy`: the one definition of its options (flags, types, checks). */
export const DEPLOY_OPTIONS = defineOptions({
  options: {
    ...TARGET_OPTIONS,
    image: text('--image <tag-or-digest>', 'tag, sha256 digest or <registry>/<repository>[:tag|@digest]', { check: imageProblem }),
    imageFrom: text('--image-from <env>', 'release the exact digest live in another environment (e.g. staging): its stack bgf-<env>-<service>', { check: envNameProblem }),
    imageFromStack: text('--image-from-stack <name>', "with --image-from: the other environment's stack, when not bgf-<env>-<service>", { check: (v) => (/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(v) ? undefined : `"${v}" is not a CloudFormation stack name`) }),
    imageFromRegion: text('--image-from-region <region>', "with --image-from: the other stack's region (default: this stack's)", { check: (v) => (/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v) ? undefined : `"${v}" is not an AWS Region code`) }),
    imageFromProfile: text('--image-from-profile <name>', "with --image-from: read the other stack with this profile's credentials (another account)", { check: (v) => (PROFILE.test(v) ? undefined : `"${v}" is not a profile name (no spaces or brackets)`) }),
    imageFromRoleArn: text('--image-from-role-arn <arn>', "with --image-from: assume this role to read the other stack (another account), from --image-from-profile's, --profile's or the default credentials", {
      check: (v) => (ROLE_ARN.test(v) ? undefined : `"${v}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`),
    }),
    ami: text('--ami <id-or-latest>', "AMI for the standby: an id or latest (default: the live fleet's)", { check: amiProblem }),
    swap: flag('--no-swap', 'stop once the standby is warm, healthy and smoke-checked'),
    dryRun: flag('--dry-run', 'print the plan and change nothing'),
    allowUnscanned: flag('--allow-unscanned', 'release an image without a completed scan (warns)'),
    breakLock: BREAK_LOCK,
  },
  across: (v) => [
    ...targetAcross(v),
    ...(v.image === undefined && v.imageFrom === undefined ? ([['--image', 'or --image-from is required (give exactly one)']] as [string, string][]) : []),
    ...(v.image !== undefined && v.imageFrom !== undefined ? ([['--image', 'and --image-from exclude each other (give exactly one)']] as [string, string][]) : []),
    ...((v.imageFromStack !== undefined || v.imageFromRegion !== undefined) && v.imageFrom === undefined ? ([['--image-from-stack', 'and --image-from-region need --image-from']] as [string, string][]) : []),
    ...((v.imageFromProfile !== undefined || v.imageFromRoleArn !== undefined) && v.imageFrom === undefined ? ([['--image-from-profile', 'and --image-from-role-arn need --image-from']] as [string, string][]) : []),
    ...(v.imageFrom !== undefined && v.imageFrom === v.env ? ([['--image-from', `names the environment being released (${v.env}); name the one to copy from`]] as [string, string][]) : []),
  ],
});

export type DeployCommandOptions = OptionsOf<typeof DEPLOY_OPTIONS.options>;
