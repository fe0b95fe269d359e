import { CommandDeps, runCommand, TargetOptions } from '../release/runtime/cli-runtime';
import { formatStatus, status } from '../release/commands/status';
import { resolveTarget } from '../release/runtime/target';

export interface StatusCommandOptions extends TargetOptions {
  /** How many history records to show. */
  readonly last?: number;
}

/** `bluegreen-fleet status`: read only; no lock. */
export function runStatus(options: StatusCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReturnType<typeof resolveTarget>;
  return runCommand(
    {
      name: 'status',
      json: options.json,
      region: () => (target = resolveTarget(options)).region,
      run: (ctx) => status(ctx, target, { parameterPrefix: options.parameterPrefix, historyLimit: options.last }),
      format: formatStatus,
    },
    deps,
  );
}
