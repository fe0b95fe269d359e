import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CiRoles, CiRolesProps, EnvironmentCiRoles, EnvironmentCiRolesProps, GITHUB_SUBJECT_CLAIM_KEYS, gitHubPrincipal, gitHubWorkflowSubject } from '../../../constructs';
import { newApp } from '../../support/synth';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };
const REPO = 'example-org/bluegreen-fleet';
const WF = (file: string, ref = 'refs/heads/main') => `job_workflow_ref:${REPO}/.github/workflows/${file}@${ref}`;

function synthShared(props: Partial<CiRolesProps> = {}) {
  const stack = new Stack(newApp(), 'Test', { env: ENV });
  const ci = new CiRoles(stack, 'Ci', { repository: REPO, ...props });
  return { stack, ci, template: Template.fromStack(stack) };
}

function synthEnv(props: Partial<EnvironmentCiRolesProps> = {}, env = ENV) {
  const stack = new Stack(newApp(), 'Test', { env });
  const ci = new EnvironmentCiRoles(stack, 'Ci', { repository: REPO, environment: 'production', ...props });
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

const trusting = (subjects: string[], provider: unknown = { Ref: expect.stringMatching(/^CiGitHubProvider/) }) => [
  {
    Action: 'sts:AssumeRoleWithWebIdentity',
    Effect: 'Allow',
    Principal: { Federated: provider },
    Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subjects } },
  },
];

describe('the customized OIDC subject', () => {
  test('is the documented repo/context/job_workflow_ref template, which names the ref the workflow ran from', () => {
    expect(GITHUB_SUBJECT_CLAIM_KEYS).toEqual(['repo', 'context', 'job_workflow_ref']);
    expect(gitHubWorkflowSubject(REPO, { environment: 'production' }, 'deploy.yml', 'main')).toBe(`repo:${REPO}:environment:production:${WF('deploy.yml')}`);
    expect(gitHubWorkflowSubject(REPO, { branch: 'main' }, 'pr-diff.yml', 'main')).toBe(`repo:${REPO}:ref:refs/heads/main:${WF('pr-diff.yml')}`);
  });

  test.each<[Parameters<typeof gitHubWorkflowSubject>, RegExp]>([
    [[REPO, {}, 'deploy.yml', 'main'], /exactly one of environment or branch/],
    [[REPO, { environment: 'p', branch: 'main' }, 'deploy.yml', 'main'], /exactly one of environment or branch/],
    [[REPO, { environment: 'production' }, '../deploy.yml', 'main'], /workflow file "..\/deploy.yml"/],
    [[REPO, { environment: 'production' }, 'deploy.yml', 'a..b'], /mainBranch "a..b"/],
    [[REPO, { environment: 'prod:x' }, 'deploy.yml', 'main'], /GitHub environment "prod:x"/],
  ])('refuses %j', (args, message) => {
    expect(() => gitHubWorkflowSubject(...args)).toThrow(message);
  });
});

describe('CiRoles (the registry account: provider and build role)', () => {
  test('provider defaults to a new GitHub Actions provider with the STS audience and no thumbprints', () => {
    const { template } = synthShared();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'], ThumbprintList: Match.absent() });
  });

  test('build trusts build.yml on main (buildWorkflows, mainBranch defaults) and nothing a pull request can produce', () => {
    const { template } = synthShared();
    expect(trustOf(template, 'bgf-ci-build')).toEqual(trusting([`repo:${REPO}:ref:refs/heads/main:${WF('build.yml')}`]));
    expect(JSON.stringify(trustOf(template, 'bgf-ci-build'))).not.toMatch(/pull_request|refs\/pull/);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'bgf-ci-build', MaxSessionDuration: 3600 });
  });

  test('provider, mainBranch, buildWorkflows, roleNamePrefix and maxSessionDuration are honoured', () => {
    const stack = new Stack(newApp(), 'Test', { env: ENV });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'Existing', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    new CiRoles(stack, 'Ci', { repository: REPO, provider, mainBranch: 'trunk', buildWorkflows: ['images.yml'], roleNamePrefix: 'gh-', maxSessionDuration: Duration.hours(2) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustOf(template, 'gh-build')).toEqual(trusting([`repo:${REPO}:ref:refs/heads/trunk:${WF('images.yml', 'refs/heads/trunk')}`], 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'));
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'gh-build', MaxSessionDuration: 7200 });
  });

  test.each<[Partial<CiRolesProps>, RegExp]>([
    [{ repository: 'no-slash' }, /repository "no-slash" must be owner\/name/],
    [{ mainBranch: 'a..b' }, /mainBranch "a..b"/],
    [{ buildWorkflows: [] }, /buildWorkflows must name at least one/],
  ])('%j is rejected', (props, message) => {
    expect(() => synthShared(props)).toThrow(message);
  });

  test('gitHubPrincipal refuses wildcard subjects and an empty list', () => {
    const stack = new Stack(newApp(), 'Test', { env: ENV });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'P', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    expect(() => gitHubPrincipal(provider, [`repo:${REPO}:*`])).toThrow(/must be exact/);
    expect(() => gitHubPrincipal(provider, [])).toThrow(/at least one subject/);
  });
});

