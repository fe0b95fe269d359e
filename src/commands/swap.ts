import { CommandDeps, runCommand, TargetOptions } from '../release/runtime/cli-runtime';
import { swap } from '../release/commands/swap';
import { resolveTarget } from '../release/runtime/target';

export interface SwapCommandOptions extends TargetOptions {
  readonly breakLock?: boolean;
}

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
