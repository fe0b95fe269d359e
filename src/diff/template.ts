/**
 * Small helpers over CloudFormation templates as JSON: what the classifier and the cost estimate
 * need to read (references, conditions, parameter values) without AWS.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly [key: string]: unknown;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown; readonly [key: string]: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

export const EMPTY_TEMPLATE: CfnTemplate = { Resources: {} };

/**
 * A copy without the CDK's version-reporting resource and its condition: they change with the
 * CDK version and say nothing about what changes in AWS.
 */
export function dropCdkMetadata(template: CfnTemplate): CfnTemplate {
  const resources = { ...(template.Resources ?? {}) };
  delete resources.CDKMetadata;
  const copy: Record<string, unknown> = { ...template, Resources: resources };
  if (template.Conditions && 'CDKMetadataAvailable' in template.Conditions) {
    const conditions = { ...template.Conditions };
    delete conditions.CDKMetadataAvailable;
    copy.Conditions = conditions;
  }
  return copy as CfnTemplate;
}

/** Visits every object node of a JSON value (depth first). */
export function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    visit(node);
    for (const child of Object.values(node)) walk(child, visit);
  }
}

/** Logical ids a value refers to through `Ref`, `Fn::GetAtt` or `${Id}` / `${Id.Attr}` in `Fn::Sub`. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  walk(value, (node) => {
    if (typeof node.Ref === 'string') ids.add(node.Ref);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
    if (typeof getAtt === 'string') ids.add(getAtt.split('.')[0]);
    const sub = node['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (text) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) ids.add(m[1]);
  });
  return ids;
}

/** Conditions used by a value (`Fn::If` first argument, `Condition` references). */
export function referencedConditions(value: unknown): Set<string> {
  const names = new Set<string>();
  walk(value, (node) => {
    const fnIf = node['Fn::If'];
    if (Array.isArray(fnIf) && typeof fnIf[0] === 'string') names.add(fnIf[0]);
    if (typeof node.Condition === 'string') names.add(node.Condition);
  });
  return names;
}

/** The construct path the template records for a resource (`aws:cdk:path` metadata). */
export function templatePath(resource: CfnResource | undefined): string | undefined {
  const path = resource?.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/** Parameters whose logical id ends with `LiveColor` (the contract allows a prefix). */
export function liveColorParameters(template: CfnTemplate): string[] {
  return Object.keys(template.Parameters ?? {}).filter((id) => id.endsWith('LiveColor'));
}

/** Conditions that depend on any of the given parameters, directly or through other conditions. */
export function conditionsDependingOn(template: CfnTemplate, parameters: readonly string[]): Set<string> {
  const conditions = template.Conditions ?? {};
  const result = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, body] of Object.entries(conditions)) {
      if (result.has(name)) continue;
      const refs = referencedIds(body);
      const uses = [...referencedConditions(body)];
      if (parameters.some((p) => refs.has(p)) || uses.some((c) => result.has(c))) {
        result.add(name);
        grew = true;
      }
    }
  }
  return result;
}

/**
 * Resources whose existence or properties the live-color parameters decide: a `Condition` on the
 * resource, an `Fn::If` on such a condition, or a direct `Ref` to the parameter.
 */
export function liveColorControlled(template: CfnTemplate): Set<string> {
  const params = liveColorParameters(template);
  if (params.length === 0) return new Set();
  const conditions = conditionsDependingOn(template, params);
  const controlled = new Set<string>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Condition && conditions.has(resource.Condition)) controlled.add(id);
    const refs = referencedIds(resource.Properties);
    const uses = referencedConditions(resource.Properties);
    if (params.some((p) => refs.has(p)) || [...uses].some((c) => conditions.has(c))) controlled.add(id);
  }
  return controlled;
}

/** Marks a value the evaluator could not reduce to a constant. */
export const UNRESOLVED = Symbol('unresolved');
export type Evaluated = unknown | typeof UNRESOLVED;

export interface EvaluationContext {
  readonly template: CfnTemplate;
  /** Parameter and pseudo-parameter values (`AWS::Region`, ...). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * Reduces the intrinsics a capacity or an instance type is typically written with (`Ref` to a
 * parameter, `Fn::If`, `Fn::Equals`, `Fn::And/Or/Not`, `Condition`) to a constant, or UNRESOLVED.
 */
export function evaluate(value: unknown, ctx: EvaluationContext, depth = 0): Evaluated {
  if (depth > 50) return UNRESOLVED;
  if (Array.isArray(value)) {
    const items = value.map((v) => evaluate(v, ctx, depth + 1));
    return items.includes(UNRESOLVED) ? UNRESOLVED : items;
  }
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length !== 1) return value;
  const [key] = keys;
  const arg = node[key];
  switch (key) {
    case 'Ref':
      return typeof arg === 'string' && arg in ctx.parameters ? ctx.parameters[arg] : UNRESOLVED;
    case 'Condition':
      return typeof arg === 'string' ? evaluateCondition(arg, ctx, depth + 1) : UNRESOLVED;
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return UNRESOLVED;
      const test = evaluateCondition(arg[0], ctx, depth + 1);
      if (test === UNRESOLVED) return UNRESOLVED;
      return evaluate(test ? arg[1] : arg[2], ctx, depth + 1);
    }
    case 'Fn::Equals': {
      const pair = evaluate(arg, ctx, depth + 1);
      return Array.isArray(pair) && pair.length === 2 ? String(pair[0]) === String(pair[1]) : UNRESOLVED;
    }
    case 'Fn::Not': {
      const inner = evaluate(Array.isArray(arg) ? arg[0] : arg, ctx, depth + 1);
      return typeof inner === 'boolean' ? !inner : UNRESOLVED;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const items = evaluate(arg, ctx, depth + 1);
      if (!Array.isArray(items) || !items.every((i) => typeof i === 'boolean')) return UNRESOLVED;
      return key === 'Fn::And' ? items.every(Boolean) : items.some(Boolean);
    }
    default:
      return key.startsWith('Fn::') ? UNRESOLVED : value;
  }
}

export function evaluateCondition(name: string, ctx: EvaluationContext, depth = 0): boolean | typeof UNRESOLVED {
  const body = ctx.template.Conditions?.[name];
  if (body === undefined) return UNRESOLVED;
  const result = evaluate(body, ctx, depth + 1);
  return typeof result === 'boolean' ? result : UNRESOLVED;
}

/** A number from a template value (`"2"` and `2` both count), or undefined. */
export function asNumber(value: Evaluated): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
