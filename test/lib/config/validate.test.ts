import { ENVIRONMENTS, EnvironmentConfig, selectEnvironments, SHARED } from '../../../lib/config';
import { validateEnvironment, validateEnvironments, validateShared } from '../../../lib/config/validate';

const dev = ENVIRONMENTS.dev;
const production = ENVIRONMENTS.production;

/** A copy of an environment with a deep change applied. */
function mutate(env: EnvironmentConfig, change: (e: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(env));
  change(copy);
  return copy;
}

describe('the shipped configuration', () => {
  test('every environment and the shared config are valid', () => {
    expect(() => validateEnvironments(Object.values(ENVIRONMENTS))).not.toThrow();
    expect(() => validateShared(SHARED)).not.toThrow();
  });

  test('web calls api by its name in its own environment\'s private zone', () => {
    for (const env of Object.values(ENVIRONMENTS)) {
      expect(env.services.find((s) => s.name === 'web')?.fleet.environment.API_URL).toBe(`http://api.${env.dnsZoneName}`);
    }
  });

  test('production spans three AZs with one NAT gateway each; dev two AZs and one NAT', () => {
    expect(production.vpc).toMatchObject({ maxAzs: 3, natGateways: 3 });
    expect(dev.vpc).toMatchObject({ maxAzs: 2, natGateways: 1 });
  });
});

