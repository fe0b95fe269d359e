import { defineOptions, flag, OptionsOf, repeatable, text } from '../cli/options';

/** `preflight`: the one definition of its options (flags and types). */
export const PREFLIGHT_OPTIONS = defineOptions({
  options: {
    assembly: text('--assembly <dir>', 'cloud assembly directory', { defaultValue: 'cdk.out' }),
    /** `<Quota>=<value>`, e.g. ElasticIps=10: a raised quota of every account and Region. */
    quota: repeatable('--quota <name=value>', 'a raised quota, e.g. ElasticIps=10; repeatable'),
    live: flag('--live', 'with AWS credentials: applied Service Quotas, iam:SimulatePrincipalPolicy, existing OIDC provider and ECR replication'),
    json: flag('--json', 'print one JSON object'),
  },
});

export type PreflightCommandOptions = OptionsOf<typeof PREFLIGHT_OPTIONS.options>;
