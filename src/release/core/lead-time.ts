import type { Color } from '../../../constructs/contract';

/**
 * How long a release takes, phase by phase, from the service's own settings (read from its stack's
 * template and ReleaseSettings) and AWS's documented behaviour. Pure: `deploy --dry-run` prints it,
 * test/release/lead-time.test.ts checks it against the AWS model's clock, BENCHMARKS.md lists the
 * sources. Each number is a range in seconds; where AWS documents no duration the range is ours and
 * its `source` says `assumed:`.
 */

/** A duration AWS (or our assumption) gives, in seconds. */
export interface Latency {
  readonly low: number;
  readonly high: number;
  readonly source: string;
}

/** The durations the phases are built from that are not settings of the service. */
export interface Latencies {
  /** UpdateStack until CloudFormation has registered the task definition and updated the ECS service. */
  readonly stackUpdate: Latency;
  /** Cluster auto scaling notices the tasks it cannot place and raises the group's desired capacity. */
  readonly scaleOutDecision: Latency;
  /** EC2 launch, boot of the ECS-optimized AMI, and the ECS agent registering the container instance. */
  readonly instanceLaunch: Latency;
  /** A placed task until RUNNING: image pull and container start. */
  readonly taskStart: Latency;
  /** The smoke-check Lambda's invocation (VPC function, possibly a cold start), without its request. */
  readonly smokeInvoke: Latency;
  /** UpdateStack of LiveColor until the production listener forwards to the new fleet. */
  readonly listenerSwap: Latency;
  /** One ModifyListener (the rollback's fast path) until new connections reach the previous fleet. */
  readonly modifyListener: Latency;
}

/**
 * What AWS documents, and what we assume where it documents no number (BENCHMARKS.md, "The
 * release's own lead time", lists the same sources).
 */
export const AWS_LATENCIES: Latencies = {
  stackUpdate: {
    low: 10,
    high: 60,
    source: 'assumed: CloudFormation documents no duration for a parameter-only update (a task definition revision, then the ECS service and scalable target)',
  },
  scaleOutDecision: {
    low: 60,
    high: 180,
    // Cluster auto scaling acts on the CapacityProviderReservation metric through CloudWatch
    // alarms, so it "has inherent latency associated with publishing the CloudWatch metrics, the
    // time taken for the metric CapacityProviderReservation to breach CloudWatch alarms" (the
    // page gives no number; a metric per minute and a one-minute alarm is the low end, assumed).
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/capacity-cluster-speed-up-ec2.html (latency named, no number; 1-3 min assumed)',
  },
  instanceLaunch: {
    low: 60,
    high: 240,
    // The same page names "the time taken by a newly launched Amazon EC2 instance to warm-up";
    // EC2 documents no launch time. The ECS agent registers the instance when it starts
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_container_instance.html).
    source: 'assumed: EC2 documents no launch time; boot of the ECS-optimized AMI and agent registration, 1-4 min (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_container_instance.html)',
  },
  taskStart: {
    low: 10,
    high: 120,
    // PROVISIONING -> PENDING (image pull) -> RUNNING; ECS registers the task with its target
    // group when it is RUNNING (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
    source: 'assumed: image pull and container start, no documented duration (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html)',
  },
  smokeInvoke: {
    low: 1,
    high: 10,
    source: 'assumed: a Lambda invocation with a cold start in a VPC; the request itself is bounded by the function timeout (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html)',
  },
  listenerSwap: {
    low: 15,
    high: 90,
    source: 'assumed: CloudFormation updates the listener (one ModifyListener) and finishes the update; no documented duration',
  },
  modifyListener: {
    low: 1,
    high: 10,
    source: 'assumed: one DescribeTargetHealth and one ModifyListener call; no documented propagation time',
  },
};

/** The service's own settings the phases depend on (`leadTimeSettings` reads them from the template). */
export interface LeadTimeSettings {
  /** Target group `HealthCheckIntervalSeconds` of the fleet being released to. */
  readonly healthCheckIntervalSeconds: number;
  /** Target group `HealthyThresholdCount`. */
  readonly healthyThresholdCount: number;
  /** Target group `HealthCheckTimeoutSeconds`. */
  readonly healthCheckTimeoutSeconds: number;
  /** Target group attribute `deregistration_delay.timeout_seconds`. */
  readonly deregistrationDelaySeconds: number;
  /** The smoke-check Lambda's `Timeout` (the most one check can take). */
  readonly smokeCheckTimeoutSeconds: number;
  /** ReleaseSettings `bakeMinutes`. */
  readonly bakeMinutes: number;
  /** Where each value came from (`template` or the AWS default it fell back to). */
  readonly notes: readonly string[];
}

