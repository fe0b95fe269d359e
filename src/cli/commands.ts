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
 * The release commands (docs/release.md). Options shared by all of them; each action loads its
 * module (and the AWS SDK) only when it runs.
 */
function releaseCommands(): CommandSpec[] {
  const target = (command: Command, envHelp = 'environment, e.g. dev or production'): Command =>
    command
      .requiredOption('--env <env>', envHelp)
      .requiredOption('--service <name>', 'service name from the environment config')
      .option('--stack <name>', 'stack name (default bgf-<env>-<service>)')
      .option('--branch <git-branch>', 'git branch, with --env branch')
      .option('--parameter-prefix <prefix>', 'parameter prefix when a stack holds several services')
      .option('--json', 'print one JSON result object on stdout (progress stays on stderr)');
  type Runner = (options: never, deps: { handleSignals: boolean }) => Promise<number>;
  const run = (load: () => Promise<Runner>) => async (opts: Record<string, unknown>) => {
    process.exitCode = await (await load())(opts as never, { handleSignals: true });
  };
  return [
    {
      name: 'status',
      define: (program) =>
        target(program.command('status').description('Which fleet is live; per fleet image, AMI, tasks, instances, target health, alarms; the rollback window; the last releases.'))
          .option('--last <n>', 'history records to show', (v) => Number(v), 5)
          .action(run(async () => (await import('../commands/status')).runStatus)),
    },
    {
      name: 'deploy',
      define: (program) =>
        target(program.command('deploy').description('Release an image: warm and prepare the standby, health and smoke check, swap, bake, keep the previous fleet warm for the rollback window. Re-run to finish an interrupted release. Exit codes: docs/release.md.'))
          .option('--image <tag-or-digest>', 'tag, sha256 digest or <registry>/<repository>[:tag|@digest]')
          .option('--image-from <env>', 'release the exact digest live in another environment (e.g. staging)')
          .option('--ami <id-or-latest>', "AMI for the standby: an id or latest (default: the live fleet's)")
          .option('--no-swap', 'stop once the standby is warm, healthy and smoke-checked')
          .option('--dry-run', 'print the plan and change nothing')
          .option('--allow-unscanned', 'release an image without a completed scan (warns)')
          .option('--break-lock', 'take the release lock from a run that is known to be dead')
          .action(run(async () => (await import('../commands/deploy')).runDeploy)),
    },
    {
      name: 'swap',
      define: (program) =>
        target(program.command('swap').description('Move traffic to the standby fleet, only if it is healthy and passes the smoke check.'))
          .option('--break-lock', 'take the release lock from a run that is known to be dead')
          .action(run(async () => (await import('../commands/swap')).runSwap)),
    },
    {
      name: 'rollback',
      define: (program) =>
        target(program.command('rollback').description('Move traffic back to the previous fleet: one load balancer call while it is warm, then reconcile the stack. Exit 6 when it is cold.'))
          .option('--warm', 'when the previous fleet is cold: warm it, check it and swap to it')
          .option('--break-lock', 'take the release lock from a run that is known to be dead')
          .action(run(async () => (await import('../commands/rollback')).runRollback)),
    },
    {
      name: 'promote',
      define: (program) =>
        program
          .command('promote')
          .description('Tag an image in ECR with BatchGetImage + PutImage (no pull, no push); idempotent.')
          .requiredOption('--service <name>', 'service name')
          .requiredOption('--image <digest-or-reference>', '<registry>/<repository>@sha256:..., or a digest with --repository or --env')
          .requiredOption('--tag <tag>', 'tag to add')
          .option('--repository <registry/name>', 'repository of a bare digest')
          .option('--env <env>', "take the repository from this environment's live fleet")
          .option('--force', 'move a tag that points at another digest')
          .option('--json', 'print one JSON result object')
          .action(run(async () => (await import('../commands/promote')).runPromote)),
    },
  ];
}
