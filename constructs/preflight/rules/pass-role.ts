import { constructPathOf, resourcesOfType } from '../assembly';
import { allowingStatements, describePrincipal, isAllowed, Principal, stackArn } from '../iam';
import { UPDATE_ACTIONS, updateCallers } from '../stack-roles';
import { onPrincipal, PreflightFinding, PreflightRule, PreflightSeverity, requestOf } from '../types';
import { globMatch, or, referencedRole } from '../values';

const DOC = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html';

/**
 * Handing a role to a service (CloudFormation's RoleArn, a schedule's target role, ...) needs
 * iam:PassRole on that role (DOC). The roles a caller hands over are found two ways: a Lambda
 * function whose environment holds a role's ARN passes that role (assumed: an ARN in a function's
 * environment is there to be handed to an API), and a caller whose UpdateStack grant is limited
 * to a `cloudformation:RoleArn` must pass that role.
 */
export const passRole: PreflightRule = {
  id: 'PassRole',
  title: 'Every role a caller hands to a service is one it may iam:PassRole',
  documentation: [DOC],
  check(context) {
    const findings: PreflightFinding[] = [];
    // The roles a list of cloudformation:RoleArn values names: a caller's list is the same for
    // each stack it may update, so the assembly's principals are searched once per list.
    const namedRoles = new Map<string, Principal[]>();
    const report = (caller: Principal, role: Principal, fallback: Parameters<typeof onPrincipal>[1], why: string, decision: 'no' | 'maybe', location: string, context: Record<string, string>) =>
      findings.push({
        ruleId: this.id,
        request: requestOf(caller, ['iam:PassRole'], role.arn, context),
        severity: decision === 'no' ? PreflightSeverity.ERROR : PreflightSeverity.WARNING,
        ...onPrincipal(caller, fallback),
        location,
        documentation: DOC,
        message: `${describePrincipal(caller)} passes ${describePrincipal(role)} (${why}) but ${decision === 'no' ? 'has no' : 'may have no'} iam:PassRole on it.`,
      });
    for (const stack of context.assembly.stacks) {
      for (const [id, fn] of resourcesOfType(stack, 'AWS::Lambda::Function')) {
        const roleId = referencedRole(stack, fn.Properties?.Role);
        const caller = context.iam.principals.find((p) => p.stack === stack && p.logicalId === roleId);
        const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
        for (const [name, value] of Object.entries(variables)) {
          const passedId = referencedRole(stack, value);
          const passed = passedId && context.iam.principals.find((p) => p.stack === stack && p.logicalId === passedId);
          if (!caller || !passed) continue;
          // The service it is passed to is the one the role trusts, when it trusts one.
          const service: Record<string, string> = passed.trustedServices.length === 1 ? { 'iam:PassedToService': passed.trustedServices[0] } : {};
          const d = isAllowed(caller, 'iam:PassRole', passed.arn, service);
          if (d !== 'yes') report(caller, passed, stack, `its ARN is ${id}'s environment variable ${name}; ${constructPathOf(fn) ?? id}`, d, `Properties/Environment/Variables/${name}`, service);
        }
      }
      for (const caller of updateCallers(context, stack)) {
        const grants = UPDATE_ACTIONS.flatMap((a) => allowingStatements(caller.principal, a, stackArn(stack)));
        const named = grants.flatMap((s) => Object.values(s.condition ?? {}).flatMap((keys) => keys['cloudformation:RoleArn'] ?? []));
        // No grant names a role: nothing to look for among the assembly's principals.
        if (named.length === 0) continue;
        const key = named.join('\n');
        let roles = namedRoles.get(key);
        if (!roles) namedRoles.set(key, (roles = context.iam.principals.filter((p) => or(...named.map((n) => globMatch(n, p.arn))) === 'yes')));
        for (const role of roles) {
          const context = { 'iam:PassedToService': 'cloudformation.amazonaws.com' };
          const d = isAllowed(caller.principal, 'iam:PassRole', role.arn, context);
          if (d !== 'yes') report(caller.principal, role, stack, `its UpdateStack on ${stack.stackName} requires cloudformation:RoleArn = that role`, d, 'Properties/PolicyDocument', context);
        }
      }
    }
    return findings;
  },
};
