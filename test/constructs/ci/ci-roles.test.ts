import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CiRoles, CiRolesProps, gitHubPrincipal } from '../../../constructs';
import { newApp } from '../../support/synth';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };
const REPO = 'example-org/bluegreen-fleet';

function synth(props: CiRolesProps) {
  const stack = new Stack(newApp(), 'Test', { env: ENV });
  const ci = new CiRoles(stack, 'Ci', props);
  return { stack, ci, template: Template.fromStack(stack) };
}

function trustOf(template: Template, roleName: string): any {
  const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }));
  return role.Properties.AssumeRolePolicyDocument.Statement;
}

function policyOf(template: Template, roleId: string): any[] {
  const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^Ci${roleId}`) }] } }));
  return policy.Properties.PolicyDocument.Statement;
}

const trusting = (subjects: string[]) => [
  {
    Action: 'sts:AssumeRoleWithWebIdentity',
    Effect: 'Allow',
    Principal: { Federated: { Ref: expect.stringMatching(/^CiGitHubProvider/) } },
    Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subjects } },
  },
];

describe('CiRoles with default props', () => {
  let template: Template;
  beforeAll(() => ({ template } = synth({ repository: REPO, environments: [{ name: 'dev' }, { name: 'production' }] })));

  test('provider defaults to a new GitHub Actions provider with the STS audience and no thumbprints', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'], ThumbprintList: Match.absent() });
  });

  test('build trusts pull requests and main (mainBranch default) of the repository only', () => {
    expect(trustOf(template, 'bgf-ci-build')).toEqual(trusting([`repo:${REPO}:ref:refs/heads/main`]));
    // Unreviewed pull-request code never gets the build secrets or push rights.
    expect(JSON.stringify(trustOf(template, 'bgf-ci-build'))).not.toMatch(/pull_request/);
  });

  test('diff trusts pull requests only', () => {
    expect(trustOf(template, 'bgf-ci-diff')).toEqual(trusting([`repo:${REPO}:pull_request`]));
  });

  test('each deploy role trusts only its GitHub environment; production cannot be assumed from a branch or a pull request', () => {
    expect(trustOf(template, 'bgf-ci-deploy-dev')).toEqual(trusting([`repo:${REPO}:environment:dev`]));
    expect(trustOf(template, 'bgf-ci-deploy-production')).toEqual(trusting([`repo:${REPO}:environment:production`]));
    expect(JSON.stringify(trustOf(template, 'bgf-ci-deploy-production'))).not.toMatch(/pull_request|refs\/heads|environment:dev/);
  });

  test('no trust condition uses a wildcard or StringLike', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) {
      const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
      expect(trust).not.toMatch(/StringLike|\*/);
    }
  });

  test('roleNamePrefix defaults to bgf-ci-, maxSessionDuration to one hour', () => {
    template.resourceCountIs('AWS::IAM::Role', 4);
    template.allResourcesProperties('AWS::IAM::Role', { RoleName: Match.stringLikeRegexp('^bgf-ci-'), MaxSessionDuration: 3600 });
  });

  test('diff: assumes only the CDK lookup role (cdkQualifier default hnb659fds) and reads templates of the app stacks (stackPrefix default bgf)', () => {
    expect(policyOf(template, 'DiffRole')).toEqual([
      { Sid: 'AssumeCdkLookupRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-ap-northeast-1' },
      { Sid: 'ReadAppTemplates', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], Resource: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-*/*' },
    ]);
  });

  test('deploy: assumes its environment\'s deploy, file-publishing and lookup roles, nothing else of IAM but passing the execution role to CloudFormation', () => {
    const statements = policyOf(template, 'DeployDevRole');
    expect(statements.find((s) => s.Sid === 'AssumeCdkBootstrapRoles')).toEqual({
      Sid: 'AssumeCdkBootstrapRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Resource: [
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-ap-northeast-1',
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-ap-northeast-1',
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-ap-northeast-1',
      ],
    });
    expect(statements.find((s) => s.Sid === 'PassExecutionRoleToCloudFormation')).toMatchObject({
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-ap-northeast-1',
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
  });

  test('deploy: release writes are held to the environment (stack, table, function prefixes; listener tag)', () => {
    const bySid = Object.fromEntries(policyOf(template, 'DeployDevRole').map((s) => [s.Sid, s]));
    expect(bySid.ReadAndUpdateEnvironmentStacks.Resource).toBe('arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-dev-*/*');
    expect(bySid.ReadAndUpdateEnvironmentStacks.Action).toContain('cloudformation:UpdateStack');
    expect(bySid.ReleaseLockAndHistory.Resource).toBe('arn:aws:dynamodb:ap-northeast-1:123456789012:table/bgf-dev-*');
    expect(bySid.InvokeReleaseFunctions.Resource).toBe('arn:aws:lambda:ap-northeast-1:123456789012:function:bgf-dev-*');
    expect(bySid.FlipEnvironmentListeners.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/bluegreen-fleet:environment': 'dev' } });
    expect(bySid.ReadFleetState.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'ap-northeast-1' } });
    expect(bySid.ReadFleetState.Action.every((a: string) => /:(Describe|List|Get)/.test(a))).toBe(true);
  });

  test('no statement of any role allows a wildcard action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
  });

  test('the dev role cannot change production stacks; it may only read them (imageFrom defaults to the other environments of the account)', () => {
    const statements = policyOf(template, 'DeployDevRole');
    const read = statements.find((s) => s.Sid === 'ReadImageSourceStacks');
    expect(read).toEqual({ Sid: 'ReadImageSourceStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-production-*/*' });
    expect(JSON.stringify(statements.filter((s) => s !== read))).not.toMatch(/bgf-production-|: ?"production"/);
  });
});

describe('CiRoles props', () => {
  test('provider, mainBranch, stackPrefix, cdkQualifier, roleNamePrefix and maxSessionDuration are honoured', () => {
    const stack = new Stack(newApp(), 'Test', { env: ENV });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'Existing', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    new CiRoles(stack, 'Ci', {
      repository: REPO,
      provider,
      mainBranch: 'trunk',
      stackPrefix: 'app',
      cdkQualifier: 'custom1',
      roleNamePrefix: 'gh-',
      maxSessionDuration: Duration.hours(2),
      environments: [{ name: 'staging', account: '210987654321', region: 'us-west-2' }],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustOf(template, 'gh-build')[0].Principal).toEqual({ Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' });
    expect(trustOf(template, 'gh-build')[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toContain(`repo:${REPO}:ref:refs/heads/trunk`);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'gh-deploy-staging', MaxSessionDuration: 7200 });
    const doc = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(doc).toContain('arn:aws:iam::210987654321:role/cdk-custom1-deploy-role-210987654321-us-west-2');
    expect(doc).toContain('arn:aws:cloudformation:us-west-2:210987654321:stack/app-staging-*/*');
    // The diff role reaches the lookup roles of the stack's own place and of every environment.
    expect(doc).toContain('arn:aws:iam::123456789012:role/cdk-custom1-lookup-role-123456789012-ap-northeast-1');
    expect(doc).toContain('arn:aws:iam::210987654321:role/cdk-custom1-lookup-role-210987654321-us-west-2');
  });

  test('imageFrom names the environments a deploy role may read the live image of; [] for none', () => {
    const { template } = synth({ repository: REPO, environments: [{ name: 'dev', imageFrom: [] }, { name: 'staging', imageFrom: ['dev'] }, { name: 'production', imageFrom: ['staging'] }] });
    expect(policyOf(template, 'DeployDevRole').find((s) => s.Sid === 'ReadImageSourceStacks')).toBeUndefined();
    expect(policyOf(template, 'DeployProductionRole').find((s) => s.Sid === 'ReadImageSourceStacks').Resource).toBe('arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-staging-*/*');
  });

  test.each<[CiRolesProps['environments'], RegExp]>([
    [[{ name: 'production', imageFrom: ['qa'] }], /environment "production": imageFrom "qa" must be another of the environments \(production\)/],
    [[{ name: 'production', imageFrom: ['production'] }], /imageFrom "production" must be another of the environments/],
    [[{ name: 'staging', account: '210987654321' }, { name: 'production', imageFrom: ['staging'] }], /imageFrom "staging" is in account 210987654321, not 123456789012/],
  ])('imageFrom %j is rejected', (environments, message) => {
    expect(() => synth({ repository: REPO, environments })).toThrow(message);
  });

  test('environments defaults to none: build and diff roles only', () => {
    const { template } = synth({ repository: REPO });
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  test.each<[Partial<CiRolesProps>, RegExp]>([
    [{ repository: 'no-slash' }, /repository "no-slash" must be owner\/name/],
    [{ mainBranch: 'a..b' }, /mainBranch "a..b"/],
    [{ environments: [{ name: 'dev' }, { name: 'dev' }] }, /"dev" is listed twice/],
    [{ environments: [{ name: 'Prod' }] }, /environment name "Prod"/],
    [{ cdkQualifier: 'way-too-long-qualifier' }, /cdkQualifier "way-too-long-qualifier"/],
  ])('%j is rejected', (props, message) => {
    expect(() => synth({ repository: REPO, ...props })).toThrow(message);
  });

  test('gitHubPrincipal refuses wildcard subjects and an empty list', () => {
    const stack = new Stack(newApp(), 'Test', { env: ENV });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'P', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    expect(() => gitHubPrincipal(provider, [`repo:${REPO}:*`])).toThrow(/must be exact/);
    expect(() => gitHubPrincipal(provider, [])).toThrow(/at least one subject/);
  });
});
