import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository, ImageRepositoryProps } from '../../../constructs';
import { newApp } from '../../support/synth';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };

function synth(props?: ImageRepositoryProps, more?: (stack: Stack, repo: ImageRepository) => void) {
  const stack = new Stack(newApp(), 'Test', { env: ENV });
  const repo = new ImageRepository(stack, 'Repo', props);
  more?.(stack, repo);
  return { stack, repo, template: Template.fromStack(stack) };
}

interface Rule {
  rulePriority: number;
  selection: { tagStatus: string; tagPatternList?: string[]; countType: string; countNumber: number; countUnit?: string };
  action: { type: string };
}

function lifecycleRules(template: Template): Rule[] {
  const repos = template.findResources('AWS::ECR::Repository');
  const [repo] = Object.values(repos);
  return JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
}

describe('ImageRepository with default props', () => {
  let template: Template;
  beforeAll(() => ({ template } = synth()));

  test('scans on push and encrypts with a new rotating customer-managed key (encryptionKey default)', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('RepoKey'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365 });
  });

  test('the default key refuses grants to anything but AWS resources (CT.KMS.PR.3)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
    });
  });

  test('repositoryName defaults to a generated name', () => {
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: Match.absent() });
  });

  test('release tags are immutable, mutableTagPatterns defaults to *-live', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-live' }],
    });
  });

  test('removalPolicy defaults to RETAIN', () => {
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('replicationRegions defaults to none', () => {
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
  });

  test('lifecycle: pointer-tagged images first (never expire), then untagged after 7 days, then keep the last 30 tagged', () => {
    expect(lifecycleRules(template)).toEqual([
      { rulePriority: 1, description: expect.any(String), selection: { tagStatus: 'tagged', tagPatternList: ['*-live'], countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
      { rulePriority: 2, description: expect.any(String), selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } },
      { rulePriority: 3, description: expect.any(String), selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } },
    ]);
  });
});

describe('ImageRepository with props', () => {
  test('keepReleaseImages and untaggedImageExpiry set the count and age rules', () => {
    const { template } = synth({ keepReleaseImages: 5, untaggedImageExpiry: Duration.days(2) });
    const rules = lifecycleRules(template);
    expect(rules.find((r) => r.selection.tagStatus === 'untagged')?.selection.countNumber).toBe(2);
    expect(rules[rules.length - 1].selection).toMatchObject({ tagPatternList: ['*'], countNumber: 5 });
  });

  test('each mutable pattern is an exclusion filter and gets its own protecting rule (patterns in one rule would AND)', () => {
    const { template } = synth({ mutableTagPatterns: ['*-live', '*-previous'] });
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutabilityExclusionFilters: [
        Match.objectLike({ ImageTagMutabilityExclusionFilterValue: '*-live' }),
        Match.objectLike({ ImageTagMutabilityExclusionFilterValue: '*-previous' }),
      ],
    });
    const rules = lifecycleRules(template);
    expect(rules.slice(0, 2).map((r) => r.selection.tagPatternList)).toEqual([['*-live'], ['*-previous']]);
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3, 4]);
  });

  test('no mutable patterns: every tag immutable, no exclusion filters', () => {
    const { template } = synth({ mutableTagPatterns: [] });
    template.hasResourceProperties('AWS::ECR::Repository', { ImageTagMutability: 'IMMUTABLE', ImageTagMutabilityExclusionFilters: Match.absent() });
    expect(lifecycleRules(template)).toHaveLength(2);
  });

  test('a given key and name are used, and no key is created', () => {
    const stack = new Stack(newApp(), 'Test', { env: ENV });
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    new ImageRepository(stack, 'Repo', { encryptionKey: key, repositoryName: 'bluegreen-fleet/api' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'bluegreen-fleet/api',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('Shared'), 'Arn'] } },
    });
  });

  test('removalPolicy is honoured', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Delete' });
  });

  test('replication: one registry configuration, one rule per set of destinations, repositories as prefix filters', () => {
    const { template } = synth({ repositoryName: 'bluegreen-fleet/api', replicationRegions: ['ap-northeast-3'] }, (stack) => {
      new ImageRepository(stack, 'Web', { repositoryName: 'bluegreen-fleet/web', replicationRegions: ['ap-northeast-3'] });
      new ImageRepository(stack, 'Batch', { repositoryName: 'bluegreen-fleet/batch', replicationRegions: ['us-west-2', 'ap-northeast-3'] });
      new ImageRepository(stack, 'Local', { repositoryName: 'bluegreen-fleet/local' });
    });
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    template.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          {
            Destinations: [{ Region: 'ap-northeast-3', RegistryId: '123456789012' }],
            RepositoryFilters: [
              { Filter: { Ref: Match.stringLikeRegexp('^Repo') }, FilterType: 'PREFIX_MATCH' },
              { Filter: { Ref: Match.stringLikeRegexp('^Web') }, FilterType: 'PREFIX_MATCH' },
            ],
          },
          {
            Destinations: [
              { Region: 'ap-northeast-3', RegistryId: '123456789012' },
              { Region: 'us-west-2', RegistryId: '123456789012' },
            ],
            RepositoryFilters: [{ Filter: { Ref: Match.stringLikeRegexp('^Batch') }, FilterType: 'PREFIX_MATCH' }],
          },
        ],
      },
    });
  });
});

