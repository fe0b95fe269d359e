import { branchCidr, branchSlug, ENVIRONMENTS, selectEnvironments } from '../../../lib/config';

/**
 * Bad configuration, table-driven: each case is refused with one ConfigError that names the
 * environment, the field (exactly) and the rule. The harness uses only selectEnvironments, so
 * the same file runs against older code to measure what it refused.
 */

type Env = Record<string, any>;
type Mutate = (e: Env) => void;

interface Case {
  readonly name: string;
  /** The environment the mutation applies to (branch cases derive from dev). */
  readonly env?: string;
  readonly mutate?: Mutate;
  readonly branch?: string | (() => string);
  readonly otherBranches?: () => string[];
  readonly environment: string | (() => string);
  readonly field: string | (() => string);
  readonly rule: RegExp;
}

const svc = (e: Env, name: string): Env => e.services.find((s: Env) => s.name === name);
const api = (change: (s: Env) => void): Mutate => (e) => change(svc(e, 'api'));
const web = (change: (s: Env) => void): Mutate => (e) => change(svc(e, 'web'));
const apiEnv = (vars: Record<string, string>): Mutate => api((s) => (s.fleet.environment = { ...s.fleet.environment, ...vars }));
const apiSecrets = (secrets: Record<string, string>): Mutate => api((s) => (s.fleet.secrets = secrets));
const tokyo = 'Asia/Tokyo';
const F = 'services[api].fleet';
const GH = `ghp_${'a1B2'.repeat(9)}`;

function instanceCases(): Case[] {
  const type = (t: string[], rule: RegExp, field = `${F}.instanceTypes[0]`): Case => ({
    name: `instance types ${JSON.stringify(t)}`, env: 'dev', mutate: api((s) => (s.fleet.instanceTypes = t)), environment: 'dev', field, rule,
  });
  return [
    type(['m6i.lrge'], /is not an EC2 instance type.*did you mean m6i\.large/),
    type(['t3.mediun'], /is not an EC2 instance type.*did you mean t3\.medium/),
    type(['M6i.large'], /is not an EC2 instance type.*did you mean m6i\.large/),
    type(['m7g.huge'], /is not an EC2 instance type/),
    type(['t3medium'], /is not an EC2 instance type/),
    type(['m9x.large'], /is not an EC2 instance type/),
    type([''], /must be an EC2 instance type/),
    type([' t3.medium'], /is not an EC2 instance type/),
    type(['t3.medium '], /is not an EC2 instance type/),
    type(['c7i.larg'], /is not an EC2 instance type.*did you mean c7i\.large/),
    type(['t3.medium', 't3.medium'], /is listed twice/, `${F}.instanceTypes[1]`),
    type(['m7g.large', 'm6i.large'], /must all share one CPU architecture/, `${F}.instanceTypes`),
    type(['t4g.medium', 't3.medium'], /must all share one CPU architecture/, `${F}.instanceTypes`),
    type(['c6gn.large', 'c5.large'], /must all share one CPU architecture/, `${F}.instanceTypes`),
    {
      name: 'a misspelt type in a green override', env: 'dev', mutate: api((s) => (s.overrides = { green: { instanceTypes: ['r7i.xxlarge'] } })),
      environment: 'dev', field: 'services[api].overrides.green.instanceTypes[0]', rule: /is not an EC2 instance type/,
    },
    {
      name: 'a misspelt type in a blue override', env: 'staging', mutate: web((s) => (s.overrides = { blue: { instanceTypes: ['m5.larg'] } })),
      environment: 'staging', field: 'services[web].overrides.blue.instanceTypes[0]', rule: /did you mean m5\.large/,
    },
  ];
}

