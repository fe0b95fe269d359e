import { AssemblyStack } from '../assembly';
import { describePrincipal, isAllowed, stackArn } from '../iam';
import { executionRoles } from '../stack-roles';
import { onPrincipal, PreflightFinding, PreflightRule, PreflightSeverity, requestOf } from '../types';
import { resolveString, UNKNOWN } from '../values';

const DOC = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html';

export interface StackOutputReference {
  readonly stackName: string;
  readonly region: string;
  readonly outputName: string;
  readonly roleArn?: string;
  /** Where in the consumer's template, e.g. `Resources/Service/Properties/...`. */
  readonly location: string;
}

/** Every Fn::GetStackOutput in a template (resources, outputs, conditions). */
export function stackOutputReferences(stack: AssemblyStack): StackOutputReference[] {
  const found: StackOutputReference[] = [];
  const walk = (value: unknown, where: string) => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}/${i}`));
    const ref = (value as Record<string, unknown>)['Fn::GetStackOutput'] as Record<string, unknown> | undefined;
    if (ref && typeof ref === 'object') {
      found.push({
        stackName: resolveString(stack, ref.StackName),
        // Region defaults to the consumer's (DOC).
        region: ref.Region !== undefined ? resolveString(stack, ref.Region) : stack.region,
        outputName: resolveString(stack, ref.OutputName),
        roleArn: ref.RoleArn !== undefined ? resolveString(stack, ref.RoleArn) : undefined,
        location: where,
      });
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, `${where}/${k}`);
  };
  for (const section of ['Resources', 'Outputs', 'Conditions'] as const) walk(stack.template[section], section);
  return found;
}

/**
 * CloudFormation resolves Fn::GetStackOutput on every create and update of the consumer, as the
 * consumer's execution role unless the reference names a RoleArn, which then needs
 * cloudformation:DescribeStacks on the producer (DOC). So every role that may be the consumer's
 * execution role must be able to describe each producer it references without a RoleArn.
 */
export const stackOutputAccess: PreflightRule = {
  id: 'StackOutputAccess',
  title: "Every execution role of a stack can describe the producers of its Fn::GetStackOutput references",
  documentation: [DOC],
  check(context) {
    const findings: PreflightFinding[] = [];
    for (const stack of context.assembly.stacks) {
      const refs = stackOutputReferences(stack);
      if (refs.length === 0) continue;
      const producers = new Map<string, StackOutputReference>();
      for (const r of refs) if (r.roleArn === undefined) producers.set(`${r.region}/${r.stackName}`, r);
      const roles = executionRoles(context, stack);
      for (const producer of producers.values()) {
        const arn = stackArn({ stackName: producer.stackName.includes(UNKNOWN) ? UNKNOWN : producer.stackName, account: stack.account, region: producer.region });
        for (const role of roles) {
          const describe = isAllowed(role.principal, 'cloudformation:DescribeStacks', arn, { 'aws:RequestedRegion': producer.region });
          if (describe === 'yes') continue;
          findings.push({
            ruleId: this.id,
            severity: describe === 'no' ? PreflightSeverity.ERROR : PreflightSeverity.WARNING,
            ...onPrincipal(role.principal, stack),
            location: producer.location,
            documentation: DOC,
            request: requestOf(role.principal, ['cloudformation:DescribeStacks'], arn),
            message: `${describePrincipal(role.principal)} may run updates of ${stack.stackName} (${role.via}) but ${describe === 'no' ? 'cannot' : 'may not'} cloudformation:DescribeStacks ${producer.stackName} in ${producer.region}, whose outputs the stack reads with Fn::GetStackOutput on every update: grant it, name a RoleArn in the reference, or publish the values under fixed names.`,
          });
        }
      }
    }
    return findings;
  },
};
