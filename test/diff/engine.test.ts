import * as iam from 'aws-cdk-lib/aws-iam';
import { loadAssembly, LoadedAssembly } from '../../src/diff/assembly';
import { classifyStack } from '../../src/diff/classify';
import { diffAssemblies } from '../../src/diff/engine';
import { LiveColorLookup, UNKNOWN_LIVE_COLORS } from '../../src/diff/live-color';
import { defaultPriceTables } from '../../src/diff/prices';
import { renderMarkdown } from '../../src/diff/render-markdown';
import { CfnTemplate } from '../../src/diff/template';
import { Color, DangerFlag, DiffReport, StackReport } from '../../src/diff/types';
import { AssemblySpec, removeTemporaryFolders, synthAssembly } from './fixtures';

const WILDCARD = new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] });
const BASE: AssemblySpec = { shared: {}, services: { production: {}, dev: {} }, networks: { production: {} } };
const SERVICE = 'bgf-production-api/Service';

function known(colors: Record<string, Color>): LiveColorLookup {
  return { lookup: async () => ({ colors: new Map(Object.entries(colors)), warnings: [] }) };
}

async function diff(base: LoadedAssembly, head: LoadedAssembly, liveColors: LiveColorLookup = UNKNOWN_LIVE_COLORS): Promise<DiffReport> {
  return diffAssemblies(base, head, { baseLabel: 'base', headLabel: 'head', liveColors, liveColorsDeployed: liveColors !== UNKNOWN_LIVE_COLORS, priceTables: defaultPriceTables() });
}

const stack = (r: DiffReport, name: string): StackReport => r.environments.flatMap((e) => e.stacks).find((s) => s.stackName === name)!;
const flags = (r: DiffReport, category?: DangerFlag['category']) => r.environments.flatMap((e) => e.stacks.flatMap((s) => s.flags)).filter((f) => !category || f.category === category);

