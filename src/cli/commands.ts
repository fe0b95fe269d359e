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
];
