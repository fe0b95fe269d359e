import { attribute, findServices, liveColorParameterOf, serviceLabel } from './attribution';
import { InstancePrice, PriceTable } from './prices';
import { weeklyAverage, weeklySegments, WeeklyAction } from './schedule';
import {
  asNumber, CfnResource, CfnTemplate, dropCdkMetadata, evaluate, evaluateCondition, EvaluationContext,
  liveColorParameters, referencedIds, templatePath, UNRESOLVED,
} from './template';
import { Color, CostEstimate, CostLine } from './types';

/**
 * A monthly cost estimate read from templates alone, so it works on any assembly:
 * - instances: per fleet, the ECS service's minimum tasks (scalable target `MinCapacity` and its
 *   weekly scheduled actions, evaluated with the live color, so the standby's `StandbyMinTasks`
 *   default of 0 prices a cold standby at 0) packed onto the launch template's instance type,
 *   never below the Auto Scaling group's `MinSize`; an Auto Scaling group without a service is
 *   priced at its `MinSize` (or `DesiredCapacity` when larger);
 * - load balancers, NAT gateways, interface endpoints per subnet (AZ), public IPv4 addresses.
 * Everything is priced on demand from the dated table; see the table's note for what is left out.
 */

export interface CostInput {
  readonly stackName: string;
  readonly region?: string;
  readonly template: CfnTemplate;
  readonly paths: ReadonlyMap<string, string>;
  readonly liveColors: ReadonlyMap<string, Color>;
}

interface Sized { readonly cpu: number; readonly memoryMiB: number; readonly awsvpc: boolean }

/** Tasks of a size one instance holds: by CPU units, by task memory, and by ENIs in awsvpc mode. */
export function tasksPerInstance(instance: InstancePrice, task: Sized, memoryShare: number): number {
  const limits = [
    task.cpu > 0 ? Math.floor((instance.vcpu * 1024) / task.cpu) : Infinity,
    task.memoryMiB > 0 ? Math.floor((instance.memoryMiB * memoryShare) / task.memoryMiB) : Infinity,
    // One ENI is the instance's own; without ENI trunking each awsvpc task takes one of the rest.
    task.awsvpc ? instance.maxEnis - 1 : Infinity,
  ];
  const fit = Math.min(...limits);
  return Number.isFinite(fit) ? Math.max(fit, 0) : 1;
}

