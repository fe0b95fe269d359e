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

export const COMMANDS: CommandSpec[] = [];