/**
 * The standby as the release finds it. `cold`: 0 tasks and 0 instances (StandbyMinTasks=0), so
 * instances launch first. `pre-warmed`: StandbyMinTasks > 0, its instances run the old image;
 * the new tasks start beside the old ones and the old ones drain.
 */
export type StandbyStart = 'cold' | 'pre-warmed';

export interface Phase {
  readonly id: string;
  readonly description: string;
  readonly low: number;
  readonly high: number;
  readonly sources: readonly string[];
}

export interface LeadTimeEstimate {
  readonly start: StandbyStart;
  readonly phases: readonly Phase[];
  /** From `deploy` until the production listener forwards to the new fleet. */
  readonly toTraffic: { readonly low: number; readonly high: number };
  /** Until `deploy` returns (the bake included). */
  readonly toDone: { readonly low: number; readonly high: number };
}

const HEALTH_CHECKS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html';
const DEREGISTRATION = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay';

/**
 * The phases of `deploy` for a standby that starts `start`, with the service's settings. `amiChange`:
 * the release also changes the standby's AMI, so even a pre-warmed standby's instances are new
 * ones (counted as a launch).
 */
export function estimateLeadTime(settings: LeadTimeSettings, start: StandbyStart, options: { amiChange?: boolean; latencies?: Latencies } = {}): LeadTimeEstimate {
  const l = options.latencies ?? AWS_LATENCIES;
  const phase = (id: string, description: string, low: number, high: number, ...sources: string[]): Phase => ({ id, description, low, high, sources });
  const launches = start === 'cold' || options.amiChange === true;
  const interval = settings.healthCheckIntervalSeconds;
  const threshold = settings.healthyThresholdCount;
  const phases: Phase[] = [phase('stack-update', 'UpdateStack: image (and AMI) and StandbyMinTasks on the standby', l.stackUpdate.low, l.stackUpdate.high, l.stackUpdate.source)];
  if (launches) {
    phases.push(
      phase('scale-out', 'cluster auto scaling raises the standby group for the tasks it cannot place', l.scaleOutDecision.low, l.scaleOutDecision.high, l.scaleOutDecision.source),
      phase('instance-launch', 'instances launch, boot and register with the cluster', l.instanceLaunch.low, l.instanceLaunch.high, l.instanceLaunch.source),
    );
  } else {
    // MaximumPercent 200 starts the new tasks beside the old ones: on the running instances when
    // they have room, else after one scale-out (the high end)
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
    phases.push(
      phase('room', 'the new tasks go beside the old ones on the running instances (one scale-out if they have no room)', 0, l.scaleOutDecision.high + l.instanceLaunch.high, l.scaleOutDecision.source, l.instanceLaunch.source),
    );
  }
  phases.push(
    phase('task-start', 'tasks pull the image and start; ECS registers them with the target group when RUNNING', l.taskStart.low, l.taskStart.high, l.taskStart.source),
    // A new target is `initial` until it passed HealthyThresholdCount consecutive checks,
    // HealthCheckIntervalSeconds apart; the first check may come at once or an interval later, and
    // each may take up to its timeout.
    phase(
      'health-checks',
      `targets healthy: ${threshold} checks ${interval} s apart`,
      (threshold - 1) * interval,
      threshold * interval + settings.healthCheckTimeoutSeconds,
      HEALTH_CHECKS,
    ),
  );
  if (start === 'pre-warmed') {
    // The old tasks are deregistered once the new ones are healthy and stop when draining ends:
    // at once when no connection is open (the standby serves only the test listener), at most
    // the deregistration delay.
    phases.push(phase('deregistration', `the replaced tasks drain (deregistration delay ${settings.deregistrationDelaySeconds} s)`, 0, settings.deregistrationDelaySeconds, DEREGISTRATION));
  }
  phases.push(
    phase('smoke-check', `smoke check through the test listener (Lambda timeout ${settings.smokeCheckTimeoutSeconds} s)`, l.smokeInvoke.low, l.smokeInvoke.high + settings.smokeCheckTimeoutSeconds, l.smokeInvoke.source),
    phase('swap', 'UpdateStack LiveColor: the production listener forwards to the new fleet', l.listenerSwap.low, l.listenerSwap.high, l.listenerSwap.source),
  );
  const toTraffic = total(phases);
  const bake = settings.bakeMinutes * 60;
  phases.push(phase('bake', `bake: ${settings.bakeMinutes} min watching the new fleet's alarms`, bake, bake, 'ReleaseSettings bakeMinutes (the stack\'s ReleaseSettings output)'));
  return { start, phases, toTraffic, toDone: total(phases) };
}

