import { AssemblyStack } from './assembly';
import { allowingStatements, describePrincipal, isAllowed, Principal, stackArn } from './iam';
import { RuleContext } from './types';
import { Decision, globMatch, or } from './values';

/** The calls that make CloudFormation update a stack (and resolve its parameters again). */
export const UPDATE_ACTIONS = ['cloudformation:UpdateStack', 'cloudformation:CreateChangeSet'] as const;

export interface StackCaller {
  readonly principal: Principal;
  readonly decision: Decision;
}

/** The account of a principal (its stack's, or the one in its ARN). */
function accountOf(principal: Principal): string | undefined {
  return principal.stack?.account ?? /^arn:aws[a-z-]*:iam::([^:]+):/.exec(principal.arn)?.[1];
}

/**
 * Every principal of the stack's account whose policies allow UpdateStack or CreateChangeSet on
 * it (`maybe` included: a gate must not assume a caller away). The CDK execution role is a
 * service role CloudFormation assumes, not a caller. Managed policies the assembly does not show
 * (e.g. AmazonSSMManagedInstanceCore) are assumed not to grant stack updates; `--live`
 * simulates the real policies.
 */
export function updateCallers(context: RuleContext, stack: AssemblyStack): StackCaller[] {
  // Three rules ask for every stack: compute once per model.
  let byStack = callerCache.get(context.iam);
  if (!byStack) callerCache.set(context.iam, (byStack = new Map()));
  const hit = byStack.get(stack);
  if (hit) return hit;
  const arn = stackArn(stack);
  const callers = context.iam.principals
    .filter((p) => p.kind !== 'cdk-execution-role' && accountOf(p) === stack.account)
    .map((principal) => ({ principal, decision: or(...UPDATE_ACTIONS.map((a) => isAllowed(principal, a, arn, {}, false))) }))
    .filter((c) => c.decision !== 'no');
  byStack.set(stack, callers);
  return callers;
}

const callerCache = new WeakMap<object, Map<AssemblyStack, StackCaller[]>>();

export interface ExecutionRole {
  readonly principal: Principal;
  /** Who makes CloudFormation use it. */
  readonly via: string;
}

const CFN = 'cloudformation.amazonaws.com';

/**
 * The roles CloudFormation may run the stack's updates as: the CDK execution role cdk deploy
 * passes, and every role a caller of UpdateStack may pass as RoleArn — the values of a
 * `cloudformation:RoleArn` condition on its UpdateStack grant when it has one
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-policy-keys),
 * else every role trusting CloudFormation that it may iam:PassRole to CloudFormation
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html).
 */
export function executionRoles(context: RuleContext, stack: AssemblyStack): ExecutionRole[] {
  const found = new Map<string, ExecutionRole>();
  const add = (principal: Principal, via: string) => {
    if (!found.has(principal.key)) found.set(principal.key, { principal, via });
  };
  const cdkRole = context.iam.principals.find((p) => p.kind === 'cdk-execution-role' && p.arn === stack.executionRoleArn);
  if (cdkRole) add(cdkRole, 'cdk deploy');
  const serviceRoles = context.iam.principals.filter((p) => p.trustedServices.includes(CFN) && accountOf(p) === stack.account);
  const arn = stackArn(stack);
  for (const caller of updateCallers(context, stack)) {
    const grants = UPDATE_ACTIONS.flatMap((a) => allowingStatements(caller.principal, a, arn));
    const named = grants.flatMap((s) => Object.entries(s.condition ?? {}).flatMap(([op, keys]) => (/^(Arn|String)(Equals|Like)/.test(op) ? (keys['cloudformation:RoleArn'] ?? []) : [])));
    const unconditioned = grants.some((s) => !Object.values(s.condition ?? {}).some((keys) => 'cloudformation:RoleArn' in keys));
    const via = `UpdateStack by ${describePrincipal(caller.principal)}`;
    for (const role of serviceRoles) {
      const namedMatch = or(...named.map((n) => globMatch(n, role.arn)));
      const passable = isAllowed(caller.principal, 'iam:PassRole', role.arn, { 'iam:PassedToService': CFN });
      if (namedMatch !== 'no' || (unconditioned && passable !== 'no')) add(role, via);
    }
  }
  return [...found.values()];
}
