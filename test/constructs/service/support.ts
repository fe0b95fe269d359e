import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlueGreenService, BlueGreenServiceProps } from '../../../constructs';
import { newApp } from '../../support/synth';

export const ENV = { account: '123456789012', region: 'ap-northeast-1' };

export interface Built {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly service: BlueGreenService;
  readonly template: Template;
}

export interface BuildHooks {
  /** Props that need the stack or the VPC (a hosted zone, a bucket). */
  readonly props?: (stack: Stack, vpc: ec2.Vpc) => Partial<BlueGreenServiceProps>;
  /** Runs after the service is built and before the template is taken (callers, grants). */
  readonly after?: (stack: Stack, vpc: ec2.Vpc, service: BlueGreenService) => void;
}

/** A stack with a VPC and one BlueGreenService `Svc` named `api`. */
export function buildService(props: Partial<BlueGreenServiceProps> = {}, hooks: BuildHooks = {}): Built {
  const app = newApp();
  const stack = new Stack(app, 'SvcStack', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const service = new BlueGreenService(stack, 'Svc', {
    vpc,
    serviceName: 'api',
    containerPort: 8080,
    fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')] },
    ...props,
    ...hooks.props?.(stack, vpc),
  });
  hooks.after?.(stack, vpc, service);
  return { stack, vpc, service, template: Template.fromStack(stack) };
}

type Json = unknown;

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * The template's resources as CloudFormation would see them for the given parameter values:
 * every `Fn::If` replaced by the branch its condition selects (conditions of the form
 * `Fn::Equals [Ref P, 'value']`, which is all BlueGreenService uses).
 */
export function resourcesFor(template: Template, parameters: Record<string, string>): Record<string, Json> {
  const json = template.toJSON() as { Conditions?: Record<string, { 'Fn::Equals': [Json, Json] }>; Resources: Record<string, Json> };
  const value = (v: Json): Json => (isObject(v) && 'Ref' in v && typeof v.Ref === 'string' && v.Ref in parameters ? parameters[v.Ref] : v);
  const conditions: Record<string, boolean> = {};
  for (const [name, expr] of Object.entries(json.Conditions ?? {})) {
    const [a, b] = expr['Fn::Equals'];
    conditions[name] = JSON.stringify(value(a)) === JSON.stringify(value(b));
  }
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk).filter((v) => v !== NO_VALUE);
    if (!isObject(node)) return node;
    // AWS::NoValue removes the property it is the value of:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html#cfn-pseudo-param-novalue
    if (node.Ref === 'AWS::NoValue') return NO_VALUE;
    if (typeof node.Ref === 'string' && node.Ref in parameters) return parameters[node.Ref];
    if ('Fn::If' in node) {
      const [condition, whenTrue, whenFalse] = node['Fn::If'] as [string, Json, Json];
      if (!(condition in conditions)) throw new Error(`unknown condition ${condition}`);
      return walk(conditions[condition] ? whenTrue : whenFalse);
    }
    if ('Fn::Select' in node) {
      const [index, list] = (node['Fn::Select'] as [Json, Json]).map(walk) as [Json, Json];
      // Only a literal list with a known index is evaluated (Fn::GetAZs, Fn::Split stay as they are).
      if (Array.isArray(list) && typeof index !== 'object') {
        // An index past the list fails the stack operation (the function's documented behaviour).
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new Error(`Fn::Select index ${String(index)} is out of range`);
        return list[i];
      }
      return { 'Fn::Select': [index, list] };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]).filter(([, v]) => v !== NO_VALUE));
  };
  return walk(json.Resources) as Record<string, Json>;
}

/** Logical ids whose definition differs between two sets of resources (added, removed or changed). */
export function changedResources(a: Record<string, Json>, b: Record<string, Json>): string[] {
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...ids].filter((id) => JSON.stringify(a[id]) !== JSON.stringify(b[id])).sort();
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The one resource of a type whose logical id starts with `prefix`. */
export function resourceOf(template: Template, type: string, prefix: string): { id: string; resource: Record<string, any> } {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return { id: found[0][0], resource: found[0][1] };
}
