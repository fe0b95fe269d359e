import { Assembly, AssemblyStack, constructPathOf } from './assembly';
import { AWS_MANAGED_POLICIES, cdkDeployRoleStatements, cdkExecutionRoleStatements, PolicyStatementJson } from './managed-policies';
import { and, Decision, display, globMatch, or, referencedRole, resolveList, resolveString, roleArn, UNKNOWN } from './values';

/** A policy statement with its fields resolved in the context of the stack that defines it. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** An identity that may call AWS: a role or user of the assembly, or a CDK bootstrap role. */
export interface Principal {
  readonly key: string;
  readonly kind: 'role' | 'user' | 'cdk-deploy-role' | 'cdk-execution-role';
  readonly arn: string;
  /** Where the principal is defined (absent for the CDK bootstrap roles). */
  readonly stack?: AssemblyStack;
  readonly logicalId?: string;
  readonly constructPath?: string;
  readonly statements: Statement[];
  /** Managed policies attached whose content the assembly does not show. */
  readonly opaquePolicies: string[];
  /** Services its trust policy admits (e.g. cloudformation.amazonaws.com). */
  readonly trustedServices: readonly string[];
}

export interface IamModel {
  readonly principals: readonly Principal[];
}

/** Request context keys the rules know for a request (e.g. iam:PassedToService). */
export type RequestContext = Readonly<Record<string, string>>;

function statementsOf(stack: AssemblyStack, document: unknown): Statement[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.map((s: PolicyStatementJson) => toStatement(stack, s));
}

function toStatement(stack: AssemblyStack, s: PolicyStatementJson): Statement {
  const condition: Record<string, Record<string, string[]>> = {};
  for (const [op, keys] of Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
    condition[op] = Object.fromEntries(Object.entries(keys ?? {}).map(([k, v]) => [k, resolveList(stack, v)]));
  }
  return {
    // An Fn::If around a statement leaves its shape unknown: read it as an Allow of nothing known.
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: s.Action !== undefined ? resolveList(stack, s.Action) : undefined,
    notActions: s.NotAction !== undefined ? resolveList(stack, s.NotAction) : undefined,
    resources: s.Resource !== undefined ? resolveList(stack, s.Resource) : undefined,
    notResources: s.NotResource !== undefined ? resolveList(stack, s.NotResource) : undefined,
    condition: Object.keys(condition).length > 0 ? condition : undefined,
  };
}

function trustedServices(stack: AssemblyStack, document: unknown): string[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as { Effect?: string; Principal?: { Service?: unknown } }[];
  return list.filter((s) => s.Effect === 'Allow').flatMap((s) => resolveList(stack, s.Principal?.Service));
}

/**
 * Every role and user of the assembly with every policy attached to it (inline, AWS::IAM::Policy,
 * AWS::IAM::RolePolicy, AWS::IAM::ManagedPolicy, AWS managed policies the model knows), plus the
 * CDK bootstrap deploy and execution roles the manifest names.
 */
