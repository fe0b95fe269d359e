import { z } from 'zod';
import { cronProblem } from '../../constructs/common/schedule-expression';
import { shiftCron } from '../../constructs/schedule/cron-shift';
import { cidrsOverlap, isNetworkAddress } from './cidr';
import { ConfigError, Fail, failIn } from './error';
import { checkFleetSpec, MAX_TASKS_PER_SERVICE } from './fleet-checks';
import { checkReleaseWindowOverlap, timeZoneProblem } from './schedule-checks';
import { checkEnvironmentVariables, checkSecretSources } from './secret-checks';
import {
  EnvironmentConfig,
  environmentConfigSchema,
  FleetSpec,
  ServiceConfig,
  SharedConfig,
  sharedConfigSchema,
} from './schema';

export { ConfigError } from './error';

function pathOf(path: readonly PropertyKey[], root: unknown): string {
  let node: unknown = root;
  let out = '';
  for (const key of path) {
    // Name array elements by their `name` field where they have one: services[api] beats services[1].
    if (typeof key === 'number' && Array.isArray(node)) {
      const element = node[key] as { name?: unknown } | undefined;
      out += typeof element?.name === 'string' ? `[${element.name}]` : `[${key}]`;
    } else {
      out += out ? `.${String(key)}` : String(key);
    }
    node = node === undefined || node === null ? undefined : (node as Record<PropertyKey, unknown>)[key];
  }
  return out || '(root)';
}

function valueAt(path: readonly PropertyKey[], root: unknown): unknown {
  return path.reduce<unknown>((node, key) => (node === undefined || node === null ? undefined : (node as Record<PropertyKey, unknown>)[key]), root);
}

function fromZod(environment: string, error: z.ZodError, input: unknown): ConfigError {
  const issue = error.issues[0];
  let allowed = issue.message;
  if (issue.code === 'unrecognized_keys') {
    return new ConfigError(environment, pathOf(issue.path, input) === '(root)' ? issue.keys.join(',') : `${pathOf(issue.path, input)}.${issue.keys.join(',')}`, 'set', 'is not a known field; check the spelling against lib/config/schema.ts');
  }
  if (issue.code === 'invalid_type') allowed = `must be ${issue.expected}`;
  if (issue.code === 'invalid_value' && 'values' in issue) allowed = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return new ConfigError(environment, pathOf(issue.path, input), valueAt(issue.path, input), allowed);
}

function effectiveSpecs(service: ServiceConfig): Array<[string, FleetSpec]> {
  return [
    ['fleet', service.fleet],
    ['overrides.blue', { ...service.fleet, ...service.overrides.blue }],
    ['overrides.green', { ...service.fleet, ...service.overrides.green }],
  ];
}

