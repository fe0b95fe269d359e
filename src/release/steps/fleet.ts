import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, waitUntilTargetInService } from '@aws-sdk/client-elastic-load-balancing-v2';
import { waitFor, WaitTiming, WaitTimeoutError } from '../../aws/waiters';
import { call, ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { FleetRefs } from '../core/stack-state';

export interface ServiceCounts {
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly deployments: number;
  readonly taskDefinition?: string;
}

export interface TargetCounts {
  readonly healthy: number;
  readonly total: number;
  /** Count per state (healthy, initial, unhealthy, draining, ...). */
  readonly states: Readonly<Record<string, number>>;
}

export interface AlarmState {
  readonly name: string;
  readonly state: string;
  readonly reason?: string;
}

export async function readService(ctx: ReleaseContext, fleet: FleetRefs): Promise<ServiceCounts> {
  const resource = `ECS service ${fleet.serviceName} in cluster ${fleet.clusterName}`;
  const out = await call(ctx, 'DescribeServices', resource, () =>
    ctx.clients.ecs.send(new DescribeServicesCommand({ cluster: fleet.clusterName, services: [fleet.serviceName] })),
  );
  const s = out.services?.[0];
  if (!s) throw new ReleaseError(ExitCode.Error, `${resource} does not exist (${out.failures?.[0]?.reason ?? 'MISSING'})`);
  return {
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    deployments: s.deployments?.length ?? 0,
    taskDefinition: s.taskDefinition,
  };
}

export async function readTargets(ctx: ReleaseContext, fleet: FleetRefs): Promise<TargetCounts> {
  const out = await call(ctx, 'DescribeTargetHealth', `target group ${fleet.targetGroupArn}`, () =>
    ctx.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: fleet.targetGroupArn })),
  );
  const states: Record<string, number> = {};
  for (const d of out.TargetHealthDescriptions ?? []) {
    const state = d.TargetHealth?.State ?? 'unknown';
    states[state] = (states[state] ?? 0) + 1;
  }
  return { healthy: states.healthy ?? 0, total: out.TargetHealthDescriptions?.length ?? 0, states };
}

export async function readAlarms(ctx: ReleaseContext, names: readonly string[]): Promise<AlarmState[]> {
  if (names.length === 0) return [];
  const out = await call(ctx, 'DescribeAlarms', `alarms ${names.join(', ')}`, () =>
    ctx.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })),
  );
  const all = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  return names.map((name) => {
    const a = all.find((x) => x.AlarmName === name);
    return { name, state: a?.StateValue ?? 'MISSING', reason: a?.StateReason };
  });
}

export async function readInstances(ctx: ReleaseContext, fleet: FleetRefs): Promise<{ inService: number; total: number } | undefined> {
  if (!fleet.autoScalingGroupName) return undefined;
  const name = fleet.autoScalingGroupName;
  const out = await call(ctx, 'DescribeAutoScalingGroups', `Auto Scaling group ${name}`, () =>
    ctx.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
  const instances = out.AutoScalingGroups?.[0]?.Instances ?? [];
  return { inService: instances.filter((i) => i.LifecycleState === 'InService').length, total: instances.length };
}

/**
 * The live fleet's size to warm the standby to: what ECS wants, at least one task. Never the
 * running count: while the live service deploys, old and new tasks run side by side
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html), the
 * rule the standby-capacity Lambda follows too (src/release/core/standby-size.ts).
 */
export function warmSize(live: ServiceCounts): number {
  return Math.max(1, live.desired);
}

/**
 * Waits until the fleet's ECS service is stable and every target behind its target group is
 * healthy, then checks there are as many healthy targets as desired tasks.
 */
export async function waitUntilReady(ctx: ReleaseContext, fleet: FleetRefs): Promise<{ service: ServiceCounts; targets: TargetCounts }> {
  const waits: [string, WaitTiming, (what: string, timing: WaitTiming) => Promise<void>][] = [
    [
      `ECS service ${fleet.serviceName} (${fleet.color}) to become stable`,
      ctx.timings.serviceStable,
      (what, timing) => waitFor(what, timing, ctx.signal, ctx.clients.ecs, (cfg) => waitUntilServicesStable(cfg, { cluster: fleet.clusterName, services: [fleet.serviceName] })),
    ],
    [
      `all targets of the ${fleet.color} target group to be healthy`,
      ctx.timings.targetsHealthy,
      (what, timing) => waitFor(what, timing, ctx.signal, ctx.clients.elb, (cfg) => waitUntilTargetInService(cfg, { TargetGroupArn: fleet.targetGroupArn })),
    ],
  ];
  let timedOut: WaitTimeoutError | undefined;
  for (const [what, timing, wait] of waits) {
    const stop = ctx.reporter.progress(what, timing.maxWaitSeconds);
    try {
      await wait(what, timing);
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      timedOut = error;
      break;
    } finally {
      stop();
    }
  }
  const [service, targets] = [await readService(ctx, fleet), await readTargets(ctx, fleet)];
  assertReady(fleet, service, targets, timedOut ? `${timedOut.message}: ` : '');
  return { service, targets };
}

/** A fleet takes traffic only with at least one task, all desired tasks running and healthy. */
export function assertReady(fleet: FleetRefs, service: ServiceCounts, targets: TargetCounts, context = ''): void {
  const problems: string[] = [];
  if (service.desired < 1) problems.push('its ECS service wants 0 tasks (cold)');
  if (service.running < service.desired) problems.push(`${service.running}/${service.desired} tasks running`);
  if (targets.healthy < service.desired) problems.push(`${targets.healthy}/${service.desired} targets healthy (${describeStates(targets)})`);
  if (targets.healthy < targets.total) problems.push(`${targets.total - targets.healthy} targets not healthy (${describeStates(targets)})`);
  if (problems.length > 0) {
    throw new ReleaseError(ExitCode.Refused, `${context}the ${fleet.color} fleet is not ready: ${problems.join('; ')}`, { fleet: fleet.color, service, targets });
  }
}

function describeStates(targets: TargetCounts): string {
  return Object.entries(targets.states)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || 'no targets';
}
