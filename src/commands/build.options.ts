import { defineOptions, flag, OptionsOf, repeatable, requiredRepeatable, requiredText, text } from '../cli/options';

/**
 * `build`: the one definition of its options (flags and types). Their checks need the file
 * system and parse the repeatable ones (src/build/options.ts checkBuildOptions), so they run in
 * the command, still before the first AWS call.
 */
export const BUILD_OPTIONS = defineOptions({
  options: {
    repository: requiredText('--repository <name-or-uri>', 'ECR repository name (e.g. bluegreen-fleet/api) or URI'),
    tag: requiredRepeatable('--tag <tag>', 'image tag; repeat for several'),
    context: text('--context <dir>', 'build context', { defaultValue: '.' }),
    file: text('--file <Dockerfile>', 'Dockerfile (default <context>/Dockerfile)'),
    secret: repeatable('--secret <id[=secret]>', 'build secret: BuildKit id, read from <secret-prefix><id> or the named secret; repeatable'),
    secretPrefix: text('--secret-prefix <prefix>', 'Secrets Manager name prefix of build secrets', { defaultValue: 'bluegreen-fleet/build/' }),
    buildArg: repeatable('--build-arg <KEY=VALUE>', 'non-secret build argument; repeatable'),
    platform: text('--platform <platform>', 'target platform, e.g. linux/arm64'),
    target: text('--target <stage>', 'Dockerfile stage to build'),
    push: flag('--push', 'log in to ECR, push every tag and print <uri>@<digest>'),
    region: text('--region <region>', 'AWS region (default AWS_REGION)'),
    tmpDir: text('--tmp-dir <dir>', 'where the private secret directory is made (default RUNNER_TEMP or the OS temp dir)'),
    json: flag('--json', 'print the result as JSON'),
  },
});

export type BuildCommandOptions = OptionsOf<typeof BUILD_OPTIONS.options>;