describe('EnvironmentCiRoles with default props', () => {
  let template: Template;
  beforeAll(() => ({ template } = synthEnv()));

  test('provider defaults to the account\'s existing provider, imported by its fixed ARN (no second provider)', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustOf(template, 'bgf-ci-deploy-production')[0].Principal).toEqual({ Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' });
  });

  test('each role trusts one workflow file on main: deploy.yml and release.yml in the GitHub environment, pr-diff.yml outside any', () => {
    const sub = (name: string) => trustOf(template, name)[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(sub('bgf-ci-deploy-production')).toEqual([`repo:${REPO}:environment:production:${WF('deploy.yml')}`]);
    expect(sub('bgf-ci-release-production')).toEqual([`repo:${REPO}:environment:production:${WF('release.yml')}`]);
    expect(sub('bgf-ci-live-state-production')).toEqual([`repo:${REPO}:ref:refs/heads/main:${WF('pr-diff.yml')}`]);
    // The default subject of an environment job (any branch) no longer matches anything.
    expect(JSON.stringify(template.toJSON())).not.toContain(`"repo:${REPO}:environment:production"`);
  });

  test('no trust condition uses a wildcard or StringLike; three roles, one hour sessions, bgf-ci- names', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).not.toMatch(/StringLike|\*/);
    }
    template.resourceCountIs('AWS::IAM::Role', 3);
    template.allResourcesProperties('AWS::IAM::Role', { RoleName: Match.stringLikeRegexp('^bgf-ci-'), MaxSessionDuration: 3600 });
  });

  test('deploy: assumes the CDK deploy, file-publishing and lookup roles (cdkQualifier default hnb659fds), and nothing else', () => {
    expect(policyOf(template, 'DeployRole')).toEqual([
      {
        Sid: 'AssumeCdkBootstrapRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: [
          'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-ap-northeast-1',
          'arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-ap-northeast-1',
          'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-ap-northeast-1',
        ],
      },
    ]);
  });

  test('release: no CDK bootstrap role, no execution role; UpdateStack only as a parameter-update role of its stacks (stackPrefix default bgf)', () => {
    const statements = policyOf(template, 'ReleaseRole');
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/cdk-hnb659fds-(deploy|file-publishing|lookup|cfn-exec)-role/);
    expect(text).not.toContain('sts:AssumeRole');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.UpdateEnvironmentStacksAsParameterUpdateRole).toEqual({
      Sid: 'UpdateEnvironmentStacksAsParameterUpdateRole',
      Effect: 'Allow',
      Action: 'cloudformation:UpdateStack',
      Resource: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-production-*/*',
      Condition: { ArnLike: { 'cloudformation:RoleArn': 'arn:aws:iam::123456789012:role/bluegreen-fleet/parameter-update/bgf-production-*' } },
    });
    expect(statements.filter((s) => [s.Action].flat().includes('cloudformation:UpdateStack'))).toHaveLength(1);
    expect(bySid.PassParameterUpdateRoleToCloudFormation).toMatchObject({
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::123456789012:role/bluegreen-fleet/parameter-update/bgf-production-*',
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
    // Issue 11 item 2: the stacks' BootstrapVersion is an SSM-typed parameter, re-resolved on every update with the caller's credentials.
    expect(bySid.ResolveCdkBootstrapVersion.Resource).toBe('arn:aws:ssm:ap-northeast-1:123456789012:parameter/cdk-bootstrap/hnb659fds/version');
    expect(bySid.ReadImageSourceStacks).toBeUndefined(); // imageFrom default: none
    expect(bySid.ReleaseImages).toBeUndefined(); // imageRepositoryArns default: none
  });

  test('live state: DescribeStacks of its environment\'s stacks only, no lookup role', () => {
    expect(policyOf(template, 'LiveStateRole')).toEqual([
      { Sid: 'DescribeEnvironmentStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-production-*/*' },
    ]);
  });

  test('no statement of any role allows a wildcard action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
  });
});

