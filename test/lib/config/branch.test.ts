import { BRANCH_CIDR_POOL, branchCidr, branchSlug, ENVIRONMENTS, selectEnvironments } from '../../../lib/config';
import { cidrsOverlap } from '../../../lib/config/cidr';

describe('branch environments', () => {
  test('a branch name becomes a short, safe slug', () => {
    expect(branchSlug('feature/Login_Page')).toMatch(/^feature-login-[a-z0-9]{5}$/);
    expect(branchSlug('refs/heads/fix-123')).toBe('fix-123');
    expect(branchSlug('fix-123')).toBe('fix-123');
  });

  test('long names are cut to 20 characters with a hash, so two long branches differ', () => {
    const a = branchSlug('feature/a-very-long-branch-name-for-the-payment-service');
    const b = branchSlug('feature/a-very-long-branch-name-for-the-search-service');
    expect(a.length).toBeLessThanOrEqual(20);
    expect(b.length).toBeLessThanOrEqual(20);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });

  test.each([
    ['', /is required with -c env=branch/],
    ['has space', /is not a valid git branch name/],
    ['a..b', /is not a valid git branch name/],
    ['///', /is not a valid git branch name: must not start or end with "\/"/],
    ['_-_', /must contain a letter first/],
    ['123-fix', /must contain a letter first/],
  ])('bad branch name %j is refused', (branch, message) => {
    expect(() => branchSlug(branch)).toThrow(message);
  });

  test('the derived environment comes from dev, with its own names and a /20 in the branch pool', () => {
    const [env] = selectEnvironments({ env: 'branch', branch: 'feature/login' }).environments;
    const name = `br-${branchSlug('feature/login')}`;
    expect(name).toMatch(/^br-feature-login-[a-z0-9]{5}$/);
    expect(env.name).toBe(name);
    expect(env.branch).toBe('feature/login');
    expect(env.dnsZoneName).toBe(`${name}.internal`);
    expect(env.production).toBe(false);
    expect(env.account).toBe(ENVIRONMENTS.dev.account);
    expect(env.vpc.cidr).toMatch(/\/20$/);
    expect(cidrsOverlap(env.vpc.cidr, BRANCH_CIDR_POOL)).toBe(true);
    for (const other of Object.values(ENVIRONMENTS)) expect(cidrsOverlap(env.vpc.cidr, other.vpc.cidr)).toBe(false);
    expect(env.services.map((s) => s.name)).toEqual(ENVIRONMENTS.dev.services.map((s) => s.name));
    expect(env.services.find((s) => s.name === 'web')?.fleet.environment.API_URL).toBe(`http://api.${name}.internal`);
  });

  test('the CIDR is stable for a branch and spread across branches', () => {
    expect(branchCidr('feature-login')).toBe(branchCidr('feature-login'));
    const cidrs = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((s) => branchCidr(`feature-${s}`)));
    expect(cidrs.size).toBeGreaterThan(6);
  });

  test('branch without a branch name fails with a clear message', () => {
    expect(() => selectEnvironments({ env: 'branch' })).toThrow(/config error in environment "branch": branch = "\(missing\)"|is required with -c env=branch/);
  });
});
