import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addEnvironment, PERMISSIONS_BOUNDARY_NAME } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';
import { newApp } from '../support/synth';

/**
 * bootstrap/: the CDK execution policy and permissions boundary the environment accounts are
 * bootstrapped with. These tests hold them against the synthesized environment stacks, so a new
 * resource type or a role without the boundary fails here before a deploy fails in AWS.
 */

const DIR = path.join(__dirname, '../../bootstrap');
interface Statement { Sid: string; Effect: 'Allow' | 'Deny'; Action?: string | string[]; NotAction?: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }
const policy = (file: string): Statement[] => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')).Statement;
const execution = policy('execution-policy.json');
const boundary = policy('permissions-boundary.json');

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);
interface Request { action: string; resource: string; context?: Record<string, string> }
function conditionHolds(condition: Statement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      const values = [expected].flat();
      const ifExists = operator.endsWith('IfExists');
      if (actual === undefined) { if (ifExists || operator.startsWith('ArnNot') || operator.startsWith('StringNot')) continue; return false; }
      const base = operator.replace(/IfExists$/, '');
      const like = values.some((v) => glob(v, actual));
      if ((base === 'ArnLike' || base === 'StringLike') && !like) return false;
      if ((base === 'ArnNotLike' || base === 'StringNotLike') && like) return false;
      if (!['ArnLike', 'StringLike', 'ArnNotLike', 'StringNotLike'].includes(base)) throw new Error(`unsupported operator ${operator}`);
    }
  }
  return true;
}
function matches(s: Statement, r: Request): boolean {
  const action = s.Action ? [s.Action].flat().some((a) => glob(a, r.action)) : ![s.NotAction!].flat().some((a) => glob(a, r.action));
  return action && [s.Resource].flat().some((p) => glob(p, r.resource)) && conditionHolds(s.Condition, r.context ?? {});
}
const allows = (statements: Statement[], r: Request) => statements.some((s) => s.Effect === 'Allow' && matches(s, r)) && !statements.some((s) => s.Effect === 'Deny' && matches(s, r));

/** IAM prefix of a CloudFormation resource type's service. */
const PREFIX: Record<string, string> = {
  ApplicationAutoScaling: 'application-autoscaling', AutoScaling: 'autoscaling', CloudWatch: 'cloudwatch', DynamoDB: 'dynamodb', EC2: 'ec2', ECS: 'ecs',
  ElasticLoadBalancingV2: 'elasticloadbalancing', Events: 'events', IAM: 'iam', KMS: 'kms', Lambda: 'lambda', Logs: 'logs', Route53: 'route53', S3: 's3', Scheduler: 'scheduler',
};

