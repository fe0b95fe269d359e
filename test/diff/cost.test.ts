import { loadAssembly, AssemblyStack } from '../../src/diff/assembly';
import { estimateCost, estimateStack, tasksPerInstance } from '../../src/diff/cost';
import { defaultPriceTables, parsePriceTable } from '../../src/diff/prices';
import { Color } from '../../src/diff/types';
import { removeTemporaryFolders, synthAssembly } from './fixtures';

const [TABLE] = defaultPriceTables();
const HOURS = TABLE.hoursPerMonth;
const M6I = TABLE.ec2['m6i.large'];

function stacksOf(spec: Parameters<typeof synthAssembly>[0]): Map<string, AssemblyStack> {
  return new Map(loadAssembly(synthAssembly(spec)).stacks.map((s) => [s.stackName, s]));
}

function estimate(stack: AssemblyStack, live: Record<string, Color> = {}) {
  return estimateStack({ stackName: stack.stackName, region: stack.region, template: stack.template, paths: stack.paths, liveColors: new Map(Object.entries(live)) }, TABLE);
}

describe('the price table', () => {
  test('is dated, sourced, marked as an estimate, and prices every instance type the config uses', () => {
    expect(TABLE.region).toBe('ap-northeast-1');
    expect(TABLE.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(TABLE.note).toMatch(/Estimate/);
    for (const type of ['t3.medium', 'm6i.large', 'm5.large']) expect(TABLE.ec2[type].usdPerHour).toBeGreaterThan(0);
  });

  test('a broken table fails with the field named', () => {
    expect(() => parsePriceTable({ ...TABLE, asOf: 'last week' }, 'x.json')).toThrow(/x.json: asOf must be a date/);
  });
});

describe('tasks per instance', () => {
  test('bound by CPU units', () => {
    expect(tasksPerInstance(M6I, { cpu: 1024, memoryMiB: 512, awsvpc: false }, 0.9)).toBe(2);
  });
  test('bound by the share of memory tasks may use', () => {
    // 8192 MiB × 0.9 = 7372 MiB: three 2048 MiB tasks, not four.
    expect(tasksPerInstance(M6I, { cpu: 128, memoryMiB: 2048, awsvpc: false }, 0.9)).toBe(3);
  });
  test('bound by ENIs in awsvpc mode: one ENI is the instance’s own', () => {
    expect(tasksPerInstance(M6I, { cpu: 128, memoryMiB: 128, awsvpc: true }, 0.9)).toBe(M6I.maxEnis - 1);
  });
  test('a task larger than the instance fits zero times', () => {
    expect(tasksPerInstance(M6I, { cpu: 4096, memoryMiB: 128, awsvpc: false }, 0.9)).toBe(0);
  });
});

describe('estimate of a blue/green service stack', () => {
  let stacks: Map<string, AssemblyStack>;
  beforeAll(() => {
    stacks = stacksOf({
      services: {
        production: { minTasks: 6, schedules: [{ cron: '50 9 * * ? *', min: 10 }, { cron: '30 16 * * ? *', min: 6 }] },
        dev: { minTasks: 3, blue: { instanceType: 'x9.huge' } },
        load: { minTasks: 4, liveColorDefault: 'green' },
        staging: { minTasks: 2, green: { instanceType: 't3.medium', cpu: 512, memoryMiB: 1024 } },
      },
      networks: { production: { natGateways: 3, interfaceEndpoints: 13, azs: 3 } },
    });
  });

  test('live unknown: the LiveColor default decides the live fleet; the cold standby (StandbyMinTasks 0) costs nothing', () => {
    const { lines } = estimate(stacks.get('bgf-load-api')!, {});
    const instances = lines.filter((l) => l.item.includes('instances'));
    // 4 tasks of 1024 units, 2 per m6i.large: 2 instances on green, none on blue.
    expect(instances).toEqual([expect.objectContaining({ item: 'Service green fleet: m6i.large instances', quantity: 2 })]);
  });

  test('scheduled minimums are time-weighted: 2 tasks per m6i.large, 5 instances 400 min a day, 3 the rest', () => {
    const { lines, warnings } = estimate(stacks.get('bgf-production-api')!);
    const blue = lines.find((l) => l.item === 'Service blue fleet: m6i.large instances')!;
    const average = (5 * 400 + 3 * 1040) / 1440;
    expect(blue.quantity).toBeCloseTo(average, 10);
    expect(blue.monthlyUsd).toBeCloseTo(average * M6I.usdPerHour * HOURS, 10);
    expect(lines.find((l) => l.item.startsWith('Service green'))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  test('the live color moves the instances to the live fleet, with that fleet’s instance type and task size', () => {
    const stack = stacks.get('bgf-staging-api')!;
    const blueLive = estimate(stack, { 'bgf-staging-api/Service': 'blue' }).lines.find((l) => l.item.includes('instances'))!;
    const greenLive = estimate(stack, { 'bgf-staging-api/Service': 'green' }).lines.find((l) => l.item.includes('instances'))!;
    expect(blueLive).toMatchObject({ item: 'Service blue fleet: m6i.large instances', quantity: 1 });
    // t3.medium: 2 vCPU, 3 ENIs: 2 awsvpc tasks of 512 units per instance, 2 tasks → 1 instance.
    expect(greenLive).toMatchObject({ item: 'Service green fleet: t3.medium instances', quantity: 1, usdPerHour: TABLE.ec2['t3.medium'].usdPerHour });
  });

  test('an instance type missing from the table is reported, not priced at zero silently', () => {
    const { warnings } = estimate(stacks.get('bgf-dev-api')!);
    expect(warnings.join('\n')).toMatch(/instance type x9.huge is not in the price table/);
  });

  test('load balancer, NAT gateways, interface endpoints per AZ and public IPv4 addresses', () => {
    const api = estimate(stacks.get('bgf-production-api')!).lines;
    expect(api.find((l) => l.item === 'application load balancer')).toMatchObject({ quantity: 1, usdPerHour: TABLE.loadBalancerUsdPerHour.application });
    const net = estimate(stacks.get('bgf-production-network')!).lines;
    expect(net.find((l) => l.item === 'NAT gateway')).toMatchObject({ quantity: 3, monthlyUsd: 3 * TABLE.natGatewayUsdPerHour * HOURS });
    // 13 interface endpoints × 3 subnets; the S3 gateway endpoint is free.
    expect(net.find((l) => l.item === 'interface endpoint (per AZ)')).toMatchObject({ quantity: 39 });
    expect(net.find((l) => l.item === 'public IPv4 address')).toMatchObject({ quantity: 3 });
  });

  test('an environment total is the sum of its lines, rounded to cents', () => {
    const inputs = ['bgf-production-api', 'bgf-production-network'].map((n) => stacks.get(n)!).map((s) => ({ stackName: s.stackName, region: s.region, template: s.template, paths: s.paths, liveColors: new Map() }));
    const total = estimateCost(inputs, [TABLE]);
    const sum = total.lines.reduce((n, l) => n + l.monthlyUsd, 0);
    expect(Math.abs(total.monthlyUsd - sum)).toBeLessThan(0.05);
    expect(total.monthlyUsd).toBeGreaterThan(0);
  });

  test('a region without a price table is reported and not priced', () => {
    const s = stacks.get('bgf-production-network')!;
    const result = estimateCost([{ stackName: s.stackName, region: 'eu-west-1', template: s.template, paths: s.paths, liveColors: new Map() }], [TABLE]);
    expect(result.monthlyUsd).toBe(0);
    expect(result.warnings).toEqual(['bgf-production-network: no price table for region eu-west-1; not priced']);
  });

  test('an Auto Scaling group outside any service is priced at its MinSize', () => {
    const template = { Resources: {
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 'm5.large' } } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '2', MaxSize: '4', LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' } } } },
    } };
    const { lines } = estimateStack({ stackName: 's', region: 'ap-northeast-1', template, paths: new Map(), liveColors: new Map() }, TABLE);
    expect(lines).toEqual([expect.objectContaining({ item: 'Asg: m5.large instances', quantity: 2 })]);
  });
});

afterAll(removeTemporaryFolders);
