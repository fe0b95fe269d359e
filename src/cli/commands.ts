import { Command } from 'commander';

/**
 * One entry per CLI command. `define` declares the command's arguments and options (cheap) and
 * its action requires the implementing module lazily, e.g.
 *
 *   define: (program) => program.command('status').option('--env <env>').action(async (opts) => {
 *     const { runStatus } = await import('../commands/status');
 *     process.exitCode = await runStatus(opts);
 *   }),
 *
 * Commands live in src/commands/<name>.ts; add the entry here in the same change.
 */
export interface CommandSpec {
  readonly name: string;
  readonly define: (program: Command) => void;
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'diff',
    define: (program) =>
      program
        .command('diff')
        .description('Offline synth-and-diff of every environment: changes, danger flags, blue/green attribution, cost estimate. Exit 3 when a change is dangerous (docs/pr-diff.md).')
        .option('--base-ref <ref>', 'git ref synthesized in a temporary worktree as the base (default HEAD)')
        .option('--base-assembly <dir>', 'a synthesized cloud assembly as the base (no synthesis)')
        .option('--head-assembly <dir>', 'a synthesized cloud assembly as the head (default: synthesize the working tree)')
        .option('--deployed', 'diff against the deployed stacks through the CDK toolkit (needs AWS credentials)')
        .option('-c, --context <key=value...>', 'context for cdk synth, e.g. env=production')
        .option('--format <format>', 'text, markdown or json', 'text')
        .option('--json', 'same as --format json')
        .option('--markdown-out <file>', 'also write the pull-request comment (Markdown) to a file')
        .option('--json-out <file>', 'also write the JSON report to a file')
        .option('--prices <file>', 'price table to use instead of data/prices-ap-northeast-1.json')
        .option('--no-live-color', 'do not read the live color from deployed stacks even with credentials')
        .action(async (opts) => {
          const { runDiffCommand } = await import('../commands/diff');
          process.exitCode = await runDiffCommand(opts);
        }),
  },
  {
    name: 'build',
    define: (program) => {
      const collect = (value: string, previous: string[] = []) => [...previous, value];
      program
        .command('build')
        .description('docker build with the build secrets as BuildKit secret mounts (never build args or layers); optionally push to ECR and print the digest (docs/images-and-secrets.md).')
        .requiredOption('--repository <name-or-uri>', 'ECR repository name (e.g. bluegreen-fleet/api) or URI')
        .requiredOption('--tag <tag>', 'image tag; repeat for several', collect)
        .option('--context <dir>', 'build context', '.')
        .option('--file <Dockerfile>', 'Dockerfile (default <context>/Dockerfile)')
        .option('--secret <id[=secret]>', 'build secret: BuildKit id, read from <secret-prefix><id> or the named secret; repeatable', collect)
        .option('--secret-prefix <prefix>', 'Secrets Manager name prefix of build secrets', 'bluegreen-fleet/build/')
        .option('--build-arg <KEY=VALUE>', 'non-secret build argument; repeatable', collect)
        .option('--platform <platform>', 'target platform, e.g. linux/arm64')
        .option('--target <stage>', 'Dockerfile stage to build')
        .option('--push', 'log in to ECR, push every tag and print <uri>@<digest>')
        .option('--region <region>', 'AWS region (default AWS_REGION)')
        .option('--tmp-dir <dir>', 'where the private secret directory is made (default RUNNER_TEMP or the OS temp dir)')
        .option('--json', 'print the result as JSON')
        .action(async (opts) => {
          const { runBuild } = await import('../commands/build');
          process.exitCode = await runBuild(opts);
        });
    },
  },
];
