import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import type { SwapCommandOptions } from './swap.options';
import { swap } from '../release/commands/swap';
import { resolveTarget } from '../release/runtime/target';

export type { SwapCommandOptions };

/** `bluegreen-fleet swap`: traffic to the standby, only if it is healthy. */
export function runSwap(options: SwapCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReturnType<typeof resolveTarget>;
  return runCommand(
    {
      name: 'swap',
      json: options.json,
      region: () => (target = resolveTarget(options)).region,
      run: (ctx) => swap(ctx, target, options),
      format: (r) => `${r.outcome} (${r.releaseId}): the ${r.liveColor} fleet is live; ${r.previousColor} stays warm until ${r.rollbackWindowClosesAt}`,
    },
    deps,
  );
}
