import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRegistryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient, ListOpenIDConnectProvidersCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LiveAccount, PreflightDependencies, runPreflightCommand } from '../../../src/commands/preflight';
import { SdkLiveAccount } from '../../../src/preflight/sdk-live-account';

const ACCOUNT = '111111111111';

/** A synthesized assembly: a VPC function on its own role (LambdaVpcEni), optionally 6 EIPs and an OIDC provider. */
function assembly(options: { ownRole: boolean; eips?: number; oidc?: boolean }): string {
  const app = new App();
  const stack = new Stack(app, 'UserStack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, availabilityZones: ['eu-west-1a', 'eu-west-1b'], subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const role = options.ownRole ? new iam.Role(stack, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) : undefined;
  new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'), vpc, role });
  for (let i = 0; i < (options.eips ?? 0); i++) new ec2.CfnEIP(stack, `Eip${i}`);
  if (options.oidc) new iam.CfnOIDCProvider(stack, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIdList: ['sts.amazonaws.com'] });
  return app.synth().directory;
}

function run(args: Parameters<typeof runPreflightCommand>[0], live?: Partial<LiveAccount>) {
  const out: string[] = [];
  const deps: PreflightDependencies = { cwd: '/', write: (t) => out.push(t), live: () => ({ ...offlineAccount, ...live }) as LiveAccount };
  return runPreflightCommand(args, deps).then((code) => ({ code, text: out.join('') }));
}

const offlineAccount: LiveAccount = {
  account: async () => ACCOUNT,
  quota: async () => undefined,
  simulate: async () => false,
  physicalId: async () => undefined,
  oidcProviderExists: async () => false,
  replicationConfigured: async () => false,
};