describe('the bootstrap policies against the environment stacks', () => {
  let templates: Array<{ name: string; json: any }>;
  beforeAll(() => {
    const app = newApp();
    const { network, services } = addEnvironment(app, ENVIRONMENTS.production);
    templates = [network, ...services].map((s: Stack) => ({ name: s.stackName, json: Template.fromStack(s).toJSON() }));
  });

  test('every role of the environment stacks carries the permissions boundary (custom resource providers included)', () => {
    let roles = 0;
    for (const { name, json } of templates) {
      for (const [id, r] of Object.entries<any>(json.Resources)) {
        if (r.Type !== 'AWS::IAM::Role') continue;
        roles++;
        expect({ name, id, boundary: JSON.stringify(r.Properties.PermissionsBoundary ?? null) }).toEqual({ name, id, boundary: expect.stringContaining(`:policy/${PERMISSIONS_BOUNDARY_NAME}`) });
      }
    }
    expect(roles).toBeGreaterThan(10);
  });

  test('the execution policy covers the service of every resource type the environment stacks create', () => {
    const types = new Set(templates.flatMap(({ json }) => Object.values<any>(json.Resources).map((r) => r.Type as string)).filter((t) => t.startsWith('AWS::')));
    for (const type of types) {
      const prefix = PREFIX[type.split('::')[1]];
      expect({ type, prefix }).toEqual({ type, prefix: expect.any(String) });
      if (prefix === 'iam') continue; // roles: the next test
      expect({ type, allowed: allows(execution, { action: `${prefix}:Create${type.split('::')[2]}`, resource: 'arn:aws:x' }) }).toEqual({ type, allowed: true });
    }
  });

  test('the execution role may create the app\'s roles only with the boundary, and may pass only the app\'s roles', () => {
    const role = 'arn:aws:iam::210987654321:role/bgf-production-api-ServiceBlueTaskRole-ABC';
    const withBoundary = { 'iam:PermissionsBoundary': `arn:aws:iam::210987654321:policy/${PERMISSIONS_BOUNDARY_NAME}` };
    expect(allows(execution, { action: 'iam:CreateRole', resource: role, context: withBoundary })).toBe(true);
    expect(allows(execution, { action: 'iam:CreateRole', resource: role })).toBe(false);
    expect(allows(execution, { action: 'iam:CreateRole', resource: role, context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' } })).toBe(false);
    expect(allows(execution, { action: 'iam:PassRole', resource: role })).toBe(true);
    expect(allows(execution, { action: 'iam:PassRole', resource: 'arn:aws:iam::210987654321:role/cdk-hnb659fds-cfn-exec-role-210987654321-ap-northeast-1' })).toBe(false);
    expect(allows(execution, { action: 'iam:CreateUser', resource: 'arn:aws:iam::210987654321:user/x' })).toBe(false);
  });

  test('the boundary keeps every action the environment stacks\' inline policies grant', () => {
    for (const { name, json } of templates) {
      for (const r of Object.values<any>(json.Resources).filter((x) => x.Type === 'AWS::IAM::Policy' || x.Type === 'AWS::IAM::Role')) {
        const documents = r.Type === 'AWS::IAM::Policy' ? [r.Properties.PolicyDocument] : (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument);
        for (const s of documents.flatMap((d: any) => d.Statement)) {
          if (s.Effect !== 'Allow') continue;
          for (const action of [s.Action].flat()) {
            expect({ name, action, kept: allows(boundary, { action: action.replace(/\*/g, 'X'), resource: 'arn:aws:ecs:ap-northeast-1:210987654321:service/bgf-production-api/x' }) }).toEqual({ name, action, kept: true });
          }
        }
      }
    }
  });

  test('under the boundary nothing can change the CI roles, the bootstrap roles, the provider or the boundary itself', () => {
    for (const request of [
      { action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::210987654321:role/bgf-ci-deploy-production' },
      { action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::210987654321:role/bgf-ci-release-production' },
      { action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::210987654321:role/cdk-hnb659fds-cfn-exec-role-210987654321-ap-northeast-1' },
      { action: 'iam:UpdateOpenIDConnectProviderThumbprint', resource: 'arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com' },
      { action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::210987654321:policy/${PERMISSIONS_BOUNDARY_NAME}` },
      { action: 'iam:DeleteRolePermissionsBoundary', resource: 'arn:aws:iam::210987654321:role/bgf-production-api-X' },
      { action: 'iam:CreateRole', resource: 'arn:aws:iam::210987654321:role/bgf-production-api-X' },
      { action: 'iam:CreateAccessKey', resource: 'arn:aws:iam::210987654321:user/x' },
      { action: 'sts:AssumeRole', resource: 'arn:aws:iam::210987654321:role/cdk-hnb659fds-deploy-role-210987654321-ap-northeast-1' },
      { action: 'organizations:LeaveOrganization', resource: '*' },
    ]) expect({ ...request, allowed: allows(boundary, request) }).toEqual({ ...request, allowed: false });
    expect(allows(boundary, { action: 'iam:CreateRole', resource: 'arn:aws:iam::210987654321:role/bgf-production-api-X', context: { 'iam:PermissionsBoundary': `arn:aws:iam::210987654321:policy/${PERMISSIONS_BOUNDARY_NAME}` } })).toBe(true);
  });

  test('the README gives the exact bootstrap command with both policies, and no --trust', () => {
    const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
    expect(readme).toMatch(/--cloudformation-execution-policies "arn:aws:iam::\$ACCOUNT:policy\/bgf-cdk-execution"/);
    expect(readme).toMatch(new RegExp(`--custom-permissions-boundary ${PERMISSIONS_BOUNDARY_NAME}\\b`));
    expect(readme).toContain('--policy-document file://bootstrap/execution-policy.json');
    expect(readme).toContain('--policy-document file://bootstrap/permissions-boundary.json');
    expect(readme).not.toMatch(/^\s*npx cdk bootstrap.*--trust/m);
  });
});
