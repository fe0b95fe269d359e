import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { addShared, stackNames } from '../../lib/app';
import { ENVIRONMENTS, SHARED } from '../../lib/config';
import { REPOSITORY_PREFIX } from '../../lib/stacks/shared-stack';
import { SECRET_LOOKING } from '../support/secrets';
import { GatedApp, gatedApp, GatedStack } from '../support/gated-app';
import { newApp } from '../support/synth';


describe('the shared stack, as the app builds it (policy gates on)', () => {
  // The whole app's shared stack, synthesized once per version of the app (test/support/gated-app.ts).
  let stack: GatedStack;
  let template: Template;
  let app: GatedApp;

  beforeAll(() => {
    app = gatedApp();
    stack = app.stack(stackNames.shared());
    template = stack.template;
  });

  test('synthesizes with no unacknowledged cdk-nag or cfn-guard finding', () => {
    const names = app.report.pluginReports.map((r) => r.pluginName).sort();
    expect(names).toEqual(expect.arrayContaining(['AwsSolutions', 'cdk-validator-cfnguard']));
    // The whole app's report: nothing open anywhere, so nothing open on this stack either.
    expect(app.report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  test('keeps its contract name, tags and termination protection', () => {
    expect(stack.stackName).toBe(stackNames.shared());
    expect(stack.terminationProtection).toBe(true);
    template.allResourcesProperties('AWS::IAM::Role', { Tags: Match.arrayWith([{ Key: 'bluegreen-fleet:environment', Value: 'shared' }]) });
  });

  test('one repository per service across all environments, named bluegreen-fleet/<service>', () => {
    const services = [...new Set(Object.values(ENVIRONMENTS).flatMap((e) => e.services.map((s) => s.name)))].sort();
    expect(services).toEqual(['api', 'web']);
    template.resourceCountIs('AWS::ECR::Repository', services.length);
    for (const service of services) {
      template.hasResource('AWS::ECR::Repository', {
        Properties: Match.objectLike({
          RepositoryName: `${REPOSITORY_PREFIX}${service}`,
          ImageScanningConfiguration: { ScanOnPush: true },
          EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImageKey'), 'Arn'] } },
          ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        }),
        DeletionPolicy: 'Retain',
      });
    }
  });

  test('lifecycle rules come from the shared config', () => {
    for (const repo of Object.values(template.findResources('AWS::ECR::Repository'))) {
      const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
      expect(rules.find((r: any) => r.selection.tagStatus === 'untagged').selection.countNumber).toBe(SHARED.untaggedImageExpiryDays);
      expect(rules[rules.length - 1].selection).toMatchObject({ tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: SHARED.keepReleaseImages });
    }
  });

  test('images replicate to the configured region', () => {
    template.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: { Rules: [Match.objectLike({ Destinations: [{ Region: SHARED.replicationRegion, RegistryId: SHARED.account }] })] },
    });
  });

  test('two customer-managed keys (images, build secrets), both rotating and both refusing foreign grants', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources' })]) },
    });
  });

  test('each configured build secret exists, encrypted with the build-secrets key', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', SHARED.buildSecrets.length);
    for (const name of SHARED.buildSecrets) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `bluegreen-fleet/build/${name}`,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildSecretsKey'), 'Arn'] },
      });
    }
  });

  test('only the build role may read the build secrets', () => {
    const granted = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('secretsmanager:GetSecretValue'));
    expect(granted.map((p) => p.Properties.Roles)).toEqual([[{ Ref: expect.stringMatching(/^CiBuildRole/) }]]);
    for (const policy of Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'))) {
      const readers = policy.Properties.ResourcePolicy.Statement[0].Condition.ArnNotEquals['aws:PrincipalArn'];
      expect(readers).toEqual([expect.stringMatching(/:root$/), { 'Fn::GetAtt': [expect.stringMatching(/^CiBuildRole/), 'Arn'] }]);
    }
  });

  test('the one CI role here is the build role, trusted by build.yml on main of the configured repository', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).map((r) => ({
      name: r.Properties.RoleName,
      sub: r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'],
    }));
    const repo = SHARED.githubRepository;
    expect(roles).toEqual([{ name: 'bgf-ci-build', sub: [`repo:${repo}:ref:refs/heads/main:job_workflow_ref:${repo}/.github/workflows/build.yml@refs/heads/main`] }]);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('the build role pushes to every repository; each environment\'s release role (by ARN, in its account) may retag but not push layers', () => {
    const policyOf = (role: string) => JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0]);
    expect(policyOf('CiBuildRole')).toMatch(/ecr:UploadLayerPart/);
    for (const repo of Object.values(template.findResources('AWS::ECR::Repository'))) {
      const statements = repo.Properties.RepositoryPolicyText.Statement as any[];
      for (const env of Object.values(ENVIRONMENTS)) {
        const release = statements.find((s) => s.Condition?.ArnEquals?.['aws:PrincipalArn']?.['Fn::Join']?.[1]?.join?.('').includes(`:role/bgf-ci-release-${env.name}`)
          || JSON.stringify(s.Condition ?? {}).includes(`:iam::${env.account}:role/bgf-ci-release-${env.name}"`));
        expect(release).toBeDefined();
        expect(release.Action).toEqual(['ecr:BatchGetImage', 'ecr:DescribeImageScanFindings', 'ecr:DescribeImages', 'ecr:PutImage']);
        expect(JSON.stringify(release.Principal)).toContain(`:iam::${env.account}:root`);
      }
      expect(JSON.stringify(statements)).not.toMatch(/UploadLayerPart/);
    }
  });

  test('outputs: repository URIs, the build role, secret names and key', () => {
    const outputs = Object.keys(template.toJSON().Outputs).sort();
    expect(outputs).toEqual(['ApiRepositoryUri', 'WebRepositoryUri', 'BuildRoleArn', 'BuildSecretNames', 'BuildSecretsKeyArn'].sort());
    template.hasOutput('BuildSecretNames', { Value: SHARED.buildSecrets.map((n) => `bluegreen-fleet/build/${n}`).join(',') });
  });

  test('no secret-looking value appears in the template', () => {
    const text = JSON.stringify(template.toJSON());
    for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
  });
});

