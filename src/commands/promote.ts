import type { PromoteCommandOptions } from './promote.options';
import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import { fleet } from '../release/core/stack-state';
import { parseImageRef, parseRepository, registryParts } from '../release/steps/image';
import { promote } from '../release/commands/promote';
import { readStack } from '../release/state/stack';
import { ReleaseTarget, resolveRegion, resolveTarget } from '../release/runtime/target';

export type { PromoteCommandOptions };

/** `bluegreen-fleet promote`: tag a digest in ECR without pulling or pushing. */
export function runPromote(options: PromoteCommandOptions, deps?: CommandDeps): Promise<number> {
  const ref = parseImageRef(options.image);
  const given = options.repository ? parseRepository(options.repository) : undefined;
  let target: ReleaseTarget | undefined;
  return runCommand(
    {
      name: 'promote',
      json: options.json,
      // The registry's region when the image names it; else the stack's (--region, AWS_REGION, the profile).
      reach: async (env, profileRegion) => {
        const fromRegistry = registryParts(ref.registry ?? given?.registry ?? '')?.region;
        const stack = options.stack || options.env ? { ...options, service: options.service } : undefined;
        target = stack ? await resolveTarget(stack, env, profileRegion) : undefined;
        const region = fromRegistry ?? target?.region ?? (await resolveRegion({ ...options, stack: 'promote' }, env, profileRegion));
        return { region, profile: options.profile, roleArn: options.roleArn, stackName: target?.stackName, expectedAccount: target?.expectedAccount ?? options.account };
      },
      run: async (ctx) => {
        let registry = ref.registry ?? given?.registry;
        let repository = ref.repository ?? given?.repository;
        if ((!registry || !repository) && target) {
          const state = await readStack(ctx, target.stackName, undefined, ctx.clients.forRegion(target.region));
          const live = parseImageRef(fleet(state, state.liveColor).image);
          registry ??= live.registry;
          repository ??= live.repository;
        }
        return promote(ctx, { image: options.image, tag: options.tag, registry, repository, force: options.force });
      },
      format: (r) =>
        r.outcome === 'unchanged' ? `${r.repository}:${r.tag} already points at ${r.digest}` : `${r.repository}:${r.tag} -> ${r.digest}${r.previousDigest ? ` (moved from ${r.previousDigest})` : ''}`,
    },
    deps,
  );
}
