import { Stack } from 'aws-cdk-lib';
import { main } from '../../bin/app';
import { stackNames } from '../../lib/app';
import { branchCidr, branchSlug, deriveBranchEnvironment, ENVIRONMENTS } from '../../lib/config';
import { PREFLIGHT_RULES, readAssembly, runPreflight } from '../../constructs/preflight';
import { SECRET_LOOKING } from '../support/secrets';
import { GatedApp, gatedApp } from '../support/gated-app';
import { CONTEXT, newApp, scrubbed } from '../support/synth';

/**
 * The whole app, every environment, with the policy gates on: the same build `npm run synth`
 * does. Synthesized once per version of the app (test/support/gated-app.ts), shared with the other app-level
 * test files.
 */
describe('the whole app', () => {
  let app: GatedApp;

  beforeAll(() => {
    app = gatedApp();
  });

  test('synthesizes shared, and network stacks for dev, staging, production and load', () => {
    const names = app.stacks.map((s) => s.stackName);
    expect(names).toContain(stackNames.shared());
    for (const env of ['dev', 'staging', 'production', 'load']) expect(names).toContain(stackNames.network(env));
  });

  // Before the fixes of issue 11 the preflight rules reported, on this app, the smoke check's ENI
  // rights (LambdaVpcEni), BootstrapVersion unreadable by the Lambdas' and CI roles
  // (SsmParameterAccess) and the parameter-update role unable to describe the producer stacks
  // (StackOutputAccess): 50 errors in all. Read from the assembly the gates ran on, by rule.
  test.each(PREFLIGHT_RULES.map((r) => r.id))('preflight rule %s finds no error on the app', (ruleId) => {
    const errors = runPreflight(readAssembly(app.directory)).findings.filter((f) => f.ruleId === ruleId && f.severity === 'error');
    expect(errors.map((f) => `${f.stackName}/${f.logicalId}: ${f.message}`)).toEqual([]);
  });

  test('the policy gates ran and left no unacknowledged finding', () => {
    const plugins = app.report.pluginReports;
    expect(plugins.map((p) => p.pluginName)).toEqual(expect.arrayContaining(['AwsSolutions', 'cdk-validator-cfnguard']));
    for (const plugin of plugins) {
      expect({ plugin: plugin.pluginName, conclusion: plugin.conclusion, open: plugin.violations.length }).toEqual({ plugin: plugin.pluginName, conclusion: 'success', open: 0 });
    }
    // Every acknowledged finding carries a reason.
    const suppressed = plugins.flatMap((p) => p.suppressedViolations ?? []);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect({ id: s.acknowledgedId, reasonLength: (s.reason ?? '').length > 20 }).toEqual({ id: s.acknowledgedId, reasonLength: true });
  });

  test('every tagged resource of every stack carries its environment', () => {
    for (const stack of app.stacks) {
      const env = stack.stackName === stackNames.shared() ? 'shared' : stack.stackName.startsWith('bgf-ci-') ? stack.stackName.slice('bgf-ci-'.length) : stack.stackName.split('-')[1];
      const resources = Object.entries(stack.template.toJSON().Resources as Record<string, any>);
      const tagged = resources.filter(([, r]) => Array.isArray(r.Properties?.Tags));
      expect(tagged.length).toBeGreaterThan(0);
      for (const [id, r] of tagged) {
        expect({ stack: stack.stackName, id, tag: r.Properties.Tags.find((t: any) => t.Key === 'bluegreen-fleet:environment')?.Value }).toEqual({ stack: stack.stackName, id, tag: env });
      }
    }
  });

  test('production and shared stacks have termination protection; others do not', () => {
    for (const stack of app.stacks) {
      const protectedStack = stack.stackName.startsWith('bgf-production-') || stack.stackName === stackNames.shared() || stack.stackName === stackNames.ci('production') || stack.stackName === stackNames.sharedReplica();
      expect({ name: stack.stackName, protected: stack.terminationProtection }).toEqual({ name: stack.stackName, protected: protectedStack });
    }
  });

  test('no template holds a secret-looking value', () => {
    for (const stack of app.stacks) {
      const text = JSON.stringify(stack.template.toJSON());
      for (const pattern of SECRET_LOOKING) expect({ stack: stack.stackName, pattern: String(pattern), found: pattern.test(text) }).toEqual({ stack: stack.stackName, pattern: String(pattern), found: false });
    }
  });

  test('one snapshot per stack (asset hashes scrubbed)', () => {
    for (const stack of app.stacks) {
      expect(scrubbed(stack.template)).toMatchSnapshot(stack.stackName);
    }
  });
});