/** The rules a schema cannot say alone: relations between fields. */
function checkRelations(env: EnvironmentConfig): void {
  const fail = failIn(env.name);
  for (const [field, days] of [['logRetentionDays', env.logRetentionDays], ['vpc.flowLogRetentionDays', env.vpc.flowLogRetentionDays]] as const) {
    if (!LOG_RETENTION_DAYS.includes(days)) fail(field, days, `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  if (!isNetworkAddress(env.vpc.cidr)) {
    fail('vpc.cidr', env.vpc.cidr, 'must be a network address (no host bits set), e.g. 10.10.0.0/16');
  }
  if (env.vpc.natGateways > env.vpc.maxAzs) {
    fail('vpc.natGateways', env.vpc.natGateways, `must be at most vpc.maxAzs (${env.vpc.maxAzs}): one NAT gateway per AZ is the most that helps`);
  }
  if (env.production && env.vpc.natGateways < env.vpc.maxAzs) {
    fail('vpc.natGateways', env.vpc.natGateways, `must equal vpc.maxAzs (${env.vpc.maxAzs}) in production, so losing one AZ does not cut the others off`);
  }
  const names = new Set<string>();
  for (const service of env.services) {
    const at = `services[${service.name}]`;
    if (names.has(service.name)) fail(`${at}.name`, service.name, 'must be unique within the environment');
    names.add(service.name);
    if (service.minTasks > service.maxTasks) fail(`${at}.minTasks`, service.minTasks, `must be at most maxTasks (${service.maxTasks})`);
    if (service.maxTasks > MAX_TASKS_PER_SERVICE) fail(`${at}.maxTasks`, service.maxTasks, `must be at most ${MAX_TASKS_PER_SERVICE}, the ECS limit of tasks per service`);
    for (const [where, spec] of effectiveSpecs(service)) {
      checkEnvironmentVariables(`${at}.${where}`, spec, fail);
      checkSecretSources(env, `${at}.${where}`, spec, fail);
    }
    for (const [where, spec] of effectiveSpecs(service)) checkFleetSpec(service, where, spec, fail);
    checkCertificate(env, service, fail);
    if (service.bakeMinutes !== 0 && service.bakeMinutes < MIN_BAKE_MINUTES) {
      fail(`${at}.bakeMinutes`, service.bakeMinutes, `must be 0 (no bake) or at least ${MIN_BAKE_MINUTES}: the fleet alarms need ${MIN_BAKE_MINUTES} minutes of data to fire`);
    }
    if (service.bakeMinutes >= service.rollbackWindowMinutes) {
      fail(`${at}.bakeMinutes`, service.bakeMinutes, `must be shorter than rollbackWindowMinutes (${service.rollbackWindowMinutes}), or the previous fleet cools while the bake still watches`);
    }
    const scheduleNames = new Set<string>();
    for (const schedule of service.schedules) {
      const sAt = `${at}.schedules[${schedule.name}]`;
      if (scheduleNames.has(schedule.name)) fail(`${sAt}.name`, schedule.name, 'must be unique within the service');
      scheduleNames.add(schedule.name);
      const problem = cronProblem(schedule.cron);
      if (problem) fail(`${sAt}.cron`, schedule.cron, problem);
      const zone = timeZoneProblem(schedule.timeZone);
      if (zone) fail(`${sAt}.timeZone`, schedule.timeZone, zone);
      if (schedule.minTasks > schedule.maxTasks) fail(`${sAt}.minTasks`, schedule.minTasks, `must be at most maxTasks (${schedule.maxTasks})`);
      if (schedule.maxTasks > service.maxTasks) fail(`${sAt}.maxTasks`, schedule.maxTasks, `must be at most the service's maxTasks (${service.maxTasks})`);
    }
    const windowNames = new Set<string>();
    for (const window of service.releaseWindows) {
      const wAt = `${at}.releaseWindows[${window.name}]`;
      if (windowNames.has(window.name)) fail(`${wAt}.name`, window.name, 'must be unique within the service');
      windowNames.add(window.name);
      const problem = cronProblem(window.cron);
      if (problem) fail(`${wAt}.cron`, window.cron, problem);
      // The pre-warm and the window's end are scheduled by moving this cron; refuse what cannot be moved.
      for (const minutes of [-window.prewarmMinutes, window.durationMinutes]) {
        try {
          shiftCron(window.cron, minutes);
        } catch (error) {
          fail(`${wAt}.cron`, window.cron, (error as Error).message.replace(/^cannot move "[^"]*"/, 'cannot be moved'));
        }
      }
      const zone = timeZoneProblem(window.timeZone);
      if (zone) fail(`${wAt}.timeZone`, window.timeZone, zone);
    }
    checkReleaseWindowOverlap(at, service.releaseWindows, fail);
  }
  for (const service of env.services) {
    for (const caller of service.allowFrom) {
      if (caller === service.name) fail(`services[${service.name}].allowFrom`, caller, 'must not name the service itself');
      if (!names.has(caller)) fail(`services[${service.name}].allowFrom`, caller, `must name a service of this environment (${[...names].join(', ') || 'none'})`);
    }
  }
  const cycle = allowFromCycle(env.services);
  if (cycle) {
    fail(`services[${cycle[0]}].allowFrom`, cycle[1], `forms a cycle (${cycle.join(' -> ')}): each service stack would need the other's security group first; let calls go one way`);
  }
}

/** `arn:<partition>:acm:<region>:<account>:certificate/<id>` (ACM ARN format,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html#awscertificatemanager-resources-for-iam-policies). */
const CERTIFICATE_ARN = /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/**
 * The listeners' certificate: an ACM certificate of the environment's own Region ("Certificates in
 * ACM are regional resources ... You cannot copy a certificate between regions",
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html) and account (the load
 * balancer's account: ACM offers no sharing of a certificate with another account's load
 * balancer; assumed from the ACM user guide, which documents none). Required under requireTls.
 */
function checkCertificate(env: EnvironmentConfig, service: ServiceConfig, fail: Fail): void {
  const field = `services[${service.name}].certificateArn`;
  const arn = service.certificateArn;
  if (arn === undefined) {
    if (env.requireTls ?? env.production) {
      fail(
        field,
        '(unset)',
        `is required: ${env.requireTls === undefined ? 'production requires TLS on its listeners (requireTls follows production)' : 'requireTls is on'}; request or import an ACM certificate for ${service.name}.${env.dnsZoneName} in account ${env.account}, ${env.region}, and put its ARN here`,
      );
    }
    return;
  }
  const m = CERTIFICATE_ARN.exec(arn);
  if (!m) {
    fail(field, arn, 'must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>');
    return;
  }
  const [, , region, account] = m;
  if (region !== env.region) fail(field, arn, `is in ${region}, not this environment's Region ${env.region}: a load balancer uses only certificates of its own Region; request or import one in ${env.region}`);
  if (account !== env.account) fail(field, arn, `is in account ${account}, not this environment's account ${env.account}: a load balancer uses only its own account's certificates; request or import one in ${env.account}`);
}

/** A cycle in "may call" (callee lists caller in allowFrom), as the names along it, or undefined. */
function allowFromCycle(services: readonly ServiceConfig[]): string[] | undefined {
  const callers = new Map(services.map((s) => [s.name, s.allowFrom]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    if (state.get(name) === 'done') return undefined;
    state.set(name, 'visiting');
    for (const caller of callers.get(name) ?? []) {
      const found = visit(caller, [...path, name]);
      if (found) return found;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const s of services) {
    const found = visit(s.name, []);
    if (found) return found;
  }
  return undefined;
}

/** The fleet alarms evaluate over five one-minute periods. */
const MIN_BAKE_MINUTES = 5;

/** The values PutRetentionPolicy accepts for `retentionInDays`
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Validates one environment's config; throws a ConfigError naming the first problem. */
export function validateEnvironment(input: unknown): EnvironmentConfig {
  const name = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : '(unnamed)';
  const parsed = environmentConfigSchema.safeParse(input);
  if (!parsed.success) throw fromZod(name, parsed.error, input);
  checkRelations(parsed.data);
  return parsed.data;
}

/** Validates a set of environments, including that no two VPC ranges overlap. */
export function validateEnvironments(inputs: readonly unknown[]): EnvironmentConfig[] {
  const envs = inputs.map(validateEnvironment);
  const seen = new Map<string, EnvironmentConfig>();
  for (const env of envs) {
    if (seen.has(env.name)) throw new ConfigError(env.name, 'name', env.name, 'must be unique across environments');
    for (const other of seen.values()) {
      if (cidrsOverlap(env.vpc.cidr, other.vpc.cidr)) {
        throw new ConfigError(env.name, 'vpc.cidr', env.vpc.cidr, `must not overlap environment "${other.name}" (${other.vpc.cidr}); pick a free range`);
      }
    }
    seen.set(env.name, env);
  }
  return envs;
}

export function validateShared(input: unknown): SharedConfig {
  const parsed = sharedConfigSchema.safeParse(input);
  if (!parsed.success) throw fromZod('shared', parsed.error, input);
  if (parsed.data.replicationRegion === parsed.data.region) {
    throw new ConfigError('shared', 'replicationRegion', parsed.data.replicationRegion, 'must differ from region (replication to the same region adds nothing)');
  }
  return parsed.data;
}