/** `rollback` inside the window: traffic moves back with one ModifyListener to the warm previous fleet. */
export function estimateRollback(latencies: Latencies = AWS_LATENCIES): Phase {
  const l = latencies.modifyListener;
  return { id: 'rollback', description: 'rollback: check the previous fleet\'s targets, one ModifyListener', low: l.low, high: l.high, sources: [l.source] };
}

function total(phases: readonly Phase[]): { low: number; high: number } {
  return { low: phases.reduce((s, p) => s + p.low, 0), high: phases.reduce((s, p) => s + p.high, 0) };
}

// ALB target group defaults, used when the template does not set a value:
// interval 30 s, healthy threshold 5, timeout 5 s for HTTP (HEALTH_CHECKS), deregistration 300 s
// (DEREGISTRATION); a Lambda function's default timeout is 3 s
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html).
const DEFAULTS = { interval: 30, threshold: 5, timeout: 5, deregistration: 300, lambdaTimeout: 3 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an untyped template document; every value read is checked by `number` below
type Json = Record<string, any>;

/**
 * The settings the phases depend on, from the stack's template (GetTemplate's TemplateBody, JSON as
 * CDK writes it): the `color` fleet's target group (found through the `<prefix><Color>TargetGroupArn`
 * output) and the smoke-check function (`<prefix>SmokeCheckFunctionName`). A value the template
 * does not set, or sets with an intrinsic function, is AWS's default, and a note says so.
 */
export function leadTimeSettings(templateBody: string | undefined, where: { prefix: string; color: Color; bakeMinutes: number }): LeadTimeSettings {
  const notes: string[] = [];
  let template: Json = {};
  try {
    template = templateBody ? (JSON.parse(templateBody) as Json) : {};
  } catch {
    notes.push('the template is not JSON: AWS defaults used');
  }
  const resources = (template.Resources ?? {}) as Record<string, Json>;
  const byOutput = (name: string): Json | undefined => {
    const ref = (template.Outputs?.[`${where.prefix}${name}`]?.Value as Json | undefined)?.Ref;
    return typeof ref === 'string' ? resources[ref]?.Properties : undefined;
  };
  const colorName = where.color === 'blue' ? 'Blue' : 'Green';
  const group = byOutput(`${colorName}TargetGroupArn`);
  const smoke = byOutput('SmokeCheckFunctionName');
  const number = (value: unknown, fallback: number, what: string): number => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    notes.push(`${what}: AWS default ${fallback}`);
    return fallback;
  };
  const attribute = (key: string) => (group?.TargetGroupAttributes as Json[] | undefined)?.find((a) => a.Key === key)?.Value;
  return {
    healthCheckIntervalSeconds: number(group?.HealthCheckIntervalSeconds, DEFAULTS.interval, 'HealthCheckIntervalSeconds'),
    healthyThresholdCount: number(group?.HealthyThresholdCount, DEFAULTS.threshold, 'HealthyThresholdCount'),
    healthCheckTimeoutSeconds: number(group?.HealthCheckTimeoutSeconds, DEFAULTS.timeout, 'HealthCheckTimeoutSeconds'),
    deregistrationDelaySeconds: number(attribute('deregistration_delay.timeout_seconds'), DEFAULTS.deregistration, 'deregistration_delay.timeout_seconds'),
    smokeCheckTimeoutSeconds: number(smoke?.Timeout, DEFAULTS.lambdaTimeout, 'smoke-check Timeout'),
    bakeMinutes: where.bakeMinutes,
    notes,
  };
}

/** Lines for the dry run: both starts (the one this release has first), the rollback, where each number comes from. */
export function formatLeadTime(settings: LeadTimeSettings, current: StandbyStart, options: { amiChange?: boolean } = {}): string[] {
  const other: StandbyStart = current === 'cold' ? 'pre-warmed' : 'cold';
  const lines: string[] = [];
  for (const start of [current, other]) {
    const e = estimateLeadTime(settings, start, options);
    lines.push(`${start}${start === current ? ' (this release)' : ''}: traffic on the new fleet in ${range(e.toTraffic)}, done in ${range(e.toDone)}`);
    for (const p of e.phases) lines.push(`  ${p.id}: ${range(p)} - ${p.description}`);
  }
  const r = estimateRollback();
  lines.push(`rollback in the window: traffic back in ${range(r)}`);
  if (settings.notes.length > 0) lines.push(`not in the template: ${settings.notes.join('; ')}`);
  lines.push('sources: src/release/core/lead-time.ts and BENCHMARKS.md');
  return lines;
}

function range(r: { low: number; high: number }): string {
  return r.low === r.high ? duration(r.low) : `${duration(r.low)}-${duration(r.high)}`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}
