import type { Command } from 'commander';
import { BUILD_OPTIONS } from '../commands/build.options';
import { DEPLOY_OPTIONS } from '../commands/deploy.options';
import { DIFF_OPTIONS } from '../commands/diff.options';
import { PREFLIGHT_OPTIONS } from '../commands/preflight.options';
import { PROMOTE_OPTIONS } from '../commands/promote.options';
import { ROLLBACK_OPTIONS } from '../commands/rollback.options';
import { STATUS_OPTIONS } from '../commands/status.options';
import { SWAP_OPTIONS } from '../commands/swap.options';
import { addOptions, checkOptions, CommandOptions, OptionDefs } from './options';

/**
 * One entry per CLI command. `define` declares the command and its options (cheap: from the
 * command's one options definition, src/commands/<name>.options.ts) and its action requires the
 * implementing module lazily, so `--help` loads no AWS SDK.
 *
 * Commands live in src/commands/<name>.ts; add the entry here in the same change.
 */
export interface CommandSpec {
  readonly name: string;
  readonly define: (program: Command) => void;
}

type Runner = (options: never) => Promise<number>;

/**
 * A command from its one options definition: commander's flags come from it, and its checks run
 * here, before the command's module (and the AWS SDK) is even loaded, so a bad option never
 * reaches AWS (exit 2, naming it).
 */
function command(name: string, description: string, definition: CommandOptions<OptionDefs>, load: () => Promise<Runner>): CommandSpec {
  return {
    name,
    define: (program) =>
      addOptions(program.command(name).description(description), definition).action(async (opts: Record<string, unknown>) => {
        const problems = checkOptions(definition, opts as never);
        if (problems.length > 0) {
          for (const problem of problems) process.stderr.write(`error: ${problem}\n`);
          process.exitCode = 2;
          return;
        }
        process.exitCode = await (await load())(opts as never);
      }),
  };
}

/** The release commands listen for Ctrl-C themselves (docs/release.md). */
const signals = { handleSignals: true };

export const COMMANDS: CommandSpec[] = [
  command(
    'diff',
    'Offline synth-and-diff of every environment: changes, danger flags, blue/green attribution, cost estimate. Exit 3 when a change is dangerous (docs/pr-diff.md).',
    DIFF_OPTIONS,
    async () => (await import('../commands/diff')).runDiffCommand,
  ),
  command(
    'build',
    'docker build with the build secrets as BuildKit secret mounts (never build args or layers); optionally push to ECR and print the digest (docs/images-and-secrets.md).',
    BUILD_OPTIONS,
    async () => (await import('../commands/build')).runBuild,
  ),
  command(
    'preflight',
    'The deploy-time rules AWS applies (docs/preflight.md), on an existing cloud assembly; offline unless --live. Exit 0 when no finding is an error, 1 when one is, 2 on bad input.',
    PREFLIGHT_OPTIONS,
    async () => (await import('../commands/preflight')).runPreflightCommand,
  ),
  command('status', 'Which fleet is live; per fleet image, AMI, tasks, instances, target health, alarms; the rollback window; the last releases.', STATUS_OPTIONS, async () => {
    const { runStatus } = await import('../commands/status');
    return (o) => runStatus(o, signals);
  }),
  command(
    'deploy',
    'Release an image: warm and prepare the standby, health and smoke check, swap, bake, keep the previous fleet warm for the rollback window. Re-run to finish an interrupted release. Exit codes: docs/release.md.',
    DEPLOY_OPTIONS,
    async () => {
      const { runDeploy } = await import('../commands/deploy');
      return (o) => runDeploy(o, signals);
    },
  ),
  command('swap', 'Move traffic to the standby fleet, only if it is healthy and passes the smoke check.', SWAP_OPTIONS, async () => {
    const { runSwap } = await import('../commands/swap');
    return (o) => runSwap(o, signals);
  }),
  command(
    'rollback',
    'Move traffic back to the previous fleet: one load balancer call while it is warm (whatever the stack is doing), then reconcile the stack. Exit 6 when it is cold.',
    ROLLBACK_OPTIONS,
    async () => {
      const { runRollback } = await import('../commands/rollback');
      return (o) => runRollback(o, signals);
    },
  ),
  command('promote', 'Tag an image in ECR with BatchGetImage + PutImage (no pull, no push); idempotent.', PROMOTE_OPTIONS, async () => {
    const { runPromote } = await import('../commands/promote');
    return (o) => runPromote(o, signals);
  }),
];
