import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import type { DeployCommandOptions } from './deploy.options';
import { deploy, DeployResult } from '../release/commands/deploy';
import { ReleaseTarget, resolveTarget } from '../release/runtime/target';

export type { DeployCommandOptions };

/** `bluegreen-fleet deploy`: the whole release, as a re-runnable reconciler. */
export function runDeploy(options: DeployCommandOptions, deps?: CommandDeps): Promise<number> {
  let target: ReleaseTarget;
  return runCommand(
    {
      name: 'deploy',
      json: options.json,
      reach: async (env, profileRegion) => (target = await resolveTarget(options, env, profileRegion)),
      run: (ctx) => deploy(ctx, target, options),
      format: formatDeploy,
    },
    deps,
  );
}

export function formatDeploy(r: DeployResult): string {
  switch (r.outcome) {
    case 'planned':
      return ['plan (nothing changed):', ...(r.plan ?? []).map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
    case 'already-live':
      return `already live: the ${r.liveColor} fleet runs ${r.image} (${r.ami})`;
    case 'ready':
      return `ready: release ${r.releaseId} is warm, healthy and smoke-checked on the standby; traffic still on ${r.liveColor}. Run \`swap\` (or deploy again without --no-swap) to go live.`;
    case 'released':
      return `released ${r.releaseId}: the ${r.liveColor} fleet is live with ${r.image}; rollback window until ${r.rollbackWindowClosesAt}`;
  }
}
