import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository, ReplicaRepositorySettings } from '../../../constructs';
import { newApp } from '../../support/synth';

const ENV = { account: '123456789012', region: 'ap-northeast-3' };

describe('ReplicaRepositorySettings', () => {
  test('mutableTagPatterns defaults to *-live and encryptionKey to a new rotating key; the role only creates and replicates under the prefix', () => {
    const stack = new Stack(newApp(), 'Replica', { env: ENV });
    new ReplicaRepositorySettings(stack, 'R', { repositoryPrefix: 'bluegreen-fleet' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-live' }],
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain(':repository/bluegreen-fleet/*');
    expect(policy).not.toMatch(/"ecr:\*"|"kms:\*"/);
  });

  test('mutableTagPatterns [] makes every replicated tag immutable; a given key is used', () => {
    const stack = new Stack(newApp(), 'Replica', { env: ENV });
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:ap-northeast-3:123456789012:key/11111111-2222-3333-4444-555555555555');
    new ReplicaRepositorySettings(stack, 'R', { repositoryPrefix: 'team/app', mutableTagPatterns: [], encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      ImageTagMutability: 'IMMUTABLE',
      ImageTagMutabilityExclusionFilters: Match.absent(),
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: 'arn:aws:kms:ap-northeast-3:123456789012:key/11111111-2222-3333-4444-555555555555' },
    });
  });

  test.each(['bluegreen-fleet/', 'Upper', ''])('repositoryPrefix %j is refused', (prefix) => {
    const stack = new Stack(newApp(), 'Replica', { env: ENV });
    expect(() => new ReplicaRepositorySettings(stack, 'R', { repositoryPrefix: prefix })).toThrow(/repositoryPrefix/);
  });
});

describe('ImageRepository cross-account grants', () => {
  test('grantCrossAccountPull and grantReleaseToRole put the account (and, for release, the one role) in the repository policy', () => {
    const stack = new Stack(newApp(), 'Shared', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const repo = new ImageRepository(stack, 'Api', { repositoryName: 'bluegreen-fleet/api' });
    repo.grantCrossAccountPull('210987654321');
    repo.grantReleaseToRole('210987654321', 'bgf-ci-release-production');
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText.Statement;
    const text = JSON.stringify(statements);
    expect(text).toContain(':iam::210987654321:root');
    const release = statements.find((s: any) => s.Condition?.ArnEquals);
    expect(JSON.stringify(release.Condition)).toContain(':iam::210987654321:role/bgf-ci-release-production');
    expect([release.Action].flat()).not.toContain('ecr:UploadLayerPart');
  });

  test.each<[string, string, RegExp]>([
    ['12', 'role', /account "12"/],
    ['210987654321', 'bad name with spaces', /must be an IAM role name/],
  ])('grantReleaseToRole(%j, %j) is refused', (account, role, message) => {
    const stack = new Stack(newApp(), 'Shared', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const repo = new ImageRepository(stack, 'Api');
    expect(() => repo.grantReleaseToRole(account, role)).toThrow(message);
    expect(() => repo.grantCrossAccountPull('abc')).toThrow(/account "abc"/);
  });
});
