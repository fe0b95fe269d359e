import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import type { SwapCommandOptions } from './swap.options';
import { swap, SwapResult } from '../release/commands/swap';
import { ReleaseTarget, resolveTarget } from '../release/runtime/target';

export type { SwapCommandOptions };

/** `bluegreen-fleet swap`: traffic to the standby, only if it is healthy. */
export function runSwap(options: SwapCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReleaseTarget;
  return runCommand(
    {
      name: 'swap',
      json: options.json,
      reach: async (env, profileRegion) => (target = await resolveTarget(options, env, profileRegion)),
      run: (ctx) => swap(ctx, target, options),
      format: formatSwap,
    },
    deps,
  );
}

export function formatSwap(r: SwapResult): string {
  if (r.outcome === 'planned') return ['plan (nothing changed):', ...(r.plan ?? []).map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
  return `${r.outcome} (${r.releaseId}): the ${r.liveColor} fleet is live; ${r.previousColor} stays warm until ${r.rollbackWindowClosesAt}`;
}