function sizeCases(): Case[] {
  const size = (name: string, env: string, mutate: Mutate, field: string, rule: RegExp): Case => ({ name, env, mutate, environment: env, field, rule });
  return [
    size('a task with more CPU than t3.medium', 'dev', api((s) => (s.fleet.cpu = 4096)), `${F}.cpu`, /does not fit on t3\.medium \(2 vCPU = 2048 units\)/),
    size('a task with all of t3.medium\'s memory', 'dev', api((s) => (s.fleet.memoryMiB = 4096)), `${F}.memoryMiB`, /does not fit on t3\.medium .*registered by the ECS agent/),
    size('a task above the registered memory, below the installed', 'dev', api((s) => (s.fleet.memoryMiB = 4000)), `${F}.memoryMiB`, /does not fit on t3\.medium/),
    size('a blue override too big for its instance', 'dev', api((s) => (s.overrides = { blue: { memoryMiB: 8192 } })), 'services[api].overrides.blue.memoryMiB', /does not fit on t3\.medium/),
    size('production api CPU above m6i.large', 'production', api((s) => (s.fleet.cpu = 4096)), `${F}.cpu`, /does not fit on m6i\.large/),
    size('production web memory above the registered 7985 MiB', 'production', web((s) => (s.fleet.memoryMiB = 8000)), 'services[web].fleet.memoryMiB', /does not fit on m6i\.large/),
    size('1 GiB tasks on t3.nano', 'dev', api((s) => (s.fleet.instanceTypes = ['t3.nano'])), `${F}.memoryMiB`, /does not fit on t3\.nano/),
    size('1 GiB tasks on t3.micro', 'dev', api((s) => (s.fleet.instanceTypes = ['t3.micro'])), `${F}.memoryMiB`, /does not fit on t3\.micro/),
    size('too few instances for the most tasks', 'dev', api((s) => ((s.maxTasks = 9), (s.fleet.maxInstances = 4))), `${F}.maxInstances`, /holds at most 8 tasks/),
    size('host mode: one task per instance', 'dev', api((s) => ((s.networkMode = 'host'), (s.maxTasks = 5))), `${F}.maxInstances`, /holds at most 4 tasks \(1 per t3\.medium\)/),
    size('production api cannot reach its maxTasks', 'production', api((s) => (s.fleet.maxInstances = 2)), `${F}.maxInstances`, /holds at most 4 tasks.*maxTasks is 12/),
    size('task CPU beyond what ECS gives a task', 'dev', api((s) => (s.fleet.cpu = 200000)), `${F}.cpu`, /at most 196608/),
    size('task CPU below 128', 'dev', api((s) => (s.fleet.cpu = 64)), `${F}.cpu`, /128/),
    size('task memory below 128', 'dev', api((s) => (s.fleet.memoryMiB = 64)), `${F}.memoryMiB`, /128/),
    size('fractional CPU', 'dev', api((s) => (s.fleet.cpu = 512.5)), `${F}.cpu`, /int/),
    size('NaN memory', 'dev', api((s) => (s.fleet.memoryMiB = NaN)), `${F}.memoryMiB`, /number|NaN/),
    size('infinite CPU', 'dev', api((s) => (s.fleet.cpu = Infinity)), `${F}.cpu`, /int|number|finite/i),
    size('CPU as a string', 'dev', api((s) => (s.fleet.cpu = '512')), `${F}.cpu`, /must be number/),
    size('more tasks than an ECS service runs', 'dev', api((s) => (s.maxTasks = 10000)), 'services[api].maxTasks', /at most 5000/),
    size('more instances than an ECS cluster holds', 'dev', api((s) => ((s.fleet.maxInstances = 100000))), `${F}.maxInstances`, /at most 5000/),
    size('no instances at all', 'dev', api((s) => (s.fleet.maxInstances = 0)), `${F}.maxInstances`, /1/),
    size('spot above 100 %', 'dev', api((s) => (s.fleet.spotPercentage = 150)), `${F}.spotPercentage`, /100/),
    size('negative spot', 'dev', api((s) => (s.fleet.spotPercentage = -1)), `${F}.spotPercentage`, /0/),
    size('a port above 65535', 'dev', api((s) => (s.containerPort = 70000)), 'services[api].containerPort', /65535/),
    size('port 0', 'dev', api((s) => (s.containerPort = 0)), 'services[api].containerPort', /1/),
    size('a CPU target of 95 %', 'dev', api((s) => (s.cpuTargetPercent = 95)), 'services[api].cpuTargetPercent', /90/),
    size('a 2-minute rollback window', 'dev', api((s) => (s.rollbackWindowMinutes = 2)), 'services[api].rollbackWindowMinutes', /5/),
    size('a rollback window of 70 days', 'dev', api((s) => (s.rollbackWindowMinutes = 100000)), 'services[api].rollbackWindowMinutes', /1440/),
    size('a bake of 500 minutes', 'dev', api((s) => (s.bakeMinutes = 500)), 'services[api].bakeMinutes', /240/),
    size('log retention CloudWatch does not offer', 'dev', (e) => (e.logRetentionDays = 10), 'logRetentionDays', /one of the retention periods CloudWatch Logs accepts/),
    size('log retention of 0 days', 'dev', (e) => (e.logRetentionDays = 0), 'logRetentionDays', /1/),
    size('flow log retention CloudWatch does not offer', 'production', (e) => (e.vpc.flowLogRetentionDays = 4), 'vpc.flowLogRetentionDays', /one of the retention periods/),
    size('an image size budget of 0', 'dev', api((s) => (s.imageSizeBudgetMiB = 0)), 'services[api].imageSizeBudgetMiB', /1/),
    size('maxTasks 0', 'dev', api((s) => ((s.maxTasks = 0), (s.minTasks = 0))), 'services[api].minTasks', /1/),
  ];
}

