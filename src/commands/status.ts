import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import type { StatusCommandOptions } from './status.options';
import { formatStatus, status } from '../release/commands/status';
import { ReleaseTarget, resolveTarget } from '../release/runtime/target';

export type { StatusCommandOptions };

/** `bluegreen-fleet status`: read only; no lock. */
export function runStatus(options: StatusCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReleaseTarget;
  return runCommand(
    {
      name: 'status',
      json: options.json,
      reach: async (env, profileRegion) => (target = await resolveTarget(options, env, profileRegion)),
      run: (ctx) => status(ctx, target, { parameterPrefix: options.parameterPrefix, historyLimit: options.last }),
      format: formatStatus,
    },
    deps,
  );
}
