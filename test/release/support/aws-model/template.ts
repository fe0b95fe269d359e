/**
 * Just enough of CloudFormation's intrinsic functions to know, for a real synthesized template,
 * what each resource's properties resolve to under a set of parameter values. Comparing two
 * resolutions tells which resources an update changes: CloudFormation updates only resources whose
 * template or resolved properties changed.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 * Intrinsics: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 */

export interface Template {
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedValues?: string[];
  readonly AllowedPattern?: string;
  readonly ConstraintDescription?: string;
  readonly MinValue?: number;
  readonly MaxValue?: number;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly UpdatePolicy?: unknown;
}

/** What Ref and Fn::GetAtt of a resource give: its physical id and attributes, from the model. */
export interface ResourceRefs {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): unknown;
}

export interface Scope {
  readonly parameters: Record<string, string>;
  readonly pseudo: Record<string, string>;
  readonly resources: ResourceRefs;
}

/** Marks a property CloudFormation leaves out (AWS::NoValue, a false Fn::If branch of one). */
const NO_VALUE = Symbol('AWS::NoValue');

export function evaluateCondition(template: Template, name: string, scope: Scope): boolean {
  const c = template.Conditions?.[name];
  if (c === undefined) throw new Error(`model: template has no condition ${name}`);
  return Boolean(resolveValue(template, c, scope));
}

/** A value with every intrinsic resolved; properties that resolve to AWS::NoValue are dropped. */
export function resolve(template: Template, value: unknown, scope: Scope): unknown {
  const v = resolveValue(template, value, scope);
  return v === NO_VALUE ? undefined : v;
}

function resolveValue(template: Template, value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(template, v, scope)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys;
    const arg = obj[k];
    const r = (x: unknown) => resolveValue(template, x, scope);
    switch (k) {
      case 'Ref':
        return ref(arg as string, scope);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.*)/);
        return scope.resources.getAtt(id, attr);
      }
      case 'Fn::If': {
        const [cond, a, b] = arg as [string, unknown, unknown];
        return evaluateCondition(template, cond, scope) ? r(a) : r(b);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map(r);
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !r((arg as unknown[])[0]);
      case 'Fn::And':
        return (arg as unknown[]).every((x) => Boolean(r(x)));
      case 'Fn::Or':
        return (arg as unknown[]).some((x) => Boolean(r(x)));
      case 'Condition':
        return evaluateCondition(template, arg as string, scope);
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (r(parts) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (r(list) as unknown[])[Number(r(index))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(r(source)).split(sep);
      }
      case 'Fn::Sub':
        return sub(template, arg, scope);
      case 'Fn::Base64':
        return Buffer.from(String(r(arg))).toString('base64');
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map(r) as string[];
        return template.Mappings?.[map]?.[top]?.[second];
      }
      case 'Fn::GetAZs':
        return ['a', 'c', 'd'].map((z) => `${scope.pseudo['AWS::Region']}${z}`);
      // Resolved by CloudFormation from another stack at every update; the model only needs a
      // stable value that changes when the reference changes.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
      case 'Fn::GetStackOutput': {
        const o = r(arg) as { StackName: string; OutputName: string };
        return `${o.StackName}:${o.OutputName}`;
      }
      case 'Fn::ImportValue':
        return `import:${String(r(arg))}`;
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const resolved = resolveValue(template, v, scope);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

function ref(name: string, scope: Scope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in scope.pseudo) return scope.pseudo[name];
  if (name in scope.parameters) return scope.parameters[name];
  return scope.resources.ref(name);
}

function sub(template: Template, arg: unknown, scope: Scope): string {
  const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
  return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name in vars) return String(resolve(template, vars[name], scope));
    const [id, attr] = name.split(/\.(.*)/);
    return String(attr ? scope.resources.getAtt(id, attr) : ref(id, scope));
  });
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub). */
export function references(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of text.matchAll(/\$\{([^}!.]+)/g)) into.add(m[1]);
        if (Array.isArray(v)) references(v[1], into);
      } else references(v, into);
    }
  }
  return into;
}

/**
 * The resources in an order where each comes after everything it references or depends on.
 * CloudFormation updates independent resources in parallel; the model updates them one at a
 * time in this order (a simplification: it keeps every dependency before its dependants, which is
 * the order CloudFormation guarantees).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html
 */
export function dependencyOrder(template: Template): string[] {
  const ids = Object.keys(template.Resources);
  const known = new Set(ids);
  const deps = new Map<string, string[]>();
  for (const id of ids) {
    const r = template.Resources[id];
    const on = new Set([...references(r.Properties ?? {}), ...[r.DependsOn ?? []].flat()]);
    deps.set(id, [...on].filter((d) => known.has(d) && d !== id));
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`model: circular dependency at ${id}`);
    state.set(id, 'visiting');
    for (const d of deps.get(id)!) visit(d);
    state.set(id, 'done');
    order.push(id);
  };
  ids.forEach(visit);
  return order;
}