function timeCases(): Case[] {
  const sched = (tz: string, rule: RegExp): Case => ({
    name: `schedule time zone ${JSON.stringify(tz)}`, env: 'production', mutate: api((s) => (s.schedules[0].timeZone = tz)),
    environment: 'production', field: 'services[api].schedules[morning-push].timeZone', rule,
  });
  const win = (tz: string, rule: RegExp): Case => ({
    name: `release window time zone ${JSON.stringify(tz)}`, env: 'production', mutate: api((s) => (s.releaseWindows[0].timeZone = tz)),
    environment: 'production', field: 'services[api].releaseWindows[weekday-morning].timeZone', rule,
  });
  const extraWindow = (w: Env): Mutate => api((s) => s.releaseWindows.push({ durationMinutes: 60, prewarmMinutes: 30, timeZone: tokyo, ...w }));
  return [
    sched('asia/tokyo', /exact case \(did you mean "Asia\/Tokyo"\?\)/),
    sched('ASIA/TOKYO', /exact case/),
    sched('Asia/tokyo', /exact case/),
    sched('utc', /exact case \(did you mean "UTC"\?\)/),
    sched('Asia/Nowhere', /must be an IANA time zone/),
    sched('JST', /Area\/City/),
    sched('+09:00', /must be an IANA time zone/),
    sched('', /must be an IANA time zone/),
    win('asia/tokyo', /exact case/),
    win('america/new_york', /exact case \(did you mean "America\/New_York"\?\)/),
    win('Europe/LONDON', /exact case/),
    {
      name: 'a second window inside the first', env: 'production', mutate: extraWindow({ name: 'late', cron: '30 12 ? * MON-THU *' }),
      environment: 'production', field: 'services[api].releaseWindows[late].cron', rule: /overlaps release window "weekday-morning"/,
    },
    {
      name: 'the same window written in UTC', env: 'production', mutate: extraWindow({ name: 'utc', cron: '30 2 ? * MON *', timeZone: 'UTC' }),
      environment: 'production', field: 'services[api].releaseWindows[utc].cron', rule: /overlaps release window "weekday-morning"/,
    },
    {
      name: 'two windows with one cron', env: 'production', mutate: extraWindow({ name: 'twin', cron: '0 11 ? * MON-THU *' }),
      environment: 'production', field: 'services[api].releaseWindows[twin].cron', rule: /overlaps/,
    },
    {
      name: 'a window longer than the gap to its next opening', env: 'staging', mutate: api((s) => (s.releaseWindows = [{ name: 'hourly', cron: '0 9,11,13 ? * MON *', timeZone: tokyo, durationMinutes: 150, prewarmMinutes: 10 }])),
      environment: 'staging', field: 'services[api].releaseWindows[hourly].durationMinutes', rule: /overlap itself/,
    },
    {
      name: 'web windows that overlap', env: 'production', mutate: web((s) => s.releaseWindows.push({ name: 'lunch', cron: '0 12 ? * MON *', timeZone: tokyo, durationMinutes: 30, prewarmMinutes: 10 })),
      environment: 'production', field: 'services[web].releaseWindows[lunch].cron', rule: /overlaps release window "weekday-morning"/,
    },
  ];
}

