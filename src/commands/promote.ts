import { SHARED } from '../../lib/config';
import type { PromoteCommandOptions } from './promote.options';
import { CommandDeps, runCommand } from '../release/runtime/cli-runtime';
import { fleet } from '../release/core/stack-state';
import { parseImageRef, parseRepository, registryParts } from '../release/steps/image';
import { promote } from '../release/commands/promote';
import { readStack } from '../release/state/stack';
import { resolveTarget } from '../release/runtime/target';

export type { PromoteCommandOptions };

/** `bluegreen-fleet promote`: tag a digest in ECR without pulling or pushing. */
export function runPromote(options: PromoteCommandOptions, deps?: CommandDeps): Promise<number> {
  const ref = parseImageRef(options.image);
  const given = options.repository ? parseRepository(options.repository) : undefined;
  return runCommand(
    {
      name: 'promote',
      json: options.json,
      region: () => registryParts(ref.registry ?? given?.registry ?? '')?.region ?? (options.env ? resolveTarget({ env: options.env, service: options.service }).region : SHARED.region),
      run: async (ctx) => {
        let registry = ref.registry ?? given?.registry;
        let repository = ref.repository ?? given?.repository;
        if ((!registry || !repository) && options.env) {
          const target = resolveTarget({ env: options.env, service: options.service });
          const state = await readStack(ctx, target.stackName);
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