describe('ImageRepository grants', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({ repositoryName: 'bluegreen-fleet/api' }, (stack, repo) => {
      const principal = new iam.AccountRootPrincipal();
      repo.grantPull(new iam.Role(stack, 'Puller', { assumedBy: principal }));
      repo.grantPush(new iam.Role(stack, 'Pusher', { assumedBy: principal }));
      repo.grantRelease(new iam.Role(stack, 'Releaser', { assumedBy: principal }));
      new iam.Role(stack, 'Bystander', { assumedBy: principal }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }));
    }));
  });

  const repoArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Repo'), 'Arn'] };
  function policyOf(role: string) {
    return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0]?.Properties.PolicyDocument;
  }

  test('pull: layer and manifest reads on the repository, the login token on *', () => {
    expect(policyOf('Puller').Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: expect.anything() }),
        { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
      ]),
    );
    expect(JSON.stringify(policyOf('Puller'))).not.toMatch(/PutImage|kms:/);
  });

  test('push: upload actions and digest lookup on the repository only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Pusher') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart']), Resource: repoArn }),
        ]),
      },
    });
  });

  test('release: retag and scan findings without layer upload', () => {
    const doc = JSON.stringify(policyOf('Releaser'));
    expect(doc).toMatch(/ecr:PutImage/);
    expect(doc).toMatch(/ecr:DescribeImageScanFindings/);
    expect(doc).not.toMatch(/UploadLayerPart|GetAuthorizationToken/);
  });

  test('a role that was not granted gets nothing on the repository', () => {
    expect(JSON.stringify(policyOf('Bystander'))).not.toMatch(/ecr:/);
  });

  test('imageUriForDigest pins a digest and rejects a tag', () => {
    const { repo, stack } = synth();
    expect(stack.resolve(repo.imageUriForDigest(`sha256:${'a'.repeat(64)}`))).toEqual(expect.objectContaining({ 'Fn::Join': expect.anything() }));
    expect(() => repo.imageUriForDigest('latest')).toThrow(/digest "latest" must look like sha256/);
  });
});

describe('ImageRepository validation', () => {
  test.each<[ImageRepositoryProps, RegExp]>([
    [{ repositoryName: 'Bad_Name' }, /repositoryName "Bad_Name"/],
    [{ keepReleaseImages: 0 }, /keepReleaseImages 0/],
    [{ keepReleaseImages: 2.5 }, /keepReleaseImages 2.5/],
    [{ untaggedImageExpiry: Duration.hours(36) }, /untaggedImageExpiry .* whole number of days/],
    [{ mutableTagPatterns: ['*'] }, /"\*" would make every tag mutable/],
    [{ mutableTagPatterns: ['bad tag'] }, /mutableTagPatterns entry "bad tag"/],
    [{ mutableTagPatterns: ['a', 'b', 'c', 'd', 'e', 'f'] }, /at most 5/],
    [{ replicationRegions: ['ap-northeast-1'] }, /stack's own region/],
    [{ replicationRegions: ['mars-1'] }, /"mars-1" must be an AWS region/],
  ])('%j is rejected', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