describe('pull-request diff of two assemblies', () => {
  let base: LoadedAssembly;
  const heads: Record<string, LoadedAssembly> = {};
  beforeAll(() => {
    base = loadAssembly(synthAssembly(BASE));
    const variants: Record<string, AssemblySpec> = {
      doneWhen: { ...BASE, shared: { repositoryName: 'api-v2' }, services: { production: { blue: { taskStatements: [WILDCARD] }, listenerPort: 8000 }, dev: {} } },
      bothFleets: { ...BASE, services: { production: { blue: { userData: 'v2' }, green: { userData: 'v2' } }, dev: { blue: { userData: 'v2' }, green: { userData: 'v2' } } } },
      greenOnly: { ...BASE, services: { production: { green: { userData: 'v2' } }, dev: {} } },
      bothAdded: { ...BASE, services: { production: { blue: { extra: true }, green: { extra: true } }, dev: {} } },
      openIngress: { ...BASE, services: { production: { ingress: [{ cidr: '0.0.0.0/0', port: 443 }] }, dev: {} } },
      testListener: { ...BASE, services: { production: { testListenerPort: 9090, liveColorDefault: 'green' }, dev: {} } },
      noLogGroup: { ...BASE, services: { production: { logGroup: false }, dev: {} } },
      stacks: { shared: {}, services: { production: {}, dev: {}, staging: {} } },
    };
    for (const [name, spec] of Object.entries(variants)) heads[name] = loadAssembly(synthAssembly(spec));
  });

  describe('GIVEN a wildcard on a task role, a changed production listener and a replaced ECR repository', () => {
    let report: DiffReport;
    let markdown: string;
    beforeAll(async () => {
      report = await diff(base, heads.doneWhen);
      markdown = renderMarkdown(report);
    });

    test('THEN the Markdown flags the IAM wildcard on the blue task role', () => {
      expect(markdown).toMatch(/🔴 \*\*IAM\*\* `bgf-production-api` · `Service\/Blue\/TaskRole` \(blue fleet\): IAM permissions broadened: adds Allow for Service\/Blue\/TaskRole \(wildcard action, wildcard resource\)/);
      expect(markdown).toContain('`+ Allow s3:* on *`');
    });

    test('THEN it flags the production listener change', () => {
      expect(markdown).toMatch(/🔴 \*\*Production listener\*\* `bgf-production-api` · `Service\/ProductionListener` \(shared\): production listener Service\/ProductionListener is updated/);
    });

    test('THEN it flags the replaced ECR repository', () => {
      expect(markdown).toMatch(/🔴 \*\*Stateful resource\*\* `bgf-shared` · `ApiRepository`: ApiRepository \(AWS::ECR::Repository\) is replaced/);
    });

    test('THEN the fleet resources are attributed to blue, the listener to shared', () => {
      const resources = stack(report, 'bgf-production-api').resources;
      expect(resources.find((r) => r.path?.endsWith('Blue/TaskRole/DefaultPolicy/Resource'))).toMatchObject({ fleet: 'blue', service: SERVICE, kind: 'changed' });
      expect(resources.find((r) => r.path?.endsWith('ProductionListener'))).toMatchObject({ fleet: 'shared', service: SERVICE });
      expect(resources.some((r) => r.fleet === 'green')).toBe(false);
      expect(markdown).toMatch(/\| ~ \| `Service\/Blue\/TaskRole\/DefaultPolicy` \| AWS::IAM::Policy \| blue \| update \|/);
    });

    test('THEN the report is dangerous, the live fleet is unknown and both fleets are shown', () => {
      expect(report.dangerous).toBe(true);
      expect(markdown).toContain('Live fleet: **unknown**');
      expect(stack(report, 'bgf-production-api').services).toEqual([expect.objectContaining({ liveColor: 'unknown', fleetsTouched: ['blue'], sharedTouched: true, touchesLive: 'unknown' })]);
      expect(markdown.startsWith('<!-- bluegreen-fleet-diff -->\n## 🔴 Infrastructure diff:')).toBe(true);
    });

    test('THEN unchanged stacks and environments say so, and the dev service is untouched', () => {
      expect(stack(report, 'bgf-dev-api').status).toBe('unchanged');
      expect(stack(report, 'bgf-production-network').status).toBe('unchanged');
    });

    test('the reverse direction narrows IAM: a removed Allow is a caution, not a danger', async () => {
      const reverse = await diff(heads.doneWhen, base);
      expect(flags(reverse, 'iam')).toEqual([expect.objectContaining({ severity: 'caution', fleet: 'blue', reason: expect.stringMatching(/IAM permissions narrowed: removes Allow/) })]);
    });
  });

  describe('fleets and the live color', () => {
    test('a change to both fleets of a production service bypasses blue/green: danger; in dev: caution', async () => {
      const report = await diff(base, heads.bothFleets);
      const both = flags(report, 'both-fleets');
      expect(both.find((f) => f.stack === 'bgf-production-api')).toMatchObject({ severity: 'danger', reason: expect.stringMatching(/bypassing blue\/green/) });
      expect(both.find((f) => f.stack === 'bgf-dev-api')).toMatchObject({ severity: 'caution' });
      expect(stack(report, 'bgf-production-api').services[0]).toMatchObject({ fleetsTouched: ['blue', 'green'] });
    });

    test('resources added to both fleets change nothing running: reported, not flagged', async () => {
      const report = await diff(base, heads.bothAdded);
      expect(stack(report, 'bgf-production-api').services[0]).toMatchObject({ fleetsTouched: ['blue', 'green'], summary: 'touches both fleets (live fleet unknown)' });
      expect(flags(report)).toEqual([]);
    });

    test('live blue, change on green only: the standby, nothing dangerous', async () => {
      const report = await diff(base, heads.greenOnly, known({ [SERVICE]: 'blue' }));
      expect(stack(report, 'bgf-production-api').services[0]).toMatchObject({ liveColor: 'blue', touchesLive: 'no', summary: 'touches only the standby fleet (green); live is blue' });
      expect(report.dangerous).toBe(false);
      expect(renderMarkdown(report)).toContain('Live fleet: read from the deployed stacks.');
    });

    test('live green, change on green: the live fleet is changed in place, danger in production', async () => {
      const report = await diff(base, heads.greenOnly, known({ [SERVICE]: 'green' }));
      expect(flags(report, 'live-fleet')).toEqual([expect.objectContaining({ severity: 'danger', fleet: 'green' })]);
    });

    test('live unknown, one fleet changed in production: a caution that it may be live', async () => {
      const report = await diff(base, heads.greenOnly);
      expect(flags(report, 'live-fleet')).toEqual([expect.objectContaining({ severity: 'caution', reason: expect.stringMatching(/live fleet unknown/) })]);
      expect(report.dangerous).toBe(false);
    });

    test('a resource the live-color parameter decides (the test listener) and the parameter itself are flagged', async () => {
      const report = await diff(base, heads.testListener);
      const live = flags(report, 'live-color');
      expect(live.map((f) => f.reason)).toEqual([
        expect.stringMatching(/Service\/TestListener is decided by the live-color parameter and is changed/),
        expect.stringMatching(/live-color parameter LiveColor is changed/),
      ]);
      expect(live.every((f) => f.severity === 'danger')).toBe(true);
    });
  });

  test('a security group opened to everyone is a danger with the rule; the removed rule is a caution', async () => {
    const report = await diff(base, heads.openIngress);
    const sg = flags(report, 'security-group');
    expect(sg).toContainEqual(expect.objectContaining({ severity: 'danger', reason: expect.stringMatching(/opened: ingress TCP 443 from Everyone \(IPv4\) on .*LoadBalancerSecurityGroup.*\(open to everyone\)/) }));
    expect(sg).toContainEqual(expect.objectContaining({ severity: 'caution', reason: expect.stringMatching(/closed: ingress TCP 80 from 10.0.0.0\/16/) }));
  });

  test('a deleted log group is a stateful deletion', async () => {
    const report = await diff(base, heads.noLogGroup);
    expect(flags(report, 'stateful-resource')).toEqual([expect.objectContaining({ severity: 'danger', reason: expect.stringMatching(/Service\/Logs \(AWS::Logs::LogGroup\) is deleted: log group/) })]);
  });

  test('a stack only in the head is added; one only in the base is reported as left behind, not deleted', async () => {
    const report = await diff(base, heads.stacks);
    expect(stack(report, 'bgf-staging-api')).toMatchObject({ status: 'added', environment: 'staging' });
    expect(stack(report, 'bgf-production-network')).toMatchObject({ status: 'removed', flags: [expect.objectContaining({ severity: 'caution', reason: expect.stringMatching(/cdk deploy does not delete it/) })] });
  });

  test('a new stack serves no traffic: one IAM and one security group flag with every grant, no listener or fleet flags', async () => {
    const report = await diff(base, heads.stacks);
    const added = stack(report, 'bgf-staging-api').flags;
    expect(added.map((f) => f.category)).toEqual(['iam', 'security-group']);
    expect(added[0]).toMatchObject({ severity: 'danger', reason: expect.stringMatching(/^new stack: \d+ IAM grants; review them before the first deploy$/) });
    expect(added[0].details).toContainEqual(expect.stringMatching(/^\+ Allow logs:PutLogEvents/));
  });

  test('the cost of each environment is estimated on both sides', async () => {
    const report = await diff(base, heads.stacks);
    const staging = report.environments.find((e) => e.environment === 'staging')!;
    expect(staging.cost.before.monthlyUsd).toBe(0);
    expect(staging.cost.after.monthlyUsd).toBeGreaterThan(0);
    expect(staging.cost.deltaUsd).toBe(staging.cost.after.monthlyUsd);
    expect(report.priceTable.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('classifyStack on hand-written templates', () => {
  const role = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' }, Metadata: { 'aws:cdk:path': 's/Service/Blue/Role/Resource' }, ...extra });
  const pair = (oldT: CfnTemplate, newT: CfnTemplate) => classifyStack({ stackName: 's', environment: 'dev', production: false, oldTemplate: oldT, newTemplate: newT, paths: new Map(), liveColors: new Map() });

  test('a change of construct path metadata alone is not a change in AWS', () => {
    const report = pair({ Resources: { R: role() } }, { Resources: { R: role({ Metadata: { 'aws:cdk:path': 's/Service/Blue/Renamed/Resource' } }) } });
    expect(report).toMatchObject({ status: 'unchanged', resources: [], flags: [] });
  });

  test('CDKMetadata is dropped before diffing', () => {
    const meta = (v: string) => ({ CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: v } } });
    expect(pair({ Resources: { ...meta('a'), R: role() } }, { Resources: { ...meta('b'), R: role() } }).status).toBe('unchanged');
  });

  test('a managed policy attached to a role broadens permissions', () => {
    const report = pair({ Resources: { R: role() } }, { Resources: { R: role({ Properties: { RoleName: 'r', ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } }) } });
    expect(report.flags).toEqual([expect.objectContaining({ category: 'iam', severity: 'danger', fleet: 'blue', details: ['+ arn:aws:iam::aws:policy/AdministratorAccess'] })]);
  });
});

afterAll(removeTemporaryFolders);
