import { formatCidr, parseCidr } from './cidr';
import { ConfigError } from './validate';
import { EnvironmentConfig } from './schema';

/** Branch environments take a /20 out of this pool, which no standard environment may use. */
export const BRANCH_CIDR_POOL = '10.128.0.0/12';
const BRANCH_PREFIX = 20;
const MAX_SLUG = 20;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Turns a git branch name into a short DNS- and CloudFormation-safe slug: lowercase letters,
 * digits and dashes, at most 20 characters. A truncated name keeps a hash suffix so two long
 * branches with the same start do not collide.
 */
export function branchSlug(branch: string): string {
  if (!branch || !branch.trim()) {
    throw new ConfigError('branch', 'branch', branch, 'is required with -c env=branch; pass -c branch=<git branch name>');
  }
  if (branch.length > 200 || /[\s~^:?*[\\]|\.\.|@\{/.test(branch)) {
    throw new ConfigError('branch', 'branch', branch, 'is not a valid git branch name (no spaces, ~ ^ : ? * [ \\ or "..")');
  }
  const cleaned = branch
    .toLowerCase()
    .replace(/^refs\/heads\//, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!cleaned || !/^[a-z]/.test(cleaned)) {
    throw new ConfigError('branch', 'branch', branch, 'must contain a letter first after removing symbols (e.g. feature/login)');
  }
  if (cleaned.length <= MAX_SLUG) return cleaned;
  const suffix = fnv1a(cleaned).toString(36).slice(0, 5);
  return `${cleaned.slice(0, MAX_SLUG - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** The /20 a branch gets: chosen by a hash of its slug, so it is stable across synths. */
export function branchCidr(slug: string): string {
  const pool = parseCidr(BRANCH_CIDR_POOL);
  const slots = (pool.last - pool.first + 1) / 2 ** (32 - BRANCH_PREFIX);
  const slot = fnv1a(slug) % slots;
  return formatCidr(pool.first + slot * 2 ** (32 - BRANCH_PREFIX), BRANCH_PREFIX);
}

function inZone(environment: Readonly<Record<string, string>>, from: string, to: string): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v.split(`.${from}`).join(`.${to}`)]));
}

/**
 * A short-lived environment derived from `dev`: its own VPC range and names, one NAT gateway,
 * short log retention, the smallest fleets.
 */
export function deriveBranchEnvironment(dev: EnvironmentConfig, branch: string): EnvironmentConfig {
  const slug = branchSlug(branch);
  const name = `br-${slug}`;
  return {
    ...dev,
    name,
    branch,
    production: false,
    vpc: { ...dev.vpc, cidr: branchCidr(slug), maxAzs: 2, natGateways: 1, flowLogRetentionDays: 3 },
    dnsZoneName: `${name}.internal`,
    logRetentionDays: 3,
    services: dev.services.map((s) => ({
      ...s,
      minTasks: 1,
      maxTasks: Math.min(s.maxTasks, 2),
      schedules: [],
      releaseWindows: [],
      rollbackWindowMinutes: 5,
      bakeMinutes: 0,
      // Names in dev's private zone (e.g. API_URL=http://api.dev.internal) point at the branch's zone.
      fleet: { ...s.fleet, environment: inZone(s.fleet.environment, dev.dnsZoneName, `${name}.internal`) },
    })),
  };
}
