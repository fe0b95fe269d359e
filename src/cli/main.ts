#!/usr/bin/env node
/**
 * The `bluegreen-fleet` command. Only commander is loaded at start: each command's module (and
 * with it the AWS SDK) is required when that command runs, so `--help` stays fast.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands';
import { CLI_VERSION } from './version';

export function buildProgram(): Command {
  const program = new Command('bluegreen-fleet')
    .description('Fleet-level blue/green releases on Amazon ECS: deploy, swap, rollback, status, promote, diff, build.')
    .version(CLI_VERSION, '-V, --version', 'print the version of bluegreen-fleet-cli')
    .showHelpAfterError()
    .exitOverride();
  for (const spec of COMMANDS) spec.define(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
