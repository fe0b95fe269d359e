import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AMI_ID_PATTERN,
  bootstrapRoleArn,
  BUILD_SECRET_PLACEHOLDER_FIELD,
  BuildSecrets,
  CdkBootstrapRole,
  COLORS,
  CronExpression,
  cronProblem,
  DEFAULT_BUILD_SECRET_PREFIX,
  DEFAULT_INTERFACE_ENDPOINTS,
  DEFAULT_MUTABLE_TAG_PATTERNS,
  ENVIRONMENT_TAG_KEY,
  Fleet,
  FleetColor,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_SUBJECT_CLAIM_KEYS,
  gitHubOidcProviderArn,
  GitHubOidc,
  gitHubWorkflowSubject,
  importGitHubOidcProvider,
  IMAGE_PATTERN,
  ImageRepository,
  Network,
  RELEASE_ACTIONS,
  RELEASE_SCHEDULER_ROLE_PATH,
  ReleasePermissions,
  releaseStatements,
  ReleaseSupport,
  ServiceParameters,
  shiftCron,
  STANDBY_MIN_TASKS_CEILING,
  toCronExpression,
} from '../../constructs';
import { COLORS as CONTRACT_COLORS } from '../../constructs/contract/colors';

// What callers in other languages get instead of the module's free constants and functions
// (jsii leaves those out of the assembly): the same values, the same answers.
describe('static members for jsii languages', () => {
  test('FleetColor holds the contract colors, with the same strings (LiveColor values)', () => {
    expect(Object.values(FleetColor)).toEqual([...CONTRACT_COLORS]);
    expect(ServiceParameters.COLORS).toEqual([...COLORS]);
  });

  test('constants', () => {
    expect(ServiceParameters.IMAGE_PATTERN).toBe(IMAGE_PATTERN);
    expect(ServiceParameters.STANDBY_MIN_TASKS_CEILING).toBe(STANDBY_MIN_TASKS_CEILING);
    expect(new RegExp(Fleet.AMI_ID_PATTERN).source).toBe(AMI_ID_PATTERN.source);
    expect(new RegExp(Fleet.AMI_ID_PATTERN).test('ami-0123456789abcdef0')).toBe(true);
    expect(ReleaseSupport.SCHEDULER_ROLE_PATH).toBe(RELEASE_SCHEDULER_ROLE_PATH);
    expect(ReleasePermissions.ENVIRONMENT_TAG_KEY).toBe(ENVIRONMENT_TAG_KEY);
    expect(BuildSecrets.PLACEHOLDER_FIELD).toBe(BUILD_SECRET_PLACEHOLDER_FIELD);
    expect(BuildSecrets.DEFAULT_NAME_PREFIX).toBe(DEFAULT_BUILD_SECRET_PREFIX);
    expect(ImageRepository.DEFAULT_MUTABLE_TAG_PATTERNS).toEqual([...DEFAULT_MUTABLE_TAG_PATTERNS]);
    expect(ImageRepository.RELEASE_ACTIONS).toEqual([...RELEASE_ACTIONS]);
    expect(Network.DEFAULT_INTERFACE_ENDPOINTS).toEqual([...DEFAULT_INTERFACE_ENDPOINTS]);
    expect(GitHubOidc.HOST).toBe(GITHUB_OIDC_HOST);
    expect(GitHubOidc.AUDIENCE).toBe(GITHUB_OIDC_AUDIENCE);
    expect(GitHubOidc.SUBJECT_CLAIM_KEYS).toEqual([...GITHUB_SUBJECT_CLAIM_KEYS]);
  });

  test('cron helpers', () => {
    expect(CronExpression.problem('50 9 * * ? *')).toBeUndefined();
    expect(CronExpression.problem('61 9 * * ? *')).toBe(cronProblem('61 9 * * ? *'));
    expect(CronExpression.problem('61 9 * * ? *')).toBeDefined();
    expect(CronExpression.toScheduleExpression('0 8 * * ? *')).toBe(toCronExpression('0 8 * * ? *'));
    expect(CronExpression.isKnownTimeZone('Asia/Tokyo')).toBe(true);
    expect(CronExpression.isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(CronExpression.shift('0 11 ? * MON-THU *', -30)).toBe(shiftCron('0 11 ? * MON-THU *', -30));
    expect(() => CronExpression.shift('0/15 11 ? * MON *', -30)).toThrow(/the minutes field must be one number/);
  });

  test('release permissions and CDK bootstrap role ARNs', () => {
    const env = { account: '123456789012', region: 'ap-northeast-1', cdkQualifier: 'hnb659fds', partition: 'aws' };
    expect(ReleasePermissions.bootstrapRoleArn(env, CdkBootstrapRole.FILE_PUBLISHING)).toBe('arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-ap-northeast-1');
    expect(Object.values(CdkBootstrapRole).map((kind) => bootstrapRoleArn(env, kind))).toEqual([
      'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-ap-northeast-1',
      'arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-ap-northeast-1',
      'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-ap-northeast-1',
      'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-ap-northeast-1',
    ]);
    const scope = { ...env, environment: 'dev', stackPrefix: 'bgf', imageSources: [{ environment: 'staging', account: '123456789012', region: 'ap-northeast-1' }] };
    const json = (statements: ReturnType<typeof releaseStatements>) => statements.map((s) => [s.statement.toStatementJson(), s.wildcardReason]);
    expect(json(ReleasePermissions.releaseStatements(scope))).toEqual(json(releaseStatements(scope)));
  });

  test('GitHub OIDC helpers', () => {
    expect(GitHubOidc.providerArn('123456789012')).toBe(gitHubOidcProviderArn('123456789012'));
    expect(GitHubOidc.providerArn('123456789012', 'aws-cn')).toBe('arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    expect(GitHubOidc.workflowSubject('octo/app', { environment: 'prod' }, 'deploy.yml', 'main')).toBe(gitHubWorkflowSubject('octo/app', { environment: 'prod' }, 'deploy.yml', 'main'));
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const provider = GitHubOidc.importProvider(stack, 'Imported');
    expect(stack.resolve(provider.openIdConnectProviderArn)).toEqual(stack.resolve(importGitHubOidcProvider(stack, 'Free').openIdConnectProviderArn));
    expect(GitHubOidc.createProvider(stack, 'Created')).toBeInstanceOf(iam.OidcProviderNative);
    const principal = GitHubOidc.principal(provider, ['repo:octo/app:environment:prod:job_workflow_ref:octo/app/.github/workflows/deploy.yml@refs/heads/main']);
    expect(principal.conditions).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': ['repo:octo/app:environment:prod:job_workflow_ref:octo/app/.github/workflows/deploy.yml@refs/heads/main'] },
    });
    expect(() => GitHubOidc.principal(provider, ['repo:octo/*'])).toThrow(/must be exact/);
  });
});