describe('EnvironmentCiRoles props', () => {
  test('provider, mainBranch, workflows, stackPrefix, cdkQualifier, roleNamePrefix, maxSessionDuration, imageFrom and imageRepositoryArns are honoured', () => {
    const stack = new Stack(newApp(), 'Test', { env: { account: '210987654321', region: 'us-west-2' } });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'P', 'arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com');
    new EnvironmentCiRoles(stack, 'Ci', {
      repository: REPO,
      environment: 'staging',
      provider,
      mainBranch: 'trunk',
      deployWorkflow: 'cd.yml',
      releaseWorkflow: 'ship.yml',
      pullRequestDiffWorkflow: 'review.yml',
      stackPrefix: 'app',
      cdkQualifier: 'custom1',
      roleNamePrefix: 'gh-',
      maxSessionDuration: Duration.hours(2),
      imageFrom: ['dev'],
      imageRepositoryArns: ['arn:aws:ecr:us-west-2:123456789012:repository/bluegreen-fleet/api'],
    });
    const template = Template.fromStack(stack);
    const sub = (name: string) => trustOf(template, name)[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(sub('gh-deploy-staging')).toEqual([`repo:${REPO}:environment:staging:${WF('cd.yml', 'refs/heads/trunk')}`]);
    expect(sub('gh-release-staging')).toEqual([`repo:${REPO}:environment:staging:${WF('ship.yml', 'refs/heads/trunk')}`]);
    expect(sub('gh-live-state-staging')).toEqual([`repo:${REPO}:ref:refs/heads/trunk:${WF('review.yml', 'refs/heads/trunk')}`]);
    template.allResourcesProperties('AWS::IAM::Role', { MaxSessionDuration: 7200 });
    const doc = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(doc).toContain('arn:aws:iam::210987654321:role/cdk-custom1-deploy-role-210987654321-us-west-2');
    expect(doc).toContain('arn:aws:cloudformation:us-west-2:210987654321:stack/app-staging-*/*');
    expect(doc).toContain('parameter/cdk-bootstrap/custom1/version');
    const release = Object.fromEntries(policyOf(template, 'ReleaseRole').map((s) => [s.Sid, s]));
    expect(release.ReadImageSourceStacks).toMatchObject({ Action: 'cloudformation:DescribeStacks', Resource: 'arn:aws:cloudformation:us-west-2:210987654321:stack/app-dev-*/*' });
    expect(release.ReleaseImages).toEqual({
      Sid: 'ReleaseImages',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:DescribeImageScanFindings', 'ecr:DescribeImages', 'ecr:PutImage'],
      Resource: 'arn:aws:ecr:us-west-2:123456789012:repository/bluegreen-fleet/api',
    });
  });

  test.each<[Partial<EnvironmentCiRolesProps>, RegExp]>([
    [{ repository: 'no-slash' }, /repository "no-slash" must be owner\/name/],
    [{ environment: 'Prod' }, /environment "Prod"/],
    [{ mainBranch: 'a..b' }, /mainBranch "a..b"/],
    [{ cdkQualifier: 'way-too-long-qualifier' }, /cdkQualifier "way-too-long-qualifier"/],
    [{ imageFrom: ['production'] }, /imageFrom "production" must name another environment/],
    [{ deployWorkflow: 'deploy' }, /workflow file "deploy"/],
  ])('%j is rejected', (props, message) => {
    expect(() => synthEnv(props)).toThrow(message);
  });
});
