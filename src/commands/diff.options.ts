import { defineOptions, flag, OptionsOf, text, variadic } from '../cli/options';

/** `diff`: the one definition of its options (flags and types). */
export const DIFF_OPTIONS = defineOptions({
  options: {
    baseRef: text('--base-ref <ref>', 'git ref synthesized in a temporary worktree as the base (default HEAD)'),
    baseAssembly: text('--base-assembly <dir>', 'a synthesized cloud assembly as the base (no synthesis)'),
    headAssembly: text('--head-assembly <dir>', 'a synthesized cloud assembly as the head (default: synthesize the working tree)'),
    deployed: flag('--deployed', 'diff against the deployed stacks through the CDK toolkit (needs AWS credentials)'),
    context: variadic('-c, --context <key=value...>', 'context for cdk synth, e.g. env=production'),
    format: text('--format <format>', 'text, markdown or json', { defaultValue: 'text' }),
    json: flag('--json', 'same as --format json'),
    markdownOut: text('--markdown-out <file>', 'also write the pull-request comment (Markdown) to a file'),
    jsonOut: text('--json-out <file>', 'also write the JSON report to a file'),
    prices: text('--prices <file>', 'price table to use instead of data/prices-ap-northeast-1.json'),
    /** `--no-live-color` sets this to false. */
    liveColor: flag('--no-live-color', 'do not read the live color from deployed stacks even with credentials'),
    /** `--live-state <file>`: live colors from describe-stacks output instead of AWS (no credentials needed). */
    liveState: text('--live-state <file>', 'live colors from a file of describe-stacks output (the trusted CI job writes it; no credentials needed)'),
  },
});

export type DiffCommandOptions = OptionsOf<typeof DIFF_OPTIONS.options>;