export function buildIamModel(assembly: Assembly): IamModel {
  const principals = new Map<string, Principal>();
  const keyOf = (stack: AssemblyStack, logicalId: string) => `${stack.artifactId}/${logicalId}`;
  const byName = new Map<string, Principal>();
  for (const stack of assembly.stacks) {
    for (const [id, r] of Object.entries(stack.template.Resources ?? {})) {
      if (r.Type !== 'AWS::IAM::Role' && r.Type !== 'AWS::IAM::User') continue;
      const props = r.Properties ?? {};
      const principal: Principal = {
        key: keyOf(stack, id),
        kind: r.Type === 'AWS::IAM::Role' ? 'role' : 'user',
        arn: r.Type === 'AWS::IAM::Role' ? roleArn(stack, id) : `arn:aws:iam::${stack.account}:user/${UNKNOWN}`,
        stack,
        logicalId: id,
        constructPath: constructPathOf(r),
        statements: ((props.Policies ?? []) as { PolicyDocument?: unknown }[]).flatMap((p) => statementsOf(stack, p.PolicyDocument)),
        opaquePolicies: [],
        trustedServices: trustedServices(stack, props.AssumeRolePolicyDocument),
      };
      principals.set(principal.key, principal);
      const name = props.RoleName ?? props.UserName;
      if (name !== undefined) byName.set(`${stack.account}/${resolveString(stack, name)}`, principal);
      for (const arn of (props.ManagedPolicyArns ?? []) as unknown[]) attachManaged(stack, principal, arn);
    }
  }
  const attach = (stack: AssemblyStack, target: unknown, statements: Statement[]) => {
    const id = referencedRole(stack, target) ?? (isRef(target) ? (target as { Ref: string }).Ref : undefined);
    const principal = id ? principals.get(keyOf(stack, id)) : byName.get(`${stack.account}/${resolveString(stack, target)}`);
    principal?.statements.push(...statements);
  };
  for (const stack of assembly.stacks) {
    for (const r of Object.values(stack.template.Resources ?? {})) {
      const props = r.Properties ?? {};
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
        const statements = statementsOf(stack, props.PolicyDocument);
        for (const target of [...((props.Roles ?? []) as unknown[]), ...((props.Users ?? []) as unknown[])]) attach(stack, target, statements);
      } else if (r.Type === 'AWS::IAM::RolePolicy' || r.Type === 'AWS::IAM::UserPolicy') {
        attach(stack, props.RoleName ?? props.UserName, statementsOf(stack, props.PolicyDocument));
      }
    }
  }
  for (const stack of assembly.stacks) addCdkRoles(stack, principals);
  return { principals: [...principals.values()] };

  function attachManaged(stack: AssemblyStack, principal: Principal, arn: unknown) {
    const local = isRef(arn) ? stack.template.Resources?.[(arn as { Ref: string }).Ref] : undefined;
    if (local?.Type === 'AWS::IAM::ManagedPolicy') {
      principal.statements.push(...statementsOf(stack, local.Properties?.PolicyDocument));
      return;
    }
    const resolved = resolveString(stack, arn);
    const known = AWS_MANAGED_POLICIES[resolved.replace(/^arn:aws[a-z-]*:iam::aws:policy\//, '')];
    if (known && resolved.includes(':iam::aws:policy/')) principal.statements.push(...known.map((s) => toStatement(stack, s)));
    else principal.opaquePolicies.push(display(resolved));
  }
}

function isRef(value: unknown): boolean {
  return !!value && typeof value === 'object' && typeof (value as { Ref?: unknown }).Ref === 'string';
}

function addCdkRoles(stack: AssemblyStack, principals: Map<string, Principal>): void {
  if (stack.deployRoleArn && !principals.has(stack.deployRoleArn)) {
    principals.set(stack.deployRoleArn, {
      key: stack.deployRoleArn,
      kind: 'cdk-deploy-role',
      arn: stack.deployRoleArn,
      statements: cdkDeployRoleStatements(stack).map((s) => toStatement(stack, s)),
      opaquePolicies: [],
      trustedServices: [],
    });
  }
  if (stack.executionRoleArn && !principals.has(stack.executionRoleArn)) {
    principals.set(stack.executionRoleArn, {
      key: stack.executionRoleArn,
      kind: 'cdk-execution-role',
      arn: stack.executionRoleArn,
      statements: cdkExecutionRoleStatements().map((s) => toStatement(stack, s)),
      opaquePolicies: [],
      trustedServices: ['cloudformation.amazonaws.com'],
    });
  }
}

function anyMatch(patterns: readonly string[] | undefined, target: string, ignoreCase: boolean): Decision {
  return or(...(patterns ?? []).map((p) => globMatch(p, target, ignoreCase)));
}

const not = (d: Decision): Decision => (d === 'yes' ? 'no' : d === 'no' ? 'yes' : 'maybe');

/**
 * Condition operators the model evaluates; any other operator, and any key the request context
 * does not give, makes the statement a `maybe`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
function conditionHolds(statement: Statement, context: RequestContext): Decision {
  const results: Decision[] = [];
  for (const [rawOp, keys] of Object.entries(statement.condition ?? {})) {
    const ifExists = rawOp.endsWith('IfExists');
    const op = rawOp.replace(/IfExists$/, '');
    for (const [key, values] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) {
        results.push(ifExists ? 'yes' : 'maybe');
        continue;
      }
      const exact = or(...values.map((v) => (v.includes(UNKNOWN) ? 'maybe' : v === actual ? 'yes' : 'no')));
      const like = anyMatch(values, actual, false);
      const exactIgnoreCase = or(...values.map((v) => (v.includes(UNKNOWN) ? 'maybe' : v.toLowerCase() === actual.toLowerCase() ? 'yes' : 'no')));
      switch (op) {
        case 'StringEquals':
        case 'ArnEquals':
          results.push(op === 'ArnEquals' ? like : exact);
          break;
        case 'StringEqualsIgnoreCase':
          results.push(exactIgnoreCase);
          break;
        case 'StringLike':
        case 'ArnLike':
          results.push(like);
          break;
        case 'StringNotEquals':
          results.push(not(exact));
          break;
        case 'StringNotLike':
        case 'ArnNotLike':
        case 'ArnNotEquals':
          results.push(not(like));
          break;
        case 'Bool':
          results.push(exactIgnoreCase);
          break;
        default:
          results.push('maybe');
      }
    }
  }
  return and(...results);
}

function statementApplies(statement: Statement, action: string, resourceArn: string, context: RequestContext, actionMatch = actionDecision(statement, action)): Decision {
  if (actionMatch === 'no') return 'no';
  const resourceMatch = statement.resources ? anyMatch(statement.resources, resourceArn, false) : statement.notResources ? not(anyMatch(statement.notResources, resourceArn, false)) : 'maybe';
  return and(actionMatch, resourceMatch, conditionHolds(statement, context));
}

/** Whether a statement's Action (or NotAction) covers the action, whatever the resource. */
function actionDecision(statement: Statement, action: string): Decision {
  return statement.actions ? anyMatch(statement.actions, action, true) : statement.notActions ? not(anyMatch(statement.notActions, action, true)) : 'maybe';
}

interface ActionCandidates {
  readonly allow: ReadonlyArray<readonly [Statement, Decision]>;
  readonly deny: ReadonlyArray<readonly [Statement, Decision]>;
}

const candidateCache = new WeakMap<Principal, { readonly statements: number; readonly byAction: Map<string, ActionCandidates> }>();

/**
 * The principal's statements whose action part does not rule the action out, in their order,
 * with that part's decision. The action part depends on nothing else, and the rules ask the same
 * few actions of every principal for every stack (with 200 stacks, about three quarters of the
 * preflight's time went to matching actions again), so it is worked out once per principal and
 * action. A statement added to the principal since makes the entry stale: it is worked out again.
 */
function actionCandidates(principal: Principal, action: string): ActionCandidates {
  let entry = candidateCache.get(principal);
  if (!entry || entry.statements !== principal.statements.length) {
    entry = { statements: principal.statements.length, byAction: new Map() };
    candidateCache.set(principal, entry);
  }
  let found = entry.byAction.get(action);
  if (!found) {
    const allow: Array<readonly [Statement, Decision]> = [];
    const deny: Array<readonly [Statement, Decision]> = [];
    for (const statement of principal.statements) {
      const decision = actionDecision(statement, action);
      if (decision !== 'no') (statement.effect === 'Deny' ? deny : allow).push([statement, decision]);
    }
    found = { allow, deny };
    entry.byAction.set(action, found);
  }
  return found;
}

/**
 * Whether the principal's identity policies allow the action on the resource: an explicit deny
 * wins, then any allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Permissions boundaries, SCPs and resource policies are not in the assembly and not modelled.
 */
export function isAllowed(principal: Principal, action: string, resourceArn: string, context: RequestContext = {}, opaqueMeansMaybe = true): Decision {
  const { allow, deny } = actionCandidates(principal, action);
  const denied = or(...deny.map(([s, a]) => statementApplies(s, action, resourceArn, context, a)));
  if (denied === 'yes') return 'no';
  let allowed = or(...allow.map(([s, a]) => statementApplies(s, action, resourceArn, context, a)));
  if (allowed !== 'yes' && principal.opaquePolicies.length > 0 && opaqueMeansMaybe) allowed = 'maybe';
  return denied === 'maybe' && allowed === 'yes' ? 'maybe' : allowed;
}

/** The statements of a principal that allow the action on the resource (yes or maybe). */
export function allowingStatements(principal: Principal, action: string, resourceArn: string, context: RequestContext = {}): Statement[] {
  return actionCandidates(principal, action)
    .allow.filter(([s, a]) => statementApplies(s, action, resourceArn, context, a) !== 'no')
    .map(([s]) => s);
}

/** A short name for reports: the construct path, else the ARN. */
export function describePrincipal(principal: Principal): string {
  if (principal.kind === 'cdk-deploy-role') return `CDK deploy role ${principal.arn}`;
  if (principal.kind === 'cdk-execution-role') return `CDK execution role ${principal.arn}`;
  return principal.constructPath ?? `${principal.stack?.stackName}/${principal.logicalId}`;
}

/** A principal's ARN for reports. */
export function principalArn(principal: Principal): string {
  return display(principal.arn);
}

/** A stack's ARN: arn:aws:cloudformation:<region>:<account>:stack/<name>/<id> (the id is generated). */
export function stackArn(stack: { stackName: string; account: string; region: string }): string {
  return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/${UNKNOWN}`;
}
