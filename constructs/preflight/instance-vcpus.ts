import prices from '../../data/prices-ap-northeast-1.json';

const TABLE = (prices as { ec2: Record<string, { vcpu?: number }> }).ec2;

/**
 * vCPUs of an EC2 instance type, or undefined when the table does not know it. The one place
 * the preflight reads instance data: the table in data/ is the price table's (vCPU counts from
 * https://aws.amazon.com/ec2/instance-types/), to be replaced by the full instance table.
 */
export function instanceVcpus(instanceType: string): number | undefined {
  return TABLE[instanceType]?.vcpu;
}
