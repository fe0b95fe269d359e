import * as fs from 'fs';
import * as path from 'path';
import prices from '../../../data/prices-ap-northeast-1.json';
import { instanceVcpus } from '../../../constructs/preflight/instance-vcpus';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { tableSource } = require('../../../scripts/instance-vcpus.js') as { tableSource: () => string };

describe('instance vCPU table (constructs/preflight/instance-vcpus-table.ts)', () => {
  test('is what scripts/instance-vcpus.js makes of data/prices-ap-northeast-1.json (regenerate it after changing the data)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '../../../constructs/preflight/instance-vcpus-table.ts'), 'utf8');
    expect(committed).toBe(tableSource());
  });

  test('answers every instance type of the data with its vCPUs, and nothing else', () => {
    const ec2 = (prices as { ec2: Record<string, { vcpu?: number }> }).ec2;
    for (const [type, spec] of Object.entries(ec2)) expect([type, instanceVcpus(type)]).toEqual([type, spec.vcpu]);
    expect(instanceVcpus('m7i.48xlarge')).toBeUndefined();
    expect(instanceVcpus('constructor')).toBeUndefined();
  });
});
