import { formatCidr, parseCidr } from './cidr';
import { ConfigError } from './error';
import { EnvironmentConfig } from './schema';

/** Branch environments take a /20 out of this pool, which no standard environment may use. */
export const BRANCH_CIDR_POOL = '10.128.0.0/12';
const BRANCH_PREFIX = 20;
const MAX_SLUG = 20;
const HASH_LENGTH = 5;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Why git would refuse `name` as a branch name, or undefined. The rules of
 * `git check-ref-format --branch` (https://git-scm.com/docs/git-check-ref-format), checked on
 * `refs/heads/<name>`: no component starts with "." or ends with ".lock"; no ".."; no control
 * character, space, ~ ^ : ? * [ or \; no leading, trailing or doubled "/"; no trailing "."; no
 * "@{"; and, for --branch, not starting with "-" and not "HEAD" ("@" alone is refused only as a
 * whole ref name, so refs/heads/@ is a valid branch).
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name === 'HEAD') return 'must not be HEAD';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'must not contain ".."';
  if (name.includes('@{')) return 'must not contain "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'must not start or end with "/" or contain "//"';
  if (name.endsWith('.')) return 'must not end with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `must not have a part starting with "." ("${part}")`;
    if (part.endsWith('.lock')) return `must not have a part ending in ".lock" ("${part}")`;
  }
  return undefined;
}

/**
 * Turns a git branch name into a short DNS- and CloudFormation-safe slug: lowercase letters,
 * digits and dashes, at most 20 characters. Whenever that loses anything (case, a symbol, the
 * tail), a hash of the full name is appended, so `feature/login` and `feature-login`, or
 * `Fix` and `fix`, never share stacks.
 */
export function branchSlug(branch: string): string {
  if (!branch || !branch.trim()) {
    throw new ConfigError('branch', 'branch', branch, 'is required with -c env=branch; pass -c branch=<git branch name>');
  }
  const name = branch.replace(/^refs\/heads\//, '');
  const problem = name.length > 200 ? 'must be at most 200 characters' : branchNameProblem(name);
  if (problem) throw new ConfigError('branch', 'branch', branch, `is not a valid git branch name: ${problem} (git check-ref-format --branch)`);
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!cleaned || !/^[a-z]/.test(cleaned)) {
    throw new ConfigError('branch', 'branch', branch, 'must contain a letter first after removing symbols (e.g. feature/login)');
  }
  if (cleaned === name && cleaned.length <= MAX_SLUG) return cleaned;
  const suffix = fnv1a(name).toString(36).padStart(HASH_LENGTH, '0').slice(0, HASH_LENGTH);
  return `${cleaned.slice(0, MAX_SLUG - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** The /20 a branch gets: chosen by a hash of its slug, so it is stable across synths. */
export function branchCidr(slug: string): string {
  const pool = parseCidr(BRANCH_CIDR_POOL);
  const slots = (pool.last - pool.first + 1) / 2 ** (32 - BRANCH_PREFIX);
  const slot = fnv1a(slug) % slots;
  return formatCidr(pool.first + slot * 2 ** (32 - BRANCH_PREFIX), BRANCH_PREFIX);
}

/**
 * Refuses a branch whose /20 is already another branch's: the pool holds 256 ranges, so two
 * live branches meet by chance (one in 256 per pair). `others` are the other live branches.
 */
export function checkBranchCidr(branch: string, others: readonly string[]): void {
  const slug = branchSlug(branch);
  const cidr = branchCidr(slug);
  for (const other of others) {
    const otherSlug = branchSlug(other);
    if (otherSlug === slug) {
      if (other.replace(/^refs\/heads\//, '') === branch.replace(/^refs\/heads\//, '')) continue;
      throw new ConfigError(`br-${slug}`, 'branch', branch, `maps to the same stacks as branch "${other}" (br-${slug}); rename one of them`);
    }
    if (branchCidr(otherSlug) === cidr) {
      throw new ConfigError(`br-${slug}`, 'vpc.cidr', cidr, `is also the range of branch "${other}" (br-${otherSlug}): two branch VPCs would overlap; rename this branch`);
    }
  }
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
