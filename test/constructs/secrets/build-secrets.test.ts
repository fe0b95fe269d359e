import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BUILD_SECRET_PLACEHOLDER_FIELD, BuildSecrets, BuildSecretsProps } from '../../../constructs';
import { newApp } from '../../support/synth';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };

function synth(props: BuildSecretsProps, more?: (stack: Stack, secrets: BuildSecrets) => void) {
  const stack = new Stack(newApp(), 'Test', { env: ENV });
  const secrets = new BuildSecrets(stack, 'BuildSecrets', props);
  more?.(stack, secrets);
  return { stack, secrets, template: Template.fromStack(stack) };
}

const ref = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^BuildSecrets${prefix}`) });

describe('BuildSecrets with default props', () => {
  let template: Template;
  let secrets: BuildSecrets;
  beforeAll(() => ({ template, secrets } = synth({ secretNames: ['git-deploy-key', 'npm-registry-token'] })));

  test('one customer-managed key with yearly rotation encrypts every secret', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365 });
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.allResourcesProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildSecretsKey'), 'Arn'] } });
  });

  test('namePrefix defaults to bluegreen-fleet/build/', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'bluegreen-fleet/build/git-deploy-key' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'bluegreen-fleet/build/npm-registry-token' });
    expect(secrets.secretName('git-deploy-key')).toBe('bluegreen-fleet/build/git-deploy-key');
  });

  test('removalPolicy defaults to RETAIN for the key and the secrets', () => {
    template.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('values are never in the template: only a generated placeholder with a marker field', () => {
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      SecretString: Match.absent(),
      GenerateSecretString: { SecretStringTemplate: JSON.stringify({ [BUILD_SECRET_PLACEHOLDER_FIELD]: 'replace with put-secret-value' }), GenerateStringKey: 'unused' },
    });
  });

  test('the key denies grants except for AWS resources, decrypt outside Secrets Manager, and decrypt of other secrets', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny' }),
          Match.objectLike({
            Sid: 'DenyDecryptOutsideSecretsManager',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:Decrypt',
            Condition: { StringNotEquals: { 'kms:ViaService': 'secretsmanager.ap-northeast-1.amazonaws.com' } },
          }),
          Match.objectLike({
            Sid: 'DenyDecryptOfOtherSecrets',
            Effect: 'Deny',
            Action: 'kms:Decrypt',
            Condition: { StringNotLike: { 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:bluegreen-fleet/build/*' } },
          }),
        ]),
      },
    });
  });

  test('with no reader granted, every secret denies GetSecretValue to all but the account root', () => {
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 2);
    template.allResourcesProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:root'] } },
          }),
        ],
      },
    });
  });
});

describe('BuildSecrets.grantRead: who can decrypt what', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({ secretNames: ['git-deploy-key', 'npm-registry-token'] }, (stack, secrets) => {
      const assumedBy = new iam.AccountRootPrincipal();
      secrets.grantRead(new iam.Role(stack, 'Builder', { assumedBy }));
      secrets.grantRead(new iam.Role(stack, 'NpmOnly', { assumedBy }), ['npm-registry-token']);
      new iam.Role(stack, 'Admin', { assumedBy, managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
    }));
  });

  const roleArn = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'] });
  function policyOf(role: string): { Statement: unknown[] } | undefined {
    return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0]?.Properties.PolicyDocument;
  }
  function readersOf(secret: string): unknown {
    const policies = template.findResources('AWS::SecretsManager::ResourcePolicy', { Properties: { SecretId: ref(secret) } });
    return Object.values(policies)[0].Properties.ResourcePolicy.Statement[0].Condition.ArnNotEquals['aws:PrincipalArn'];
  }

  test('a reader may read the named secrets and decrypt only through Secrets Manager, only for them', () => {
    expect(policyOf('Builder')!.Statement).toEqual([
      expect.objectContaining({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: [expect.objectContaining({ Ref: expect.stringMatching(/GitDeployKey/) }), expect.objectContaining({ Ref: expect.stringMatching(/NpmRegistryToken/) })] }),
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: expect.objectContaining({ 'Fn::GetAtt': [expect.stringMatching(/^BuildSecretsKey/), 'Arn'] }),
        Condition: {
          StringEquals: {
            'kms:ViaService': 'secretsmanager.ap-northeast-1.amazonaws.com',
            'kms:EncryptionContext:SecretARN': [expect.objectContaining({ Ref: expect.stringMatching(/GitDeployKey/) }), expect.objectContaining({ Ref: expect.stringMatching(/NpmRegistryToken/) })],
          },
        },
      }),
    ]);
  });

  test('a reader of one secret can neither read nor decrypt the other', () => {
    const doc = JSON.stringify(policyOf('NpmOnly'));
    expect(doc).toMatch(/NpmRegistryToken/);
    expect(doc).not.toMatch(/GitDeployKey/);
  });

  test('each secret exempts from its deny exactly the roles granted on it', () => {
    const readersOfGit = readersOf('GitDeployKey') as unknown[];
    const readersOfNpm = readersOf('NpmRegistryToken') as unknown[];
    expect(readersOfGit).toHaveLength(2);
    expect(readersOfNpm).toHaveLength(3);
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: ref('NpmRegistryToken'),
      ResourcePolicy: { Statement: [Match.objectLike({ Condition: { ArnNotEquals: { 'aws:PrincipalArn': Match.arrayWith([roleArn('Builder'), roleArn('NpmOnly')]) } } })] },
    });
    expect(JSON.stringify(readersOfGit)).not.toMatch(/NpmOnly/);
  });

  test('a role without grantRead (even an administrator) has no statement on them and is denied by every secret', () => {
    expect(policyOf('Admin')).toBeUndefined();
    for (const secret of ['GitDeployKey', 'NpmRegistryToken']) expect(JSON.stringify(readersOf(secret))).not.toMatch(/Admin/);
  });
});

describe('BuildSecrets props and validation', () => {
  test('namePrefix and removalPolicy are honoured, and the key guard follows the prefix', () => {
    const { template } = synth({ secretNames: ['token'], namePrefix: 'team-a/ci/', removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::SecretsManager::Secret', { Properties: Match.objectLike({ Name: 'team-a/ci/token' }), DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Condition: { StringNotLike: { 'kms:EncryptionContext:SecretARN': Match.stringLikeRegexp(':secret:team-a/ci/\\*$') } } })]) },
    });
  });

  test.each<[BuildSecretsProps, RegExp]>([
    [{ secretNames: [] }, /at least one secret/],
    [{ secretNames: ['Git_Key'] }, /secret name "Git_Key"/],
    [{ secretNames: ['a', 'a'] }, /"a" is listed twice/],
    [{ secretNames: ['a'], namePrefix: 'bad prefix ' }, /namePrefix "bad prefix "/],
  ])('%j is rejected', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('grantRead rejects an unknown name and a grantee without an ARN', () => {
    const { stack, secrets } = synth({ secretNames: ['token'] });
    expect(() => secrets.grantRead(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }), ['nope'])).toThrow(/"nope" is not a build secret; known: token/);
    expect(() => secrets.grantRead(new iam.ServicePrincipal('codebuild.amazonaws.com'))).toThrow(/must be an IAM role or user/);
  });
});
