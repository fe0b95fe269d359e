import { AssemblyStack, TemplateResource } from './assembly';

/**
 * Marks a part of a resolved string that synth cannot know (a parameter, a generated name, an
 * imported value). A pattern or ARN holding it can only "maybe" match: the rules never claim
 * more than the template proves.
 */
export const UNKNOWN = '\u0000';

/**
 * Delimits a name CloudFormation generates for one resource: unknown, but never the name of any
 * other resource of the assembly.
 */
const GENERATED = '\u0001';
// Control characters on purpose: they cannot occur in a template's strings.
// eslint-disable-next-line no-control-regex
const GENERATED_NAME = /\u0001([^\u0001\u0002]*)\u0002[^\u0001]*\u0001/g;
const GENERATED_SEPARATOR = '\u0002';

/** Three-valued answers: `maybe` when the template alone cannot decide. */
export type Decision = 'yes' | 'maybe' | 'no';

const ORDER: Record<Decision, number> = { no: 0, maybe: 1, yes: 2 };
export const and = (...ds: Decision[]): Decision => ds.reduce((a, b) => (ORDER[a] <= ORDER[b] ? a : b), 'yes' as Decision);
export const or = (...ds: Decision[]): Decision => ds.reduce((a, b) => (ORDER[a] >= ORDER[b] ? a : b), 'no' as Decision);

function resource(stack: AssemblyStack, logicalId: string): TemplateResource | undefined {
  return stack.template.Resources?.[logicalId];
}

/**
 * A role's ARN: arn:<partition>:iam::<account>:role/<path><name>
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
 * Without a RoleName CloudFormation generates one, which synth cannot know.
 */
export function roleArn(stack: AssemblyStack, logicalId: string): string {
  const props = resource(stack, logicalId)?.Properties ?? {};
  const rolePath = typeof props.Path === 'string' ? props.Path : '/';
  const name = props.RoleName !== undefined ? resolveString(stack, props.RoleName) : generatedName(stack, logicalId);
  return `arn:aws:iam::${stack.account}:role${rolePath}${name}`;
}

/**
 * A name CloudFormation generates: the same for every reference to the same resource, so a policy
 * naming exactly that role's ARN matches it for sure, and no other resource's. Compared with a
 * pattern it reads as `<stack name>-<unknown>`: generated names start with the stack name
 * (assumed from the "stack name, logical ID, random string" form CloudFormation uses,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html;
 * a very long stack name may be truncated).
 */
function generatedName(stack: AssemblyStack, logicalId: string): string {
  return `${GENERATED}${stack.stackName}${GENERATED_SEPARATOR}${logicalId}${GENERATED}`;
}