describe('bin/app.ts', () => {
  test('-c env=<name> synthesizes only that environment', () => {
    const app = main(newApp({ env: 'staging' }), (m) => {
      throw new Error(m);
    });
    const names = app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);
    expect(names).toEqual(expect.arrayContaining([stackNames.network('staging')]));
    expect(names.every((n) => n.startsWith('bgf-staging-') || n === stackNames.ci('staging'))).toBe(true);
  });

  test('-c env=branch -c branch=<name> synthesizes a branch environment', () => {
    const app = main(newApp({ env: 'branch', branch: 'feature/login' }), (m) => {
      throw new Error(m);
    });
    const names = app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);
    // "feature/login" loses its "/" in the slug, so the slug carries a hash of the full name.
    expect(names).toContain(`bgf-br-${branchSlug('feature/login')}-network`);
    expect(branchSlug('feature/login')).toMatch(/^feature-login-[a-z0-9]{5}$/);
  });

  test('-c branches=<live branches> refuses a branch whose VPC range another one holds', () => {
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const b = `feature/b-${i}`;
      const cidr = branchCidr(branchSlug(b));
      if (seen.has(cidr)) pair = [b, seen.get(cidr)!];
      seen.set(cidr, b);
    }
    const fail = jest.fn((message: string): never => {
      throw new Error(`exit: ${message}`);
    });
    expect(() => main(newApp({ env: 'branch', branch: pair[0], branches: `main,${pair[1]}` }), fail)).toThrow(/vpc\.cidr = .*is also the range of branch "feature\/b-\d+"/);
  });

  test('a config error ends with the one-line message, not a stack trace', () => {
    const fail = jest.fn((message: string): never => {
      throw new Error(`exit: ${message}`);
    });
    expect(() => main(newApp({ env: 'nope' }), fail)).toThrow(/^exit: config error in environment "nope": env = "nope": is not a known environment/);
    expect(fail).toHaveBeenCalledTimes(1);
  });

  test('an error a construct throws while building is one line too, with a hint for the stack trace', () => {
    const fail = jest.fn((message: string): never => {
      throw new Error(`exit: ${message}`);
    });
    const app = newApp({ env: 'dev' });
    // Two apps' worth of the same stack ids in one App: the second build fails in a construct.
    main(app, fail);
    expect(() => main(app, fail)).toThrow(/^exit: synth error: There is already a Construct with name .*\(BGF_DEBUG=1 shows the stack trace\)$/);
  });
});

describe('the example accounts fit the default quotas', () => {
  // Default quotas per account and Region: 5 VPCs (the default VPC takes one) and 5 Elastic IPs
  // (one per NAT gateway): https://docs.aws.amazon.com/general/latest/gr/vpc-service.html, EC2
  // quota L-0263D0A3. Production apart from the rest:
  // https://docs.aws.amazon.com/wellarchitected/2022-03-31/framework/sec_securely_operate_multi_accounts.html
  const branch = deriveBranchEnvironment(ENVIRONMENTS.dev, 'feature/login');
  const all = [...Object.values(ENVIRONMENTS), branch];
  const byPlace = new Map<string, typeof all>();
  for (const env of all) byPlace.set(`${env.account}/${env.region}`, [...(byPlace.get(`${env.account}/${env.region}`) ?? []), env]);

  test('production has an account no other environment uses', () => {
    const prod = ENVIRONMENTS.production;
    expect(all.filter((e) => e.account === prod.account).map((e) => e.name)).toEqual(['production']);
  });

  test.each([...byPlace.keys()])('%s: VPCs (with the default VPC and one branch environment) and NAT Elastic IPs within 5', (place) => {
    const envs = byPlace.get(place)!;
    expect({ place, vpcs: envs.length + 1 <= 5, eips: envs.reduce((n, e) => n + e.vpc.natGateways, 0) <= 5 }).toEqual({ place, vpcs: true, eips: true });
  });

  test('cdk.context.json has the availability zones of every account and Region', () => {
    for (const place of byPlace.keys()) {
      const [account, region] = place.split('/');
      expect(CONTEXT[`availability-zones:account=${account}:region=${region}`]).toEqual(expect.any(Array));
    }
  });
});
