import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import type { RollbackCommandOptions } from './rollback.options';
import { rollback, RollbackResult } from '../release/commands/rollback';
import { ReleaseTarget, resolveTarget } from '../release/runtime/target';

export type { RollbackCommandOptions };

/** `bluegreen-fleet rollback`: traffic back to the previous fleet (seconds while it is warm). */
export function runRollback(options: RollbackCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReleaseTarget;
  return runCommand(
    {
      name: 'rollback',
      json: options.json,
      reach: async (env, profileRegion) => (target = await resolveTarget(options, env, profileRegion)),
      run: (ctx) => rollback(ctx, target, options),
      format: formatRollback,
    },
    deps,
  );
}

function formatRollback(r: RollbackResult): string {
  if (r.outcome === 'already-rolled-back') return `already rolled back: the ${r.liveColor} fleet is live`;
  const fast = r.trafficBackAfterMs !== undefined ? ` (traffic back after ${(r.trafficBackAfterMs / 1000).toFixed(1)}s)` : '';
  return `rolled back: the ${r.liveColor} fleet is live${fast}`;
}
