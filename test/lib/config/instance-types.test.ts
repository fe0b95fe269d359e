import { _InstanceType } from '@aws-sdk/client-ec2';
import table from '../../../data/ec2-instance-types.json';
import prices from '../../../data/prices-ap-northeast-1.json';
import { allInstanceTypes, closestInstanceTypes, instanceType } from '../../../lib/config/instance-types';

describe('data/ec2-instance-types.json', () => {
  test('says where it comes from and when', () => {
    expect(table.source).toMatch(/@aws-sdk\/client-ec2 \d+\.\d+\.\d+/);
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.source).toMatch(/ec2instances\.info's instances\.json \(github\.com\/cristim\/ec2-instances-info@v[\w.-]+\)/);
  });

  test('gives vCPUs, memory and ENIs for most types, not only the families the per-size rules cover', () => {
    const types = Object.values(table.types as Record<string, { vcpu?: number; memoryMiB?: number; maxEnis?: number }>);
    const described = types.filter((t) => t.vcpu !== undefined);
    expect(described.length).toBeGreaterThan(900);
    for (const t of described) {
      expect(Number.isInteger(t.vcpu) && t.vcpu! > 0).toBe(true);
      expect(Number.isInteger(t.memoryMiB) && t.memoryMiB! > 0).toBe(true);
    }
    expect(types.filter((t) => t.maxEnis !== undefined).length).toBeGreaterThan(880);
  });

  test('holds every instance type of the EC2 API model, and nothing else', () => {
    expect(new Set(allInstanceTypes())).toEqual(new Set(Object.values(_InstanceType)));
    expect(allInstanceTypes().length).toBeGreaterThan(1000);
  });

  test.each([
    ['t3', ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge']],
    ['m6i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge', 'metal']],
    ['m7g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['c7i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge', 'metal-24xl', 'metal-48xl']],
    ['r7i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge', 'metal-24xl', 'metal-48xl']],
  ])('family %s: every size, with vCPU, memory, ENIs and architecture', (family, sizes) => {
    for (const size of sizes) {
      const info = instanceType(`${family}.${size}`);
      expect(info).toEqual({ arch: family.endsWith('g') ? 'arm64' : 'x86_64', vcpu: expect.any(Number), memoryMiB: expect.any(Number), maxEnis: expect.any(Number) });
    }
  });

  test('spot checks against the EC2 specification tables', () => {
    // https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html and ec2-instance-network-specs.html
    expect(instanceType('t3.nano')).toEqual({ arch: 'x86_64', vcpu: 2, memoryMiB: 512, maxEnis: 2 });
    expect(instanceType('m7g.medium')).toEqual({ arch: 'arm64', vcpu: 1, memoryMiB: 4096, maxEnis: 2 });
    expect(instanceType('c5.9xlarge')).toEqual({ arch: 'x86_64', vcpu: 36, memoryMiB: 73728, maxEnis: 8 });
    expect(instanceType('m6i.metal')).toEqual({ arch: 'x86_64', vcpu: 128, memoryMiB: 524288, maxEnis: 15 });
    expect(instanceType('r7i.metal-48xl')).toEqual({ arch: 'x86_64', vcpu: 192, memoryMiB: 1572864, maxEnis: 15 });
    expect(instanceType('c6gn.large')?.arch).toBe('arm64');
    // Families outside the per-size rules: compute (co.html), memory (mo.html), accelerated (ac.html).
    expect(instanceType('c6in.large')).toEqual({ arch: 'x86_64', vcpu: 2, memoryMiB: 4096, maxEnis: 3 });
    expect(instanceType('x2gd.medium')).toEqual({ arch: 'arm64', vcpu: 1, memoryMiB: 16384, maxEnis: 2 });
    expect(instanceType('g5.xlarge')).toEqual({ arch: 'x86_64', vcpu: 4, memoryMiB: 16384, maxEnis: 4 });
    // t3a's small sizes have fewer interfaces than t3's (ec2-instance-network-specs.html): a rule
    // copied from t3 said 3.
    expect(instanceType('t3a.small')).toEqual({ arch: 'x86_64', vcpu: 2, memoryMiB: 2048, maxEnis: 2 });
    expect(instanceType('a1.large')?.arch).toBe('arm64');
  });

  test('agrees with the hand-recorded price table wherever both list a type', () => {
    for (const [type, p] of Object.entries(prices.ec2)) {
      expect([type, instanceType(type)]).toEqual([type, expect.objectContaining({ vcpu: p.vcpu, memoryMiB: p.memoryMiB, maxEnis: p.maxEnis })]);
    }
  });

  test('suggests the nearest names for a misspelt type', () => {
    expect(closestInstanceTypes('m6i.lrge')).toContain('m6i.large');
    expect(closestInstanceTypes('M6I.LARGE')[0]).toBe('m6i.large');
    expect(instanceType('toString')).toBeUndefined();
  });
});
