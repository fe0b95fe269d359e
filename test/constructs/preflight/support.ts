import type { Assembly, AssemblyStack, TemplateJson } from '../../../constructs/preflight/assembly';
import { runPreflight } from '../../../constructs/preflight';
import type { RaisedQuota } from '../../../constructs/preflight';
import type { PreflightRule } from '../../../constructs/preflight';

export const ACCOUNT = '111111111111';
export const REGION = 'ap-northeast-1';

/** A hand-made stack of an assembly (the rules read templates, never files). */
export function stack(stackName: string, template: TemplateJson, options: Partial<AssemblyStack> = {}): AssemblyStack {
  return { stackName, artifactId: stackName, templatePath: `/assembly/${stackName}.template.json`, template, account: ACCOUNT, region: REGION, ...options };
}

/** Findings of one rule on some stacks. */
export function check(rule: PreflightRule, stacks: AssemblyStack[], raisedQuotas: RaisedQuota[] = []) {
  const assembly: Assembly = { stacks };
  return runPreflight(assembly, raisedQuotas, [rule]).findings;
}

export const lambdaTrust = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] };
export const cloudFormationTrust = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'cloudformation.amazonaws.com' } }] };

export function role(statements: unknown[] = [], extra: Record<string, unknown> = {}) {
  return { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: lambdaTrust, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }], ...extra } };
}

/** The CDK bootstrap role ARNs the manifest gives a stack of the DefaultStackSynthesizer. */
export const cdkRoles = {
  deployRoleArn: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${REGION}`,
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
  bootstrapVersionParameter: '/cdk-bootstrap/hnb659fds/version',
};

export const BOOTSTRAP_VERSION = { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' };
