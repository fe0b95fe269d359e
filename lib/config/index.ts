import * as fs from 'fs';
import * as path from 'path';
import { checkBranchCidr, deriveBranchEnvironment } from './branch';
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
export { branchSlug, branchCidr, branchNameProblem, checkBranchCidr, deriveBranchEnvironment, BRANCH_CIDR_POOL } from './branch';

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
  /** `-c branches=`: the other live branch environments (comma list), whose VPC ranges a new branch must not take. */
  readonly otherBranches?: string | readonly string[];
  /**
   * The availability zones CDK will use for an account and Region, as `cdk.context.json` records
   * them under `availability-zones:account=<account>:region=<region>`.
   * @default - read from the cdk.context.json next to the project's cdk.json
   */
  readonly availabilityZones?: (account: string, region: string) => readonly string[] | undefined;
}

/** The committed cdk.context.json, found from this file up to the folder that holds cdk.json. */
function committedContext(): Record<string, unknown> {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) {
      const file = path.join(dir, 'cdk.context.json');
      return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    }
  }
  return {};
}

function contextZones(): (account: string, region: string) => readonly string[] | undefined {
  const context = committedContext();
  return (account, region) => {
    const zones = context[`availability-zones:account=${account}:region=${region}`];
    return Array.isArray(zones) ? (zones as string[]) : undefined;
  };
}

/**
 * A stack with a fixed account and Region takes its AZs from the context; offline, a missing
 * entry makes CDK fall back to dummy AZs (or fail on a lookup), so refuse it here
 * (https://docs.aws.amazon.com/cdk/v2/guide/context.html#context-methods).
 */
function checkAvailabilityZones(env: EnvironmentConfig, zonesOf: (account: string, region: string) => readonly string[] | undefined): void {
  const zones = zonesOf(env.account, env.region);
  const key = `availability-zones:account=${env.account}:region=${env.region}`;
  if (!zones || zones.length === 0) {
    throw new ConfigError(env.name, 'region', env.region, `has no availability zones in cdk.context.json for account ${env.account} ("${key}"); run \`cdk context\` with credentials for that account or add the entry`);
  }
  if (zones.length < env.vpc.maxAzs) {
    throw new ConfigError(env.name, 'vpc.maxAzs', env.vpc.maxAzs, `is more than the ${zones.length} availability zones cdk.context.json records for ${env.region} in account ${env.account}`);
  }
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
  const zonesOf = input.availabilityZones ?? contextZones();
  for (const env of all) checkAvailabilityZones(env, zonesOf);
  const sharedConfig = validateShared(input.sharedConfig ?? SHARED);
  const byName = new Map(all.map((e) => [e.name, e]));
  const requested = (input.env ?? 'all').trim();
  if (requested === 'all' || requested === '') return { shared: sharedConfig, environments: all };
  if (requested === 'branch') {
    const base = byName.get('dev');
    if (!base) throw new ConfigError('branch', 'env', 'branch', 'needs a "dev" environment to derive from');
    const [branchEnv] = validateEnvironments([deriveBranchEnvironment(base, input.branch ?? '')]);
    const others = typeof input.otherBranches === 'string' ? input.otherBranches.split(',') : (input.otherBranches ?? []);
    checkBranchCidr(input.branch ?? '', others.map((b) => b.trim()).filter(Boolean));
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