function pseudo(stack: AssemblyStack, name: string): string | undefined {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return stack.region;
    case 'AWS::AccountId':
      return stack.account;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return stack.stackName;
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/${UNKNOWN}`;
    default:
      return undefined;
  }
}

function ref(stack: AssemblyStack, name: string): string {
  const p = pseudo(stack, name);
  if (p !== undefined) return p;
  const r = resource(stack, name);
  // Ref of a role is its name; of most other resources an id CloudFormation assigns.
  if (r?.Type === 'AWS::IAM::Role') return r.Properties?.RoleName !== undefined ? resolveString(stack, r.Properties.RoleName) : generatedName(stack, name);
  return UNKNOWN;
}

function getAtt(stack: AssemblyStack, logicalId: string, attribute: string): string {
  const r = resource(stack, logicalId);
  if (r?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return roleArn(stack, logicalId);
  return UNKNOWN;
}

function sub(stack: AssemblyStack, text: string, vars: Record<string, unknown>): string {
  return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
    if (name in vars) return resolveString(stack, vars[name]);
    if (name.includes('.')) {
      const [id, ...attr] = name.split('.');
      return getAtt(stack, id, attr.join('.'));
    }
    return ref(stack, name);
  });
}

/**
 * Resolves a template value to a string in the stack's context: pseudo parameters, Fn::Join,
 * Fn::Sub, role names and ARNs; everything else becomes UNKNOWN.
 */
export function resolveString(stack: AssemblyStack, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return UNKNOWN;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return UNKNOWN;
  const [fn, arg] = entries[0];
  if (fn === 'Ref' && typeof arg === 'string') return ref(stack, arg);
  if (fn === 'Fn::GetAtt') {
    const [id, attr] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
    return typeof id === 'string' && typeof attr === 'string' ? getAtt(stack, id, attr) : UNKNOWN;
  }
  if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    return arg[1].map((part: unknown) => resolveString(stack, part)).join(arg[0]);
  }
  if (fn === 'Fn::Sub') {
    if (typeof arg === 'string') return sub(stack, arg, {});
    if (Array.isArray(arg) && typeof arg[0] === 'string') return sub(stack, arg[0], (arg[1] ?? {}) as Record<string, unknown>);
  }
  return UNKNOWN;
}

/** A list-or-single value of a policy field, each element resolved. */
export function resolveList(stack: AssemblyStack, value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => resolveString(stack, v));
}

/** The logical id of a role a value points at (`Ref` or `Fn::GetAtt [..., Arn]` of a role in the stack). */
export function referencedRole(stack: AssemblyStack, value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const id = typeof v.Ref === 'string' ? v.Ref : Array.isArray(v['Fn::GetAtt']) ? (v['Fn::GetAtt'] as unknown[])[0] : undefined;
  return typeof id === 'string' && resource(stack, id)?.Type === 'AWS::IAM::Role' ? id : undefined;
}

const regexCache = new Map<string, RegExp>();

function globRegex(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  const cached = regexCache.get(key);
  if (cached) return cached;
  const body = [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[^\\u0000]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  const regex = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
  regexCache.set(key, regex);
  return regex;
}

/** Whether two wildcard patterns (`*`, `?`, UNKNOWN as `*`) can match one string. */
function intersects(a: string, b: string, ignoreCase: boolean): boolean {
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const p = fold(a.split(UNKNOWN).join('*'));
  const t = fold(b.split(UNKNOWN).join('*'));
  // Most pairs differ before their first wildcard (another service, another account): say so
  // without the search.
  const literal = (s: string) => s.slice(0, [s.indexOf('*'), s.indexOf('?')].filter((i) => i >= 0).reduce((x, y) => Math.min(x, y), s.length));
  const lp = literal(p);
  const lt = literal(t);
  if (lp.slice(0, lt.length) !== lt.slice(0, lp.length)) return false;
  const memo = new Map<number, boolean>();
  const f = (i: number, j: number): boolean => {
    const key = i * (t.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === p.length && j === t.length) result = true;
    else if (i < p.length && p[i] === '*') result = f(i + 1, j) || (j < t.length && f(i, j + 1));
    else if (j < t.length && t[j] === '*') result = f(i, j + 1) || (i < p.length && f(i + 1, j));
    else if (i === p.length || j === t.length) result = false;
    else result = (p[i] === '?' || t[j] === '?' || p[i] === t[j]) && f(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return f(0, 0);
}

/**
 * IAM wildcard matching with `*` and `?`. Resource ARNs match case-sensitively, actions do not
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * `yes` only when the pattern is fully known and matches whatever the target's unknown parts are.
 */
export function globMatch(pattern: string, target: string, ignoreCase = false): Decision {
  if (pattern === target) return 'yes';
  if (pattern.includes(GENERATED)) {
    // The pattern names one generated resource: only that resource's name matches.
    if (globRegex(pattern, ignoreCase).test(target)) return pattern.includes(UNKNOWN) ? 'maybe' : 'yes';
    return 'no';
  }
  const t = target.replace(GENERATED_NAME, (_, stackName: string) => `${stackName}-${UNKNOWN}`);
  if (!pattern.includes(UNKNOWN) && globRegex(pattern, ignoreCase).test(t)) return 'yes';
  return intersects(pattern, t, ignoreCase) ? 'maybe' : 'no';
}

/** A resolved value for reports: unknown parts shown as <unknown>, generated names as <generated:id>. */
export function display(value: string): string {
  return value.replace(GENERATED_NAME, (m) => `<generated:${m.slice(1, -1).replace(GENERATED_SEPARATOR, '/')}>`).split(UNKNOWN).join('<unknown>');
}

/** A resolved value with every part synth cannot know as `*` (for APIs that take patterns). */
export function asWildcards(value: string): string {
  return value.replace(GENERATED_NAME, '*').split(UNKNOWN).join('*');
}

/** Whether a resolved value still holds a part synth cannot know. */
export function isFullyKnown(value: string): boolean {
  return !value.includes(UNKNOWN) && !value.includes(GENERATED);
}
