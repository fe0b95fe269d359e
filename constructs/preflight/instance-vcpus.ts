import { INSTANCE_VCPUS } from './instance-vcpus-table';

/**
 * vCPUs of an EC2 instance type, or undefined when the table does not know it. The one place
 * the preflight reads instance data: the table is generated from data/ec2-instance-types.json
 * (scripts/instance-vcpus.js), which names every type of the EC2 API model and gives the vCPUs of
 * those its sources describe.
 */
export function instanceVcpus(instanceType: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(INSTANCE_VCPUS, instanceType) ? INSTANCE_VCPUS[instanceType] : undefined;
}
