import * as fs from 'fs';
import * as path from 'path';
import table from '../../../data/ec2-instance-types.json';
import { instanceVcpus } from '../../../constructs/preflight/instance-vcpus';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { tableSource } = require('../../../scripts/instance-vcpus.js') as { tableSource: () => string };

describe('instance vCPU table (constructs/preflight/instance-vcpus-table.ts)', () => {
  test('is what scripts/instance-vcpus.js makes of data/ec2-instance-types.json (regenerate it after changing the data)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '../../../constructs/preflight/instance-vcpus-table.ts'), 'utf8');
    expect(committed).toBe(tableSource());
  });

  test('answers every instance type of the data with its vCPUs, and nothing else', () => {
    const types = (table as { types: Record<string, { vcpu?: number }> }).types;
    for (const [type, spec] of Object.entries(types)) expect([type, instanceVcpus(type)]).toEqual([type, spec.vcpu]);
    // https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
    expect(instanceVcpus('m7i.48xlarge')).toBe(192);
    expect(instanceVcpus('t3a.small')).toBe(2);
    // Types the API model names but no source describes yet get no answer.
    expect(Object.keys(types).some((t) => types[t].vcpu === undefined && instanceVcpus(t) === undefined)).toBe(true);
    expect(instanceVcpus('m7i.huge')).toBeUndefined();
    expect(instanceVcpus('constructor')).toBeUndefined();
  });
});