describe('the replication Region (ECR repository creation template)', () => {
  test('replicas are created with KMS and immutable tags but the *-live pointers, by a role only ECR of this account can assume; the shared stack deploys after it', () => {
    const app = newApp();
    const shared = addShared(app, SHARED, Object.values(ENVIRONMENTS));
    const replica = app.node.findChild(stackNames.sharedReplica()) as Stack;
    expect(replica.region).toBe(SHARED.replicationRegion);
    expect(shared.dependencies).toContain(replica);
    const template = Template.fromStack(replica);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'bluegreen-fleet',
      AppliedFor: ['REPLICATION'],
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } },
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-live' }],
      CustomRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Role'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecr.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': SHARED.account } } })] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('no replication region: no replica stack', () => {
    const app = newApp();
    addShared(app, { ...SHARED, replicationRegion: undefined }, Object.values(ENVIRONMENTS));
    expect(app.node.tryFindChild(stackNames.sharedReplica())).toBeUndefined();
  });
});

describe('the shared stack from other configs', () => {
  test('no build secrets configured: no key, secrets or secret outputs', () => {
    const stack = addShared(newApp(), { ...SHARED, buildSecrets: [], replicationRegion: undefined }, Object.values(ENVIRONMENTS));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('BuildSecretNames');
  });

  test('environments in another account may pull; an existing OIDC provider of the shared account is imported (githubOidcProviderArns)', () => {
    const production = { ...ENVIRONMENTS.production, account: '210987654321' };
    const stack = addShared(newApp(), {
      ...SHARED,
      githubOidcProviderArns: [`arn:aws:iam::${SHARED.account}:oidc-provider/token.actions.githubusercontent.com`],
    }, [ENVIRONMENTS.dev, production]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    for (const repo of Object.values(template.findResources('AWS::ECR::Repository'))) {
      const statements = repo.Properties.RepositoryPolicyText.Statement as any[];
      const pull = statements.filter((s) => [s.Action].flat().includes('ecr:GetDownloadUrlForLayer'));
      expect(pull).toHaveLength(1);
      expect(JSON.stringify(pull[0].Principal)).toContain(':iam::210987654321:root');
      expect(JSON.stringify(pull)).not.toContain(`:iam::${SHARED.account}:root`);
    }
  });

  test('a service in several environments gets one repository', () => {
    const dev = ENVIRONMENTS.dev;
    const stack = addShared(newApp(), SHARED, [dev, { ...dev, name: 'dev2' }]);
    Template.fromStack(stack).resourceCountIs('AWS::ECR::Repository', dev.services.length);
  });
});

describe('test snapshots', () => {
  test('no snapshot in the repository holds a secret-looking value', () => {
    const root = path.join(__dirname, '..');
    const snapshots: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.snap')) snapshots.push(full);
      }
    };
    walk(root);
    for (const file of snapshots) {
      const text = fs.readFileSync(file, 'utf8');
      for (const pattern of SECRET_LOOKING.slice(0, -1)) expect({ file, leak: pattern.test(text) }).toEqual({ file, leak: false });
    }
  });
});