describe('config errors are one line naming environment, field, value and the rule', () => {
  test.each<[string, (e: any) => void, RegExp]>([
    ['AZ count above range', (e) => (e.vpc.maxAzs = 5), /^config error in environment "dev": vpc\.maxAzs = 5: .*at most 3/],
    ['AZ count below range', (e) => (e.vpc.maxAzs = 1), /"dev": vpc\.maxAzs = 1: must be at least 2/],
    ['more NAT gateways than AZs', (e) => (e.vpc.natGateways = 3), /"dev": vpc\.natGateways = 3: must be at most vpc\.maxAzs \(2\)/],
    ['a CIDR that is not one', (e) => (e.vpc.cidr = '10.10.0.0'), /"dev": vpc\.cidr = "10\.10\.0\.0": must be an IPv4 CIDR/],
    ['a CIDR with host bits', (e) => (e.vpc.cidr = '10.10.1.0/16'), /"dev": vpc\.cidr = "10\.10\.1\.0\/16": must be a network address/],
    ['an unknown field', (e) => (e.vpc.natGateway = 1), /"dev": vpc\.natGateway = "set": is not a known field/],
    ['a wrong type', (e) => (e.vpc.isolatedSubnets = 'yes'), /"dev": vpc\.isolatedSubnets = "yes": must be boolean/],
    ['a bad network mode', (e) => (e.services[0].networkMode = 'nat'), /"dev": services\[web\]\.networkMode = "nat": must be one of "awsvpc", "host", "bridge"/],
    ['min tasks above max', (e) => (e.services[1].minTasks = 9), /"dev": services\[api\]\.minTasks = 9: must be at most maxTasks \(2\)/],
    ['allowFrom naming no service', (e) => (e.services[1].allowFrom = ['worker']), /"dev": services\[api\]\.allowFrom = "worker": must name a service of this environment \(web, api\)/],
    ['mixed CPU architectures', (e) => (e.services[0].fleet.instanceTypes = ['m7g.large', 'm6i.large']), /services\[web\]\.fleet\.instanceTypes = .*one CPU architecture/],
    ['a bad instance type', (e) => (e.services[0].overrides.green = { instanceTypes: ['large'] }), /services\[web\]\.overrides\.green\.instanceTypes\[0\] = "large": is not an EC2 instance type/],
    ['duplicate service names', (e) => (e.services[1].name = 'web'), /"dev": services\[web\]\.name = "web": must be unique/],
    ['a bad account id', (e) => (e.account = '1234'), /"dev": account = "1234": must be a 12-digit AWS account id/],
    ['Graviton a1 mixed with x86', (e) => (e.services[0].fleet.instanceTypes = ['a1.large', 'm5.large']), /services\[web\]\.fleet\.instanceTypes = .*one CPU architecture/],
    ['an invalid environment variable name', (e) => (e.services[1].fleet.environment = { '1BAD': 'x' }), /services\[api\]\.fleet\.environment = "1BAD": must be a valid environment variable name/],
    ['a secret-looking plain variable', (e) => (e.services[1].overrides.green = { environment: { DB_PASSWORD: 'hunter2' } }), /services\[api\]\.overrides\.green\.environment\.DB_PASSWORD = "\(value not shown\)": looks like a secret/],
    ['a name both plain and secret', (e) => (e.services[1].fleet.secrets = { LOG_LEVEL: 'ssm:/x' }), /services\[api\]\.fleet\.secrets\.LOG_LEVEL = "LOG_LEVEL": is also a plain environment variable/],
    ['a bake too short for the alarms', (e) => (e.services[1].bakeMinutes = 2), /services\[api\]\.bakeMinutes = 2: must be 0 \(no bake\) or at least 5/],
    ['a bake as long as the rollback window', (e) => (e.services[1].bakeMinutes = 15), /services\[api\]\.bakeMinutes = 15: must be shorter than rollbackWindowMinutes \(15\)/],
    ['a task larger than its instance', (e) => (e.services[1].fleet.cpu = 8192), /services\[api\]\.fleet\.cpu = 8192: a task does not fit on t3\.medium \(2 vCPU = 2048 units/],
    ['too few instances for the most tasks', (e) => ((e.services[1].maxTasks = 9), (e.services[1].fleet.maxInstances = 4)), /services\[api\]\.fleet\.maxInstances = 4: holds at most 8 tasks \(2 per t3\.medium, limited by network interfaces in awsvpc mode\); maxTasks is 9/],
    ['host mode: one task per instance', (e) => ((e.services[1].networkMode = 'host'), (e.services[1].maxTasks = 5)), /services\[api\]\.fleet\.maxInstances = 4: holds at most 4 tasks \(1 per t3\.medium\); maxTasks is 5/],
    ['calls both ways between two services', (e) => (e.services[0].allowFrom = ['api']), /allowFrom = "(web|api)": forms a cycle \((web -> api -> web|api -> web -> api)\)/],
  ])('%s', (_name, change, message) => {
    expect(() => validateEnvironment(mutate(dev, change))).toThrow(message);
  });

  test('schedules: bad cron, unknown time zone and min above max name the schedule', () => {
    const withSchedule = (s: object) => mutate(dev, (e) => (e.services[1].schedules = [{ name: 'push', cron: '50 9 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 1, maxTasks: 2, ...s }]));
    expect(() => validateEnvironment(withSchedule({ cron: '50 9 * * *' }))).toThrow(/services\[api\]\.schedules\[push\]\.cron = "50 9 \* \* \*": has 5 fields; AWS cron needs 6/);
    expect(() => validateEnvironment(withSchedule({ cron: '61 9 * * ? *' }))).toThrow(/schedules\[push\]\.cron = .*field minutes "61" is not valid/);
    expect(() => validateEnvironment(withSchedule({ cron: '0 9 * * MON *' }))).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => validateEnvironment(withSchedule({ timeZone: 'Asia/Nowhere' }))).toThrow(/schedules\[push\]\.timeZone = "Asia\/Nowhere": must be an IANA time zone/);
    expect(() => validateEnvironment(withSchedule({ minTasks: 3 }))).toThrow(/schedules\[push\]\.minTasks = 3: must be at most maxTasks \(2\)/);
    expect(() => validateEnvironment(withSchedule({ minTasks: 0 }))).toThrow(/schedules\[push\]\.minTasks = 0: must be at least 1: the live fleet never scales to zero/);
    expect(() => validateEnvironment(withSchedule({ maxTasks: 3 }))).toThrow(/schedules\[push\]\.maxTasks = 3: must be at most the service's maxTasks \(2\)/);
    expect(() => validateEnvironment(withSchedule({}))).not.toThrow();
  });

  test('release windows: duplicate names, and a cron the pre-warm cannot be moved back from', () => {
    const withWindows = (...w: object[]) => mutate(dev, (e) => (e.services[1].releaseWindows = w.map((x) => ({ name: 'w', cron: '0 11 ? * MON-THU *', timeZone: 'Asia/Tokyo', durationMinutes: 60, prewarmMinutes: 30, ...x }))));
    expect(() => validateEnvironment(withWindows({}))).not.toThrow();
    expect(() => validateEnvironment(withWindows({}, {}))).toThrow(/services\[api\]\.releaseWindows\[w\]\.name = "w": must be unique within the service/);
    expect(() => validateEnvironment(withWindows({ cron: '0 0 1 * ? *' }))).toThrow(/releaseWindows\[w\]\.cron = "0 0 1 \* \? \*": cannot be moved by -30 minutes/);
  });

  test('production must have one NAT gateway per AZ', () => {
    expect(() => validateEnvironment(mutate(production, (e) => (e.vpc.natGateways = 1)))).toThrow(
      /"production": vpc\.natGateways = 1: must equal vpc\.maxAzs \(3\) in production/,
    );
  });

  test('overlapping VPC ranges between environments name both', () => {
    const staging = mutate(ENVIRONMENTS.staging, (e) => (e.vpc.cidr = '10.10.0.0/17'));
    expect(() => validateEnvironments([dev, staging])).toThrow(
      /config error in environment "staging": vpc\.cidr = "10\.10\.0\.0\/17": must not overlap environment "dev" \(10\.10\.0\.0\/16\)/,
    );
  });

  test('a standard environment may not take the branch pool', () => {
    const table = { ...ENVIRONMENTS, load: mutate(ENVIRONMENTS.load, (e) => (e.vpc.cidr = '10.130.0.0/16')) };
    expect(() => selectEnvironments({ environments: table })).toThrow(/"load": vpc\.cidr = "10\.130\.0\.0\/16": must not overlap the branch environment pool 10\.128\.0\.0\/12/);
  });

  test('shared: replication to the home region is refused', () => {
    expect(() => validateShared({ ...SHARED, replicationRegion: SHARED.region })).toThrow(/"shared": replicationRegion = "ap-northeast-1": must differ from region/);
    expect(() => validateShared({ ...SHARED, githubRepository: 'nope' })).toThrow(/"shared": githubRepository = "nope": must be owner\/name/);
  });

  test('messages are a single line', () => {
    try {
      validateEnvironment(mutate(dev, (e) => (e.vpc.maxAzs = 9)));
      throw new Error('expected a config error');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('selecting environments', () => {
  test('no env selects shared and all four environments', () => {
    const selection = selectEnvironments({});
    expect(selection.shared).toBeDefined();
    expect(selection.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'production', 'load']);
  });

  test('one environment, a list, and shared alone', () => {
    expect(selectEnvironments({ env: 'staging' }).environments.map((e) => e.name)).toEqual(['staging']);
    expect(selectEnvironments({ env: 'staging' }).shared).toBeUndefined();
    expect(selectEnvironments({ env: 'dev,production' }).environments.map((e) => e.name)).toEqual(['dev', 'production']);
    const sharedOnly = selectEnvironments({ env: 'shared' });
    expect(sharedOnly.environments).toHaveLength(0);
    expect(sharedOnly.shared).toBeDefined();
  });

  test('an unknown environment name lists the known ones', () => {
    expect(() => selectEnvironments({ env: 'prod' })).toThrow(
      /config error in environment "prod": env = "prod": is not a known environment; use one of dev, staging, production, load, shared, branch, all/,
    );
  });

  test('a bad config in another environment still fails synth of one environment', () => {
    const table = { ...ENVIRONMENTS, load: mutate(ENVIRONMENTS.load, (e) => (e.vpc.maxAzs = 4)) };
    expect(() => selectEnvironments({ env: 'dev', environments: table })).toThrow(/"load": vpc\.maxAzs = 4/);
  });
});
