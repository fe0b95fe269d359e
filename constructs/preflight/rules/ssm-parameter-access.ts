import { AssemblyStack } from '../assembly';
import { describePrincipal, isAllowed } from '../iam';
import { updateCallers } from '../stack-roles';
import { onPrincipal, PreflightFinding, PreflightRule, PreflightSeverity, requestOf } from '../types';
import { or } from '../values';

const DOC = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html#cloudformation-supplied-parameter-types-ssm';

/**
 * The ARN of a Systems Manager parameter: a name with a leading slash is appended to
 * `parameter`, one without gets one; AWS public parameters (/aws/service/...) have no account
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html,
 * https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3363).
 */
export function parameterArn(stack: AssemblyStack, name: string): string {
  if (name.startsWith('arn:')) return name;
  const account = name.startsWith('/aws/service/') ? '' : stack.account;
  return `arn:aws:ssm:${stack.region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/**
 * CloudFormation resolves `AWS::SSM::Parameter::Value<...>` parameters on every create and
 * update, UsePreviousValue included, with the credentials of whoever calls UpdateStack or
 * CreateChangeSet: a caller that cannot ssm:GetParameters gets "AccessDenied. User doesn't have
 * permission to call ssm:GetParameters" as a ValidationError (DOC; aws/aws-cdk#20959; the CDK
 * bootstrap template grants its deploy role ssm:GetParameters for this reason).
 */
export const ssmParameterAccess: PreflightRule = {
  id: 'SsmParameterAccess',
  title: 'Every identity that may update a stack can read its SSM-typed parameters',
  documentation: [DOC, 'https://github.com/aws/aws-cdk/issues/20959'],
  check(context) {
    const findings: PreflightFinding[] = [];
    for (const stack of context.assembly.stacks) {
      const ssm = Object.entries(stack.template.Parameters ?? {}).filter(([, p]) => typeof p.Type === 'string' && p.Type.startsWith('AWS::SSM::Parameter::'));
      if (ssm.length === 0) continue;
      const callers = updateCallers(context, stack);
      for (const [name, parameter] of ssm) {
        if (typeof parameter.Default !== 'string') {
          findings.push({ ruleId: this.id, severity: PreflightSeverity.WARNING, stackName: stack.stackName, templatePath: stack.templatePath, logicalId: name, location: `Parameters/${name}`, documentation: DOC, message: `${stack.stackName}: SSM-typed parameter ${name} has no default name, so who can read it cannot be checked` });
          continue;
        }
        const arn = parameterArn(stack, parameter.Default);
        for (const caller of callers) {
          // CloudFormation calls GetParameters; the CDK bootstrap template grants GetParameter too.
          const read = or(isAllowed(caller.principal, 'ssm:GetParameters', arn, { 'aws:RequestedRegion': stack.region }));
          if (read === 'yes') continue;
          findings.push({
            ruleId: this.id,
            // AWS public parameters: stacks that read them (e.g. the latest Amazon Linux AMI) deploy
            // through the CDK deploy role, which is granted no read of them, so they seem readable
            // without an identity allow. assumed, not documented: only a warning.
            severity: read === 'no' && caller.decision === 'yes' && !parameter.Default.startsWith('/aws/service/') ? PreflightSeverity.ERROR : PreflightSeverity.WARNING,
            ...onPrincipal(caller.principal, stack),
            location: `Parameters/${name}`,
            documentation: DOC,
            request: requestOf(caller.principal, ['ssm:GetParameters'], arn),
            message: `${describePrincipal(caller.principal)} ${caller.decision === 'yes' ? 'may' : 'might'} update ${stack.stackName} but ${read === 'no' ? 'cannot' : 'may not'} ssm:GetParameters ${parameter.Default} (parameter ${name}), which CloudFormation resolves again with the caller's credentials on every update: grant the read or drop the parameter.`,
          });
        }
      }
    }
    return findings;
  },
};