function secretCases(): Case[] {
  const plain = (name: string, vars: Record<string, string>, rule: RegExp, env = 'dev'): Case => ({
    name, env, mutate: apiEnv(vars), environment: env, field: `${F}.environment.${Object.keys(vars)[0]}`, rule,
  });
  const source = (name: string, value: string, rule: RegExp): Case => ({
    name, env: 'dev', mutate: apiSecrets({ DB_PASSWORD: value }), environment: 'dev', field: `${F}.secrets.DB_PASSWORD`, rule,
  });
  return [
    plain('an AWS key id named as one', { AWS_ACCESS_KEY_ID: 'x' }, /looks like a secret/),
    plain('an AWS access key value', { S3_ID: 'AKIAIOSFODNN7EXAMPLE' }, /holds a secret value: an AWS access key id/),
    plain('an STS key value', { STS: 'ASIAY34FZKBOKMUTVV7A' }, /AWS access key id/),
    plain('a GitHub token value', { GH: GH }, /GitHub token/),
    plain('a fine-grained GitHub token value', { GH2: `github_pat_11ABCDEFG0_${'x'.repeat(40)}` }, /GitHub fine-grained token/),
    plain('a Slack token value', { SLACK_HOOK: 'xoxb-123456789012-abcdefghijkl' }, /Slack token/),
    plain('a private key value', { TLS: '-----BEGIN PRIVATE KEY-----\nMIIE' }, /private key/),
    plain('a JWT value', { SESSION: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r' }, /JSON Web Token/),
    plain('a database URL with a password', { DATABASE_URL: 'postgres://app:s3cr3t@db.dev.internal/app' }, /URL with a password/),
    plain('a Redis URL with a password', { REDIS_URL: 'redis://:pw123@cache:6379' }, /URL with a password/),
    plain('a connection string with a password', { DSN: 'Server=db;Password=hunter2' }, /password assignment/),
    plain('password= in options', { OPTS: 'user=app password=hunter2' }, /password assignment/),
    plain('a random-looking value', { X: 'Zx8kQ2mN4pL7vR1tY6wE3sA9' }, /random-looking/),
    plain('AWS_SECRET by name', { AWS_SECRET: 'x' }, /looks like a secret/),
    plain('DB_PASS by name', { DB_PASS: 'x' }, /the word "PASS"/),
    plain('MYSQL_PWD by name', { MYSQL_PWD: 'x' }, /the word "PWD"/),
    plain('GOOGLE_CREDENTIALS by name', { GOOGLE_CREDENTIALS: 'x' }, /CREDENTIALS/),
    plain('dbPassword by name', { dbPassword: 'x' }, /PASSWORD/),
    plain('SMTP_PASSWD by name', { SMTP_PASSWD: 'x' }, /PASSWD/),
    plain('APIKEY by name', { APIKEY: 'x' }, /APIKEY/),
    plain('PGPASSWORD by name', { PGPASSWORD: 'x' }, /ends in "PASSWORD"/),
    plain('NPM_AUTH by name', { NPM_AUTH: 'x' }, /AUTH/),
    plain('a production URL with credentials', { API_URL: 'http://user:pass@api.production.internal' }, /URL with a password/, 'production'),
    {
      name: 'a token in a blue override', env: 'dev', mutate: api((s) => (s.overrides = { blue: { environment: { TOKEN: 'x' } } })),
      environment: 'dev', field: 'services[api].overrides.blue.environment.TOKEN', rule: /looks like a secret/,
    },
    source('a secret ARN of another account', 'arn:aws:secretsmanager:ap-northeast-1:999999999999:secret:db-AbCdEf', /in account 999999999999, not this environment's account 123456789012/),
    source('an SSM parameter ARN of another account', 'ssm:arn:aws:ssm:ap-northeast-1:999999999999:parameter/db', /in account 999999999999/),
    source('a secret ARN in the China partition of another account', 'arn:aws-cn:secretsmanager:cn-north-1:999999999999:secret:db', /in account 999999999999/),
    source('a secret ARN of this account', 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf', /must be the secret name, not its ARN/),
    source('an S3 ARN as a secret', 'arn:aws:s3:::bucket', /is not a Secrets Manager or SSM ARN/),
    source('a secret name with a space', 'db password', /must be a Secrets Manager secret name/),
    source('an empty SSM parameter name', 'ssm:', /must be ssm:<parameter name>/),
    source('the secret value itself instead of its name', GH, /is a secret value.*not the name of a secret/),
    {
      name: 'a foreign secret ARN in a green override', env: 'dev', mutate: api((s) => (s.overrides = { green: { secrets: { KEY: 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:k' } } })),
      environment: 'dev', field: 'services[api].overrides.green.secrets.KEY', rule: /in account 111122223333/,
    },
  ];
}

function branchCases(): Case[] {
  const bad = (branch: string, rule: RegExp): Case => ({ name: `branch ${JSON.stringify(branch)}`, branch, environment: 'branch', field: 'branch', rule });
  const collision = (): [string, string] => {
    const seen = new Map<string, string>();
    for (let i = 0; ; i++) {
      const b = `feature/b-${i}`;
      const cidr = branchCidr(branchSlug(b));
      if (seen.has(cidr)) return [b, seen.get(cidr)!];
      seen.set(cidr, b);
    }
  };
  return [
    bad('feature..x', /not a valid git branch name/),
    bad('feature/.hidden', /not a valid git branch name/),
    bad('feature/x.lock', /not a valid git branch name/),
    bad('feature x', /not a valid git branch name/),
    bad('feature~1', /not a valid git branch name/),
    bad('feature^', /not a valid git branch name/),
    bad('a:b', /not a valid git branch name/),
    bad('what?', /not a valid git branch name/),
    bad('star*', /not a valid git branch name/),
    bad('br[1]', /not a valid git branch name/),
    bad('back\\slash', /not a valid git branch name/),
    bad('/lead', /not a valid git branch name/),
    bad('trail/', /not a valid git branch name/),
    bad('dou//ble', /not a valid git branch name/),
    bad('end.', /not a valid git branch name/),
    bad('at@{x}', /not a valid git branch name/),
    bad('.hidden', /not a valid git branch name/),
    bad('-dash', /not a valid git branch name/),
    bad('HEAD', /not a valid git branch name/),
    bad('tab\tname', /not a valid git branch name/),
    bad('del\x7fname', /not a valid git branch name/),
    bad('   ', /is required with -c env=branch/),
    {
      name: 'a branch whose name is another branch\'s slug', branch: () => branchSlug('feature/Login_Page'), otherBranches: () => ['feature/Login_Page'],
      environment: () => `br-${branchSlug('feature/Login_Page')}`, field: 'branch', rule: /maps to the same stacks as branch "feature\/Login_Page"/,
    },
    {
      name: 'two branches with one VPC range', branch: () => collision()[0], otherBranches: () => [collision()[1]],
      environment: () => `br-${branchSlug(collision()[0])}`, field: 'vpc.cidr', rule: /is also the range of branch/,
    },
  ];
}

function otherCases(): Case[] {
  const c = (name: string, env: string, mutate: Mutate, field: string, rule: RegExp, environment = env): Case => ({ name, env, mutate, environment, field, rule });
  return [
    c('a region with no AZs in cdk.context.json', 'dev', (e) => (e.region = 'eu-west-1'), 'region', /has no availability zones in cdk\.context\.json/),
    c('an account with no AZs in cdk.context.json', 'production', (e) => {
      e.account = '999999999999';
      for (const s of e.services) s.certificateArn = s.certificateArn.replace('210987654321', '999999999999');
    }, 'region', /has no availability zones in cdk\.context\.json for account 999999999999/),
    c('staging on dev\'s range', 'staging', (e) => (e.vpc.cidr = '10.10.0.0/16'), 'vpc.cidr', /must not overlap environment "dev"/),
    c('a range inside the branch pool', 'load', (e) => (e.vpc.cidr = '10.130.0.0/16'), 'vpc.cidr', /branch environment pool/),
    c('five AZs', 'dev', (e) => (e.vpc.maxAzs = 5), 'vpc.maxAzs', /at most 3/),
    c('more NAT gateways than AZs', 'dev', (e) => (e.vpc.natGateways = 3), 'vpc.natGateways', /at most vpc\.maxAzs/),
    c('production with one NAT gateway', 'production', (e) => (e.vpc.natGateways = 1), 'vpc.natGateways', /must equal vpc\.maxAzs \(3\) in production/),
    c('a CIDR without a prefix', 'dev', (e) => (e.vpc.cidr = '10.10.0.0'), 'vpc.cidr', /must be an IPv4 CIDR/),
    c('a CIDR with host bits', 'dev', (e) => (e.vpc.cidr = '10.10.1.0/16'), 'vpc.cidr', /network address/),
    c('a misspelt field', 'dev', (e) => (e.vpc.natGateway = 1), 'vpc.natGateway', /is not a known field/),
    c('a boolean as a string', 'dev', (e) => (e.vpc.isolatedSubnets = 'yes'), 'vpc.isolatedSubnets', /must be boolean/),
    c('an unknown network mode', 'dev', api((s) => (s.networkMode = 'nat')), 'services[api].networkMode', /must be one of/),
    c('minTasks above maxTasks', 'dev', api((s) => (s.minTasks = 9)), 'services[api].minTasks', /at most maxTasks/),
    c('allowFrom naming no service', 'dev', api((s) => (s.allowFrom = ['worker'])), 'services[api].allowFrom', /must name a service/),
    c('two services named web', 'dev', api((s) => (s.name = 'web')), 'services[web].name', /unique/),
    c('a short account id', 'dev', (e) => (e.account = '1234'), 'account', /12-digit/),
    c('a region that is not one', 'dev', (e) => (e.region = 'tokyo'), 'region', /must be an AWS region/),
    c('a variable name starting with a digit', 'dev', apiEnv({ '1BAD': 'x' }), `${F}.environment`, /valid environment variable name/),
    c('a name both plain and secret', 'dev', api((s) => (s.fleet.secrets = { LOG_LEVEL: 'ssm:/x' })), `${F}.secrets.LOG_LEVEL`, /also a plain environment variable/),
    c('a bake too short for the alarms', 'dev', api((s) => (s.bakeMinutes = 2)), 'services[api].bakeMinutes', /at least 5/),
    c('a bake as long as the rollback window', 'dev', api((s) => (s.bakeMinutes = 15)), 'services[api].bakeMinutes', /shorter than rollbackWindowMinutes/),
    c('calls both ways', 'dev', web((s) => (s.allowFrom = ['api'])), 'services[web].allowFrom', /forms a cycle/),
    c('a five-field cron', 'production', api((s) => (s.schedules[0].cron = '50 9 * * *')), 'services[api].schedules[morning-push].cron', /has 5 fields/),
    c('a schedule that scales the live fleet to zero', 'production', api((s) => (s.schedules[0].minTasks = 0)), 'services[api].schedules[morning-push].minTasks', /never scales to zero/),
    c('a schedule above the service maximum', 'production', api((s) => (s.schedules[0].maxTasks = 40)), 'services[api].schedules[morning-push].maxTasks', /at most the service's maxTasks/),
    c('a zone name with an underscore', 'dev', (e) => (e.dnsZoneName = 'dev_internal'), 'dnsZoneName', /DNS name/),
    c('a health check path without a slash', 'dev', api((s) => (s.healthCheckPath = 'healthz')), 'services[api].healthCheckPath', /\//),
    c('an upper-case service name', 'dev', api((s) => (s.name = 'API')), 'services[API].name', /lowercase/),
    c('two schedules with one name', 'production', api((s) => s.schedules.push({ ...s.schedules[0] })), 'services[api].schedules[morning-push].name', /unique/),
    c('a pre-warm of 200 minutes', 'production', api((s) => (s.releaseWindows[0].prewarmMinutes = 200)), 'services[api].releaseWindows[weekday-morning].prewarmMinutes', /180/),
    c('production without a certificate', 'production', web((s) => delete s.certificateArn), 'services[web].certificateArn', /is required: production requires TLS.*web\.production\.internal in account 210987654321, ap-northeast-1/),
    c('requireTls on in dev without a certificate', 'dev', (e) => (e.requireTls = true), 'services[web].certificateArn', /is required: requireTls is on/),
    c('a certificate of another Region', 'production', web((s) => (s.certificateArn = s.certificateArn.replace('ap-northeast-1', 'us-east-1'))), 'services[web].certificateArn', /is in us-east-1, not this environment's Region ap-northeast-1/),
    c('a certificate of another account', 'production', api((s) => (s.certificateArn = s.certificateArn.replace('210987654321', '123456789012'))), 'services[api].certificateArn', /is in account 123456789012, not this environment's account 210987654321/),
    c('an IAM server certificate ARN', 'production', web((s) => (s.certificateArn = 'arn:aws:iam::210987654321:server-certificate/web')), 'services[web].certificateArn', /must be an ACM certificate ARN/),
    c('a certificate id, not its ARN', 'production', web((s) => (s.certificateArn = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9')), 'services[web].certificateArn', /must be an ACM certificate ARN/),
    c('requireTls as a string', 'production', (e) => (e.requireTls = 'yes'), 'requireTls', /must be boolean/),
    c('a 10-minute release window', 'production', api((s) => (s.releaseWindows[0].durationMinutes = 10)), 'services[api].releaseWindows[weekday-morning].durationMinutes', /15/),
  ];
}

export const CASES: Case[] = [...instanceCases(), ...sizeCases(), ...timeCases(), ...secretCases(), ...branchCases(), ...otherCases()];

function run(c: Case): void {
  if (c.branch !== undefined) {
    const branch = typeof c.branch === 'function' ? c.branch() : c.branch;
    selectEnvironments({ env: 'branch', branch, otherBranches: c.otherBranches?.() } as Parameters<typeof selectEnvironments>[0]);
    return;
  }
  // A JSON copy: structuredClone would keep the window objects production's services share.
  const mutated = JSON.parse(JSON.stringify(ENVIRONMENTS[c.env!])) as Env;
  c.mutate!(mutated);
  selectEnvironments({ environments: { ...ENVIRONMENTS, [c.env!]: mutated }, env: c.env });
}

function refusal(c: Case): { environment?: string; field?: string; message: string } {
  try {
    run(c);
  } catch (error) {
    const e = error as { environment?: string; field?: string; message: string };
    return { environment: e.environment, field: e.field, message: e.message.split('\n')[0] };
  }
  return { message: '(accepted)' };
}

describe('bad configuration is refused naming the environment, the field and the rule', () => {
  test('the table holds at least 100 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test('the shipped configuration passes, so each case fails by its own change', () => {
    expect(() => selectEnvironments({})).not.toThrow();
  });

  test.each(CASES.map((c) => ({ ...c, title: c.name })))('$title', (c) => {
    const environment = typeof c.environment === 'function' ? c.environment() : c.environment;
    const field = typeof c.field === 'function' ? c.field() : c.field;
    const got = refusal(c);
    expect(got).toEqual({ environment, field, message: expect.stringMatching(c.rule) });
    expect(got.message).toMatch(/^config error in environment "[^"]+": \S/);
    expect(got.message).not.toMatch(/\n/);
  });
});
