import { Fail } from './error';
import { closestInstanceTypes, INSTANCE_TABLE_SOURCE, instanceType, InstanceTypeInfo } from './instance-types';
import { FleetSpec, ServiceConfig } from './schema';

/**
 * The ECS agent registers less memory than the instance has: "an m4.large instance has 8 GiB of
 * installed memory ... 7985 MiB can be used for tasks"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html).
 * assumed: the kernel and platform overhead scales with installed memory as in that example;
 * the fleets set no ECS_RESERVED_MEMORY, so nothing more is held back.
 */
export const REGISTERED_MEMORY_SHARE = 7985 / 8192;

/**
 * Task CPU on EC2: "between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html, `cpu`).
 */
export const MAX_TASK_CPU = 196608;
/** "Tasks per service: 5,000" and "Container instances per cluster: 5,000"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). */
export const MAX_TASKS_PER_SERVICE = 5000;
export const MAX_INSTANCES_PER_CLUSTER = 5000;

interface Sized {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly awsvpc: boolean;
}

/** Tasks of a size one instance holds: by CPU units, by registered memory, and by ENIs in awsvpc mode. */
export function tasksPerInstance(instance: Required<InstanceTypeInfo>, task: Sized): number {
  const limits = [
    Math.floor((instance.vcpu * 1024) / task.cpu),
    Math.floor(registeredMemory(instance) / task.memoryMiB),
    // Without ENI trunking each awsvpc task takes one ENI; the instance keeps its primary one
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html).
    task.awsvpc ? instance.maxEnis - 1 : Infinity,
  ];
  return Math.max(Math.min(...limits), 0);
}

function registeredMemory(instance: Required<InstanceTypeInfo>): number {
  return Math.floor(instance.memoryMiB * REGISTERED_MEMORY_SHARE);
}

function withSpecs(info: InstanceTypeInfo | undefined): Required<InstanceTypeInfo> | undefined {
  return info && info.vcpu !== undefined && info.memoryMiB !== undefined && info.maxEnis !== undefined ? (info as Required<InstanceTypeInfo>) : undefined;
}

/** Instance types exist, are listed once, share one architecture; sizes are possible. */
export function checkFleetSpec(service: ServiceConfig, where: string, spec: FleetSpec, fail: Fail): void {
  const at = `services[${service.name}].${where}`;
  const seen = new Set<string>();
  spec.instanceTypes.forEach((type, i) => {
    if (!instanceType(type)) {
      const near = closestInstanceTypes(type);
      fail(
        `${at}.instanceTypes[${i}]`,
        type,
        `is not an EC2 instance type (data/ec2-instance-types.json, ${INSTANCE_TABLE_SOURCE.asOf})${near.length ? `; did you mean ${near.join(' or ')}?` : ''}`,
      );
    }
    if (seen.has(type)) fail(`${at}.instanceTypes[${i}]`, type, 'is listed twice; list each instance type once');
    seen.add(type);
  });
  const arches = new Set(spec.instanceTypes.map((t) => instanceType(t)!.arch));
  if (arches.size > 1) {
    fail(`${at}.instanceTypes`, spec.instanceTypes, `must all share one CPU architecture (these are ${[...arches].join(' and ')}); one image and one AMI serve a fleet`);
  }
  if (spec.cpu > MAX_TASK_CPU) fail(`${at}.cpu`, spec.cpu, `must be at most ${MAX_TASK_CPU} units (192 vCPUs), the most ECS gives one task on EC2`);
  if (spec.maxInstances > MAX_INSTANCES_PER_CLUSTER) fail(`${at}.maxInstances`, spec.maxInstances, `must be at most ${MAX_INSTANCES_PER_CLUSTER}, the ECS limit of container instances per cluster`);
  checkFits(service, at, spec, fail);
}

/**
 * A task must fit on every instance type of its fleet, and the fleet at its largest must hold
 * the service's most tasks. Checked for every type the table has specifications for.
 */
function checkFits(service: ServiceConfig, at: string, spec: FleetSpec, fail: Fail): void {
  const task = { cpu: spec.cpu, memoryMiB: spec.memoryMiB, awsvpc: service.networkMode === 'awsvpc' };
  let fewest: { type: string; tasks: number } | undefined;
  for (const type of spec.instanceTypes) {
    const instance = withSpecs(instanceType(type));
    if (!instance) continue;
    if (spec.cpu > instance.vcpu * 1024) {
      fail(`${at}.cpu`, spec.cpu, `a task does not fit on ${type} (${instance.vcpu} vCPU = ${instance.vcpu * 1024} units); use a smaller task or a larger type`);
    }
    if (spec.memoryMiB > registeredMemory(instance)) {
      fail(
        `${at}.memoryMiB`,
        spec.memoryMiB,
        `a task does not fit on ${type} (${instance.memoryMiB} MiB installed, about ${registeredMemory(instance)} MiB registered by the ECS agent for tasks); use a smaller task or a larger type`,
      );
    }
    // Host mode binds the container port on the instance: one task per instance.
    const tasks = Math.min(tasksPerInstance(instance, task), service.networkMode === 'host' ? 1 : Infinity);
    if (tasks === 0) fail(`${at}.instanceTypes`, type, `leaves no network interface for an awsvpc task (${instance.maxEnis} ENIs, one is the instance's own); use a larger type`);
    if (!fewest || tasks < fewest.tasks) fewest = { type, tasks };
  }
  if (fewest && fewest.tasks * spec.maxInstances < service.maxTasks) {
    const limit = task.awsvpc && fewest.tasks === instanceType(fewest.type)!.maxEnis! - 1 ? ', limited by network interfaces in awsvpc mode' : '';
    fail(`${at}.maxInstances`, spec.maxInstances, `holds at most ${fewest.tasks * spec.maxInstances} tasks (${fewest.tasks} per ${fewest.type}${limit}); maxTasks is ${service.maxTasks}: raise maxInstances`);
  }
}