describe('bluegreen-fleet preflight (offline)', () => {
  test('GIVEN an assembly with a broken rule THEN exit 1 and a line naming rule, stack, resource and documentation', async () => {
    const { code, text } = await run({ assembly: assembly({ ownRole: true }) });
    expect(code).toBe(1);
    expect(text).toMatch(/^ERROR LambdaVpcEni UserStack\/Fn[0-9A-F]{8}.*lacks ec2:CreateNetworkInterface.*\[https:\/\/docs\.aws\.amazon\.com\/lambda\//m);
    expect(text).toMatch(/preflight: 1 error\(s\), 0 warning\(s\) in .* \(offline\)/);
  });

  test('GIVEN a clean assembly THEN exit 0; --json prints one object', async () => {
    const dir = assembly({ ownRole: false });
    expect((await run({ assembly: dir })).code).toBe(0);
    const { code, text } = await run({ assembly: dir, json: true });
    expect(code).toBe(0);
    expect(JSON.parse(text)).toMatchObject({ ok: true, errors: 0, warnings: 0, findings: [], live: false });
  });

  test('--quota raises a quota; a bad --quota or a missing assembly exits 2 with the reason', async () => {
    const dir = assembly({ ownRole: false, eips: 6 });
    expect((await run({ assembly: dir })).code).toBe(1);
    expect((await run({ assembly: dir, quota: ['ElasticIps=6'] })).code).toBe(0);
    const bad = await run({ assembly: dir, quota: ['Eips=6'] });
    expect([bad.code, bad.text]).toEqual([2, expect.stringMatching(/--quota Eips=6: expected <quota>=<number> with <quota> one of ElasticIps, /)]);
    const missing = await run({ assembly: '/nonexistent', json: true });
    expect([missing.code, JSON.parse(missing.text).error]).toEqual([2, expect.stringMatching(/not a cloud assembly/)]);
  });
});

describe('bluegreen-fleet preflight --live', () => {
  test('an applied Service Quotas value replaces the default', async () => {
    const dir = assembly({ ownRole: false, eips: 6 });
    const { code, text } = await run({ assembly: dir, live: true }, { quota: async (_r, service, code) => (service === 'ec2' && code === 'L-0263D0A3' ? 10 : undefined) });
    expect(code).toBe(0);
    expect(text).toMatch(/live service-quotas: 111111111111 eu-west-1 L-0263D0A3 .*: 10/);
  });

  test('a permission finding the simulator allows is dropped; one it denies stays an error; an undeployed role stays as found', async () => {
    const dir = assembly({ ownRole: true });
    const allowed = await run({ assembly: dir, live: true }, { physicalId: async () => 'UserStack-FnRole-ABC', simulate: async () => true });
    expect(allowed.code).toBe(0);
    const denied = await run({ assembly: dir, live: true }, { physicalId: async () => 'UserStack-FnRole-ABC', simulate: async () => false });
    expect([denied.code, denied.text]).toEqual([1, expect.stringMatching(/confirmed by iam:SimulatePrincipalPolicy/)]);
    expect(denied.text).toMatch(/live simulate: arn:aws:iam::111111111111:role\/UserStack-FnRole-ABC ec2:CreateNetworkInterface,.*: denied/);
    const undeployed = await run({ assembly: dir, live: true }, { simulate: async () => true });
    expect([undeployed.code, undeployed.text]).toEqual([1, expect.stringMatching(/principal not deployed yet/)]);
  });

  test('an OIDC provider that exists but is not the stack\'s own is an error; the stack\'s own is not', async () => {
    const dir = assembly({ ownRole: false, oidc: true });
    const foreign = await run({ assembly: dir, live: true }, { oidcProviderExists: async () => true });
    expect([foreign.code, foreign.text]).toEqual([1, expect.stringMatching(/already has an OIDC provider for https:\/\/token\.actions\.githubusercontent\.com/)]);
    const own = await run({ assembly: dir, live: true }, { oidcProviderExists: async () => true, physicalId: async (_r, _s, id) => (id === 'GitHub' ? 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' : undefined) });
    expect(own.code).toBe(0);
  });
});

describe('SdkLiveAccount (AWS SDK v3 calls)', () => {
  const iamMock = mockClient(IAMClient);
  const quotas = mockClient(ServiceQuotasClient);
  const cfn = mockClient(CloudFormationClient);
  const ecr = mockClient(ECRClient);
  const sts = mockClient(STSClient);
  beforeEach(() => [iamMock, quotas, cfn, ecr, sts].forEach((m) => m.reset()));
  const live = new SdkLiveAccount();

  test('SimulatePrincipalPolicy: allowed only when every evaluation is allowed; the context reaches the call', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: 'iam:PassRole', EvalDecision: 'allowed' }] });
    const request = { principalArn: 'arn:aws:iam::1:role/r', actions: ['iam:PassRole'], resourceArn: 'arn:aws:iam::1:role/x', context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } };
    expect(await live.simulate(request)).toBe(true);
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[0].args[0].input).toEqual({
      PolicySourceArn: 'arn:aws:iam::1:role/r',
      ActionNames: ['iam:PassRole'],
      ResourceArns: ['arn:aws:iam::1:role/x'],
      ContextEntries: [{ ContextKeyName: 'iam:PassedToService', ContextKeyType: 'string', ContextKeyValues: ['cloudformation.amazonaws.com'] }],
    });
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: 'a', EvalDecision: 'allowed' }, { EvalActionName: 'b', EvalDecision: 'implicitDeny' }] });
    expect(await live.simulate(request)).toBe(false);
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [] });
    expect(await live.simulate(request)).toBe(false);
  });

  test('GetServiceQuota, DescribeStackResource, ListOpenIDConnectProviders, DescribeRegistry, GetCallerIdentity', async () => {
    quotas.on(GetServiceQuotaCommand, { ServiceCode: 'ec2', QuotaCode: 'L-0263D0A3' }).resolves({ Quota: { Value: 12 } });
    expect(await live.quota('eu-west-1', 'ec2', 'L-0263D0A3')).toBe(12);
    cfn.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Stack with id x does not exist'), { name: 'ValidationError' }));
    expect(await live.physicalId('eu-west-1', 'x', 'R')).toBeUndefined();
    cfn.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: 'phys', LogicalResourceId: 'R', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() } });
    expect(await live.physicalId('eu-west-1', 'x', 'R')).toBe('phys');
    cfn.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(live.physicalId('eu-west-1', 'x', 'R')).rejects.toThrow('denied');
    iamMock.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' }] });
    expect(await live.oidcProviderExists('https://token.actions.githubusercontent.com')).toBe(true);
    expect(await live.oidcProviderExists('https://gitlab.com')).toBe(false);
    ecr.on(DescribeRegistryCommand).resolves({ registryId: '1', replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-1', registryId: '1' }] }] } });
    expect(await live.replicationConfigured('eu-west-1')).toBe(true);
    ecr.on(DescribeRegistryCommand).resolves({ registryId: '1', replicationConfiguration: { rules: [] } });
    expect(await live.replicationConfigured('eu-west-1')).toBe(false);
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    expect(await live.account()).toBe(ACCOUNT);
  });
});
