import { Command } from 'commander';
import { DEPLOY_OPTIONS } from '../commands/deploy.options';
import { PROMOTE_OPTIONS } from '../commands/promote.options';
import { ROLLBACK_OPTIONS } from '../commands/rollback.options';
import { STATUS_OPTIONS } from '../commands/status.options';
import { SWAP_OPTIONS } from '../commands/swap.options';
import { addOptions, checkOptions, CommandOptions, OptionDefs } from './options';

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
        .option('--live-state <file>', 'live colors from a file of describe-stacks output (the trusted CI job writes it; no credentials needed)')
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
  {
    name: 'preflight',
    define: (program) => {
      const collect = (value: string, previous: string[] = []) => [...previous, value];
      program
        .command('preflight')
        .description('The deploy-time rules AWS applies (docs/preflight.md), on an existing cloud assembly; offline unless --live. Exit 0 when no finding is an error, 1 when one is, 2 on bad input.')
        .option('--assembly <dir>', 'cloud assembly directory', 'cdk.out')
        .option('--quota <name=value>', 'a raised quota, e.g. ElasticIps=10; repeatable', collect)
        .option('--live', 'with AWS credentials: applied Service Quotas, iam:SimulatePrincipalPolicy, existing OIDC provider and ECR replication')
        .option('--json', 'print one JSON object')
        .action(async (opts) => {
          const { runPreflightCommand } = await import('../commands/preflight');
          process.exitCode = await runPreflightCommand(opts);
        });
    },
  },
  ...releaseCommands(),
];

/**
 * The release commands (docs/release.md). Each command's options are defined once, next to the
 * command (src/commands/<name>.options.ts): flags, types and checks. The checks run here, before
 * the command's module (and the AWS SDK) is even loaded, so a bad option never reaches AWS.
 */
function releaseCommands(): CommandSpec[] {
  type Runner = (options: never, deps: { handleSignals: boolean }) => Promise<number>;
  const release = (name: string, description: string, definition: CommandOptions<OptionDefs>, load: () => Promise<Runner>): CommandSpec => ({
    name,
    define: (program) =>
      addOptions(program.command(name).description(description), definition).action(async (opts: Record<string, unknown>) => {
        const problems = checkOptions(definition, opts as never);
        if (problems.length > 0) {
          for (const problem of problems) process.stderr.write(`error: ${problem}\n`);
          process.exitCode = 2;
          return;
        }
        process.exitCode = await (await load())(opts as never, { handleSignals: true });
      }),
  });
  return [
    release('status', 'Which fleet is live; per fleet image, AMI, tasks, instances, target health, alarms; the rollback window; the last releases.', STATUS_OPTIONS, async () => (await import('../commands/status')).runStatus),
    release(
      'deploy',
      'Release an image: warm and prepare the standby, health and smoke check, swap, bake, keep the previous fleet warm for the rollback window. Re-run to finish an interrupted release. Exit codes: docs/release.md.',
      DEPLOY_OPTIONS,
      async () => (await import('../commands/deploy')).runDeploy,
    ),
    release('swap', 'Move traffic to the standby fleet, only if it is healthy and passes the smoke check.', SWAP_OPTIONS, async () => (await import('../commands/swap')).runSwap),
    release(
      'rollback',
      'Move traffic back to the previous fleet: one load balancer call while it is warm (whatever the stack is doing), then reconcile the stack. Exit 6 when it is cold.',
      ROLLBACK_OPTIONS,
      async () => (await import('../commands/rollback')).runRollback,
    ),
    release('promote', 'Tag an image in ECR with BatchGetImage + PutImage (no pull, no push); idempotent.', PROMOTE_OPTIONS, async () => (await import('../commands/promote')).runPromote),
  ];
}
