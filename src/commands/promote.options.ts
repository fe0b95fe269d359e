import { defineOptions, flag, OptionsOf, requiredText, text } from '../cli/options';
import { envNameProblem, imageProblem, TAG, TARGET_OPTIONS } from './target.options';

export const PROMOTE_OPTIONS = defineOptions({
  options: {
    service: requiredText('--service <name>', 'service name'),
    stack: { ...TARGET_OPTIONS.stack, description: "take the repository from this stack's live fleet" },
    region: TARGET_OPTIONS.region,
    profile: TARGET_OPTIONS.profile,
    roleArn: TARGET_OPTIONS.roleArn,
    account: TARGET_OPTIONS.account,
    image: requiredText('--image <digest-or-reference>', '<registry>/<repository>@sha256:..., or a digest with --repository or --env', {
      check: (v) => imageProblem(v) ?? (v.includes('sha256:') ? undefined : `"${v}" is not pinned by digest: promote tags a digest (<registry>/<repository>@sha256:... or sha256:...)`),
    }),
    tag: requiredText('--tag <tag>', 'tag to add', { check: (v) => (TAG.test(v) ? undefined : `"${v}" is not a valid image tag`) }),
    repository: text('--repository <registry/name>', 'repository of a bare digest', { check: (v) => (/^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9][a-z0-9._/-]*$/.test(v) ? undefined : `"${v}" is not <account>.dkr.ecr.<region>.amazonaws.com/<repository>`) }),
    env: text('--env <env>', "take the repository from this environment's live fleet (stack bgf-<env>-<service>)", { check: envNameProblem }),
    force: flag('--force', 'move a tag that points at another digest'),
    json: flag('--json', 'print one JSON result object'),
  },
  across: (v) => (v.image?.startsWith('sha256:') && !v.repository && !v.env && !v.stack ? [['--image', `"${v.image}" is a bare digest: add --repository, --stack or --env`]] : []),
});

export type PromoteCommandOptions = OptionsOf<typeof PROMOTE_OPTIONS.options>;
