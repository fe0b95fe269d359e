import { INSTANCE_VCPUS } from './instance-vcpus-table';

/**
 * vCPUs of an EC2 instance type, or undefined when the table does not know it. The one place
 * the preflight reads instance data: the table is generated from the price table in data/ (vCPU
 * counts from https://aws.amazon.com/ec2/instance-types/), to be replaced by the full instance
 * table.
 */
export function instanceVcpus(instanceType: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(INSTANCE_VCPUS, instanceType) ? INSTANCE_VCPUS[instanceType] : undefined;
}
