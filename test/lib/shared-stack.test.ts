import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fs from 'fs';
import * as path from 'path';
import { addShared, stackNames } from '../../lib/app';
import { ENVIRONMENTS, SHARED } from '../../lib/config';
import { REPOSITORY_PREFIX, SharedStack } from '../../lib/stacks/shared-stack';
import { SECRET_LOOKING } from '../support/secrets';
import { buildTestApp, newApp } from '../support/synth';


describe('the shared stack, as the app builds it (-c env=shared, policy gates on)', () => {
  let stack: SharedStack;
  let template: Template;
  let assembly: cxapi.CloudAssembly;

  beforeAll(() => {
    const { app, built } = buildTestApp({ env: 'shared' });
    stack = built.shared as SharedStack;
    assembly = app.synth();
    template = Template.fromStack(stack);
  });

  test('synthesizes with no unacknowledged cdk-nag or cfn-guard finding', () => {
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations);
    expect(report.pluginReports.map((r: { pluginName: string }) => r.pluginName).sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
    expect(violations).toEqual([]);
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

  test('CI roles trust the configured repository only: build, diff, and one deploy role per environment', () => {
    const subjects = Object.values(template.findResources('AWS::IAM::Role')).map((r) => ({
      name: r.Properties.RoleName,
      sub: r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'],
    }));
    const repo = SHARED.githubRepository;
    expect(subjects).toEqual(
      expect.arrayContaining([
        { name: 'bgf-ci-build', sub: [`repo:${repo}:ref:refs/heads/main`] },
        { name: 'bgf-ci-diff', sub: [`repo:${repo}:pull_request`] },
        ...Object.keys(ENVIRONMENTS).map((env) => ({ name: `bgf-ci-deploy-${env}`, sub: [`repo:${repo}:environment:${env}`] })),
      ]),
    );
    expect(subjects).toHaveLength(2 + Object.keys(ENVIRONMENTS).length);
  });

  test('the build role pushes to every repository; deploy roles may retag but not push layers', () => {
    const policyOf = (role: string) => JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0]);
    expect(policyOf('CiBuildRole')).toMatch(/ecr:UploadLayerPart/);
    expect(policyOf('CiDeployProductionRole')).toMatch(/ecr:PutImage/);
    expect(policyOf('CiDeployProductionRole')).not.toMatch(/ecr:UploadLayerPart|secretsmanager:/);
    expect(policyOf('CiDiffRole')).not.toMatch(/ecr:|secretsmanager:|UpdateStack/);
  });

  test('outputs: repository URIs, role ARNs, secret names and key', () => {
    const outputs = Object.keys(template.toJSON().Outputs).sort();
    expect(outputs).toEqual(
      ['ApiRepositoryUri', 'WebRepositoryUri', 'BuildRoleArn', 'DiffRoleArn', 'BuildSecretNames', 'BuildSecretsKeyArn', ...Object.keys(ENVIRONMENTS).map((e) => `Deploy${e.charAt(0).toUpperCase()}${e.slice(1)}RoleArn`)].sort(),
    );
    template.hasOutput('BuildSecretNames', { Value: SHARED.buildSecrets.map((n) => `bluegreen-fleet/build/${n}`).join(',') });
  });

  test('no secret-looking value appears in the template', () => {
    const text = JSON.stringify(template.toJSON());
    for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
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
