import { deriveBranchEnvironment } from './branch';
import { dev } from './environments/dev';
import { load } from './environments/load';
import { production } from './environments/production';
import { shared } from './environments/shared';
import { staging } from './environments/staging';
import { EnvironmentConfig, SharedConfig, STANDARD_ENVIRONMENTS } from './schema';
import { ConfigError, validateEnvironments, validateShared } from './validate';
import { BRANCH_CIDR_POOL } from './branch';
import { cidrsOverlap } from './cidr';

export * from './schema';
export { ConfigError } from './validate';
export { branchSlug, branchCidr, deriveBranchEnvironment, BRANCH_CIDR_POOL } from './branch';

/** The environments this repository deploys, by name. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = { dev, staging, production, load };
export const SHARED: SharedConfig = shared;

export interface Selection {
  /** Synthesize the account-level shared stacks. */
  readonly shared: SharedConfig | undefined;
  readonly environments: readonly EnvironmentConfig[];
}

export interface SelectionInput {
  /** `-c env=`: an environment name, a comma list, `shared`, `branch`, or `all` / unset for everything. */
  readonly env?: string;
  /** `-c branch=`: the git branch of a branch environment. */
  readonly branch?: string;
  /** Override the environment table (tests, generated configs in benchmarks). */
  readonly environments?: Readonly<Record<string, unknown>>;
  readonly sharedConfig?: unknown;
}

/**
 * Decides what the app synthesizes from the `env` and `branch` context values, and validates
 * every selected config (all standard environments are validated together, so overlapping
 * ranges are caught whichever one is selected).
 */
export function selectEnvironments(input: SelectionInput = {}): Selection {
  const table = input.environments ?? ENVIRONMENTS;
  const all = validateEnvironments(Object.values(table));
  for (const env of all) {
    if (cidrsOverlap(env.vpc.cidr, BRANCH_CIDR_POOL)) {
      throw new ConfigError(env.name, 'vpc.cidr', env.vpc.cidr, `must not overlap the branch environment pool ${BRANCH_CIDR_POOL}`);
    }
  }
  const sharedConfig = validateShared(input.sharedConfig ?? SHARED);
  const byName = new Map(all.map((e) => [e.name, e]));
  const requested = (input.env ?? 'all').trim();
  if (requested === 'all' || requested === '') return { shared: sharedConfig, environments: all };
  if (requested === 'branch') {
    const base = byName.get('dev');
    if (!base) throw new ConfigError('branch', 'env', 'branch', 'needs a "dev" environment to derive from');
    const [branchEnv] = validateEnvironments([deriveBranchEnvironment(base, input.branch ?? '')]);
    return { shared: undefined, environments: [branchEnv] };
  }
  const names = requested.split(',').map((n) => n.trim());
  const known = [...byName.keys(), 'shared', 'branch', 'all'];
  const environments: EnvironmentConfig[] = [];
  for (const name of names) {
    if (name === 'shared') continue;
    const env = byName.get(name);
    if (!env) throw new ConfigError(name, 'env', name, `is not a known environment; use one of ${known.join(', ')}`);
    environments.push(env);
  }
  return { shared: names.includes('shared') ? sharedConfig : undefined, environments };
}

export { STANDARD_ENVIRONMENTS };