function parameterValues(input: CostInput, template: CfnTemplate, services: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = { 'AWS::Region': input.region ?? 'ap-northeast-1', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  for (const [id, p] of Object.entries(template.Parameters ?? {})) if (p.Default !== undefined) values[id] = p.Default;
  const colorParams = liveColorParameters(template);
  for (const service of services) {
    const id = liveColorParameterOf(service, colorParams, input.paths);
    const live = input.liveColors.get(service);
    if (id) values[id] = live ?? values[id] ?? 'blue';
  }
  return values;
}

export function estimateStack(input: CostInput, table: PriceTable): { lines: CostLine[]; warnings: string[] } {
  const template = dropCdkMetadata(input.template);
  const resources = template.Resources ?? {};
  const pathOf = (id: string) => input.paths.get(id) ?? templatePath(resources[id]);
  const services = findServices(Object.keys(resources).map(pathOf).filter((p): p is string => !!p));
  const ctx: EvaluationContext = { template, parameters: parameterValues(input, template, services) };
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(`${input.stackName}: ${text}`);
  const exists = (r: CfnResource) => {
    if (!r.Condition) return true;
    const on = evaluateCondition(r.Condition, ctx);
    if (on === UNRESOLVED) warn(`condition ${r.Condition} could not be evaluated; counted as true`);
    return on !== false;
  };
  const live = Object.entries(resources).filter(([, r]) => exists(r));
  const ofType = (type: string) => live.filter(([, r]) => r.Type === type);
  const num = (value: unknown, what: string, fallback: number) => {
    const n = asNumber(evaluate(value, ctx));
    if (n === undefined && value !== undefined) warn(`${what} could not be evaluated; ${fallback} used`);
    return n ?? fallback;
  };
  const lines: CostLine[] = [];
  const add = (item: string, quantity: number, usdPerHour: number) => {
    if (quantity <= 0) return;
    const same = lines.find((l) => l.item === item && l.usdPerHour === usdPerHour);
    const q = (same?.quantity ?? 0) + quantity;
    const line = { stack: input.stackName, item, quantity: q, usdPerHour, monthlyUsd: q * usdPerHour * table.hoursPerMonth };
    if (same) lines.splice(lines.indexOf(same), 1, line);
    else lines.push(line);
  };

  const groupOf = (id: string) => {
    const a = attribute(pathOf(id), services);
    return a.service ? `${a.service}|${a.fleet}` : `:${id}`;
  };
  const ecsServices = ofType('AWS::ECS::Service').filter(([, r]) => r.Properties?.SchedulingStrategy !== 'DAEMON');
  for (const [asgId, asg] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const instanceType = instanceTypeOf(asg, resources, ctx);
    const price = instanceType ? table.ec2[instanceType] : undefined;
    if (!instanceType || !price) {
      warn(`Auto Scaling group ${pathOf(asgId) ?? asgId}: instance type ${instanceType ?? 'unknown'} is not in the price table; not priced`);
      continue;
    }
    const minSize = num(asg.Properties?.MinSize, `MinSize of ${asgId}`, 0);
    const desired = num(asg.Properties?.DesiredCapacity, `DesiredCapacity of ${asgId}`, 0);
    const group = groupOf(asgId);
    const tenants = ecsServices.filter(([id]) => groupOf(id) === group);
    let instances = Math.max(minSize, desired);
    if (tenants.length > 0) {
      const needed = tenants.reduce((sum, [svcId, svc]) => {
        const task = taskSize(svc, resources, ctx);
        const per = tasksPerInstance(price, task, table.taskMemoryShare);
        if (per === 0) warn(`a task of ${svcId} (${task.cpu} CPU units, ${task.memoryMiB} MiB) does not fit on ${instanceType}; one instance per task assumed`);
        const { segments, skipped } = weeklySegments(...minTasks(svcId, svc, live, ctx, num));
        skipped.forEach((s) => warn(`scheduled action ${s}; not weighted`));
        return sum + weeklyAverage(segments, (tasks) => Math.ceil(tasks / Math.max(per, 1)));
      }, 0);
      instances = Math.max(minSize, needed);
    }
    const a = attribute(pathOf(asgId), services);
    const label = a.service ? `${serviceLabel(a.service)} ${a.fleet} fleet` : (pathOf(asgId) ?? asgId);
    add(`${label}: ${instanceType} instances`, instances, price.usdPerHour);
  }
  for (const [, lb] of ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const type = lb.Properties?.Type === 'network' ? 'network' : lb.Properties?.Type === 'gateway' ? undefined : 'application';
    if (!type) warn('gateway load balancer not priced');
    else add(`${type} load balancer`, 1, table.loadBalancerUsdPerHour[type]);
  }
  add('NAT gateway', ofType('AWS::EC2::NatGateway').length, table.natGatewayUsdPerHour);
  const azHours = ofType('AWS::EC2::VPCEndpoint')
    .filter(([, e]) => e.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, [id, e]) => {
      const subnets = e.Properties?.SubnetIds;
      if (!Array.isArray(subnets)) warn(`interface endpoint ${id}: subnets unknown; one AZ assumed`);
      return sum + (Array.isArray(subnets) ? subnets.length : 1);
    }, 0);
  add('interface endpoint (per AZ)', azHours, table.interfaceEndpointUsdPerAzHour);
  add('public IPv4 address', ofType('AWS::EC2::EIP').length, table.publicIpv4UsdPerHour);
  return { lines, warnings };
}

type Num = (value: unknown, what: string, fallback: number) => number;

