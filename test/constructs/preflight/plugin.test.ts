import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PreflightChecks, PreflightQuota } from '../../../constructs';
import { PREFLIGHT_RULES, readAssembly, runPreflight } from '../../../constructs/preflight';

/** Any app (not ours): a VPC function on a role the app made itself. */
function userApp(ownRole: boolean): { app: App; fn: lambda.Function } {
  const app = new App();
  const stack = new Stack(app, 'UserStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, availabilityZones: ['eu-west-1a', 'eu-west-1b'], subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const role = ownRole ? new iam.Role(stack, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) : undefined;
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'), vpc, role });
  return { app, fn };
}

describe('PreflightChecks (validation plugin)', () => {
  test('GIVEN a VPC function on a role of its own WHEN synthesized THEN synth fails naming the rule and the function', () => {
    const { app } = userApp(true);
    Validations.of(app).addPlugins(new PreflightChecks());
    expect(() => app.synth()).toThrow(/lacks ec2:CreateNetworkInterface[\s\S]*UserStack\/Fn\/Resource[\s\S]*Preflight::LambdaVpcEni/);
  });

  test('GIVEN the role aws-cdk-lib creates for the function THEN synth passes', () => {
    const { app } = userApp(false);
    Validations.of(app).addPlugins(new PreflightChecks());
    expect(() => app.synth()).not.toThrow();
  });

  test('GIVEN the finding acknowledged next to the function THEN synth passes', () => {
    const { app, fn } = userApp(true);
    Validations.of(app).addPlugins(new PreflightChecks());
    Validations.of(fn).acknowledge({ id: 'Preflight::LambdaVpcEni', reason: 'test: the role gets its ENI rights from a permissions set outside the app' });
    expect(() => app.synth()).not.toThrow();
  });

  test('warnings (a role with a managed policy the assembly does not show) fail synth only with failOnWarnings', () => {
    const opaque = () => {
      const { app, fn } = userApp(true);
      fn.role!.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(fn, 'Custom', 'arn:aws:iam::111111111111:policy/team-lambda'));
      return app;
    };
    const lenient = opaque();
    Validations.of(lenient).addPlugins(new PreflightChecks());
    expect(() => lenient.synth()).not.toThrow();
    const strict = opaque();
    Validations.of(strict).addPlugins(new PreflightChecks({ failOnWarnings: true }));
    expect(() => strict.synth()).toThrow(/may lack ec2:CreateNetworkInterface/);
  });

  test('raised quotas reach the quota rule; by default AWS defaults apply', () => {
    const app = new App();
    const stack = new Stack(app, 'Eips', { env: { account: '111111111111', region: 'eu-west-1' } });
    for (let i = 0; i < 6; i++) new ec2.CfnEIP(stack, `Eip${i}`);
    const dir = app.synth().directory;
    expect(runPreflight(readAssembly(dir)).errors).toBe(1);
    expect(runPreflight(readAssembly(dir), [{ quota: PreflightQuota.ELASTIC_IPS, value: 6 }]).errors).toBe(0);
    const strict = new App();
    const s2 = new Stack(strict, 'Eips', { env: { account: '111111111111', region: 'eu-west-1' } });
    for (let i = 0; i < 6; i++) new ec2.CfnEIP(s2, `Eip${i}`);
    Validations.of(strict).addPlugins(new PreflightChecks({ raisedQuotas: [{ quota: PreflightQuota.ELASTIC_IPS, value: 6, region: 'eu-west-1' }] }));
    expect(() => strict.synth()).not.toThrow();
  });

  test('the plugin reports every rule of the index', () => {
    expect(new PreflightChecks().ruleIds).toEqual(PREFLIGHT_RULES.map((r) => r.id));
    expect(new PreflightChecks().ruleIds).toEqual(['LambdaVpcEni', 'SsmParameterAccess', 'StackOutputAccess', 'PassRole', 'AccountQuota', 'AccountSingleton']);
  });
});
