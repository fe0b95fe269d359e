import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { addCi, addShared, stackNames } from '../../lib/app';
import { addPolicyGates } from '../../lib/policy';
import { ENVIRONMENTS, SHARED } from '../../lib/config';
import { CiStack } from '../../lib/stacks/ci-stack';
import { newApp } from '../support/synth';

const PRODUCTION_ACCOUNT = '210987654321';
const production = { ...ENVIRONMENTS.production, account: PRODUCTION_ACCOUNT };

describe('the CI stacks, as the app builds them (policy gates on)', () => {
  let app: App;

  beforeAll(() => {
    // What buildApp adds for these environments, without the (slow to validate) service stacks.
    app = newApp();
    addPolicyGates(app);
    const shared = addShared(app, SHARED, [ENVIRONMENTS.dev, production]);
    for (const env of [ENVIRONMENTS.dev, production]) addCi(app, env, SHARED, shared, [ENVIRONMENTS.dev, production]);
  });

  test('one CI stack per environment, named bgf-ci-<env> (outside the bgf-<env>-* pattern the deploy workflow deploys)', () => {
    const names = app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);
    expect(names).toEqual(expect.arrayContaining([stackNames.ci('dev'), stackNames.ci('production')]));
    expect(stackNames.ci('production')).toBe('bgf-ci-production');
    expect(stackNames.ci('production').startsWith('bgf-production-')).toBe(false);
  });

  test('synthesize with no unacknowledged cdk-nag or cfn-guard finding', () => {
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });

  test('production\'s CI stack is termination protected; the outputs name the three roles', () => {
    const stack = app.node.findChild(stackNames.ci('production')) as CiStack;
    expect(stack.terminationProtection).toBe(true);
    expect(Object.keys(Template.fromStack(stack).toJSON().Outputs).sort()).toEqual(['DeployRoleArn', 'LiveStateRoleArn', 'ReleaseRoleArn']);
  });
});

describe('the GitHub OIDC provider exists once per account', () => {
  const providers = (stack: Stack) => Object.keys(Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider')).length;

  test('the shared stack creates it in its account; CI stacks of that account import it and deploy after the shared stack', () => {
    const app = newApp();
    const shared = addShared(app, SHARED, [ENVIRONMENTS.dev, production]);
    const dev = addCi(app, ENVIRONMENTS.dev, SHARED, shared);
    expect(providers(shared)).toBe(1);
    expect(providers(dev)).toBe(0);
    expect(dev.dependencies).toContain(shared);
  });

  test('in an account without the shared stack, the first environment\'s CI stack creates it and the others import it', () => {
    const app = newApp();
    const all = [ENVIRONMENTS.dev, ENVIRONMENTS.staging, production, { ...ENVIRONMENTS.load, account: PRODUCTION_ACCOUNT }];
    const load = addCi(app, all[3], SHARED, undefined, all);
    const prod = addCi(app, production, SHARED, undefined, all);
    // Standard order: dev, staging, production, load; production comes first in that account.
    expect(providers(prod)).toBe(1);
    expect(providers(load)).toBe(0);
  });

  test('githubOidcProviderArns: an existing provider is imported, never created', () => {
    const app = newApp();
    const prod = addCi(app, production, { ...SHARED, githubOidcProviderArns: [`arn:aws:iam::${PRODUCTION_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`] });
    expect(providers(prod)).toBe(0);
    const trust = JSON.stringify(Template.fromStack(prod).findResources('AWS::IAM::Role'));
    expect(trust).toContain(`arn:aws:iam::${PRODUCTION_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
  });

  test('the release role may re-tag the environment\'s service images in the shared account', () => {
    const app = newApp();
    const prod = addCi(app, production, SHARED);
    const text = JSON.stringify(Template.fromStack(prod).findResources('AWS::IAM::Policy'));
    for (const service of production.services) expect(text).toContain(`arn:aws:ecr:${SHARED.region}:${SHARED.account}:repository/bluegreen-fleet/${service.name}`);
  });
});