/** The base minimum and the scheduled actions of the scalable target of an ECS service. */
function minTasks(svcId: string, svc: CfnResource, live: ReadonlyArray<[string, CfnResource]>, ctx: EvaluationContext, num: Num): [number, WeeklyAction[]] {
  const target = live.find(([, r]) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget'
    && r.Properties?.ScalableDimension === 'ecs:service:DesiredCount'
    && referencedIds(r.Properties?.ResourceId).has(svcId));
  if (!target) return [num(svc.Properties?.DesiredCount, `DesiredCount of ${svcId}`, 1), []];
  const [targetId, t] = target;
  // Schedules sit inside Fn::If on the live color: evaluate it, so the live fleet's are priced.
  const evaluated = evaluate(t.Properties?.ScheduledActions, ctx);
  const scheduled = Array.isArray(evaluated) ? (evaluated as Array<Record<string, unknown>>) : [];
  const actions = scheduled.map((a, i) => {
    const min = (a.ScalableTargetAction as Record<string, unknown> | undefined)?.MinCapacity;
    const schedule = evaluate(a.Schedule, ctx);
    return { schedule: typeof schedule === 'string' ? schedule : 'unknown', min: min === undefined ? undefined : num(min, `scheduled action ${i} of ${targetId}`, 0) };
  });
  return [num(t.Properties?.MinCapacity, `MinCapacity of ${targetId}`, 0), actions];
}

function resourceRef(value: unknown, resources: Readonly<Record<string, CfnResource>>, ctx: EvaluationContext): CfnResource | undefined {
  const direct = evaluate(value, ctx);
  const ids = referencedIds(direct === UNRESOLVED ? value : direct);
  for (const id of ids) if (resources[id]) return resources[id];
  return undefined;
}

function instanceTypeOf(asg: CfnResource, resources: Readonly<Record<string, CfnResource>>, ctx: EvaluationContext): string | undefined {
  const p = asg.Properties ?? {};
  const text = (v: unknown) => {
    const e = evaluate(v, ctx);
    return typeof e === 'string' ? e : undefined;
  };
  const mixed = p.MixedInstancesPolicy as { LaunchTemplate?: { LaunchTemplateSpecification?: Record<string, unknown>; Overrides?: Array<Record<string, unknown>> } } | undefined;
  const override = mixed?.LaunchTemplate?.Overrides?.map((o) => text(o.InstanceType)).find(Boolean);
  if (override) return override;
  const spec = (mixed?.LaunchTemplate?.LaunchTemplateSpecification ?? p.LaunchTemplate) as Record<string, unknown> | undefined;
  const lt = spec ? resourceRef(spec.LaunchTemplateId ?? spec.LaunchTemplateName, resources, ctx) : undefined;
  if (lt) return text((lt.Properties?.LaunchTemplateData as Record<string, unknown> | undefined)?.InstanceType);
  const lc = p.LaunchConfigurationName ? resourceRef(p.LaunchConfigurationName, resources, ctx) : undefined;
  return lc ? text(lc.Properties?.InstanceType) : undefined;
}

function taskSize(svc: CfnResource, resources: Readonly<Record<string, CfnResource>>, ctx: EvaluationContext): Sized {
  const td = resourceRef(svc.Properties?.TaskDefinition, resources, ctx);
  const p = td?.Properties ?? {};
  const containers = Array.isArray(p.ContainerDefinitions) ? (p.ContainerDefinitions as Array<Record<string, unknown>>) : [];
  const sum = (key: string, alt?: string) => containers.reduce((s, c) => s + (asNumber(evaluate(c[key] ?? (alt ? c[alt] : undefined), ctx)) ?? 0), 0);
  return {
    cpu: asNumber(evaluate(p.Cpu, ctx)) ?? sum('Cpu'),
    memoryMiB: asNumber(evaluate(p.Memory, ctx)) ?? sum('Memory', 'MemoryReservation'),
    awsvpc: p.NetworkMode === 'awsvpc',
  };
}

/** The estimate of a set of stacks (one environment, one side of the diff). */
export function estimateCost(inputs: readonly CostInput[], tables: readonly PriceTable[]): CostEstimate {
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  for (const input of inputs) {
    const table = tables.find((t) => t.region === (input.region ?? tables[0]?.region));
    if (!table) {
      warnings.push(`${input.stackName}: no price table for region ${input.region}; not priced`);
      continue;
    }
    const result = estimateStack(input, table);
    lines.push(...result.lines);
    warnings.push(...result.warnings);
  }
  const monthlyUsd = round2(lines.reduce((s, l) => s + l.monthlyUsd, 0));
  return { monthlyUsd, lines: lines.map((l) => ({ ...l, quantity: round2(l.quantity), monthlyUsd: round2(l.monthlyUsd) })), warnings };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
