import { PolicyViolation } from 'aws-cdk-lib';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { controlTowerRuleIndex } from './scoped-guard';

/**
 * Where cfn-guard's time goes (measured on this app, BENCHMARKS.md): parsing the Control Tower
 * rule files is ~0.2 s per call; evaluating them is ~1 s per service template, and it grows
 * with the number of resources in the document even for rules that inspect one type. So each
 * rule file that only reads resources of its own types is evaluated on a reduced copy of each
 * template holding only those resources, and identical reduced copies (services of one app
 * differ mostly in names, so many rules see the same resources) are evaluated once. Rule files
 * that read anything else of the document run on the whole templates, as before.
 *
 * assumed: a Guard rule's findings depend only on the document it is given; a rule file whose
 * text reaches the document only through `Resources.*[ Type == ... ]` queries, the
 * `is_cfn_template` / `is_cfn_hook` helpers and the hook's `%INPUT_DOCUMENT.%TYPE` form cannot
 * see the resources of other types, so it reports the same on the reduced copy. Guard's query
 * semantics: https://docs.aws.amazon.com/cfn-guard/latest/ug/query-and-filtering.html
 * `npm run bench -- --only guard` checks the findings are identical, rule by rule and resource
 * by resource, to one cfn-guard run over the whole templates (app and 50-service case).
 */

/** The helper rules every Control Tower file defines, exactly as they ship. */
const STANDARD_HELPERS = [
  /rule\s+is_cfn_template\s*\(\s*doc\s*\)\s*\{\s*%doc\s*\{\s*AWSTemplateFormatVersion\s+exists\s+or\s+Resources\s+exists\s*\}\s*\}/g,
  /rule\s+is_cfn_hook\s*\(\s*doc\s*,\s*\w+\s*\)\s*\{\s*%doc\.%\w+\.resourceProperties\s+exists\s*\}/g,
];

/** The ways a type-scoped rule file may reach the document. */
const TYPE_ACCESS = [
  /let\s+INPUT_DOCUMENT\s*=\s*this\b/g,
  /is_cfn_template\s*\(\s*(%INPUT_DOCUMENT|this)\s*\)/g,
  /is_cfn_hook\s*\(\s*%INPUT_DOCUMENT\s*,\s*%\w+\s*\)/g,
  /%INPUT_DOCUMENT\.%\w+\.resourceProperties/g,
  // A filter on the type alone: `Type == %T`, or several joined by `or`.
  /Resources\.\*\[\s*Type\s*==\s*(%\w+|"[\w:]+"|'[\w:]+')(\s+or\s+Type\s*==\s*(%\w+|"[\w:]+"|'[\w:]+'))*\s*\]/g,
];

/**
 * Besides, a rule file may look up the resource a property references, by its logical id
 * (`%doc.Resources[ keys == %id ]`, the documents passed along to helper rules).
 */
const REFERENCE_ACCESS = [/%doc\.Resources\s*\[\s*keys\s*==\s*%\w+\s*\]/g, /\(\s*(%INPUT_DOCUMENT|%doc)\s*,/g, /rule\s+\w+\s*\(\s*doc\s*,/g];

/** Words that mean a rule file reads more of the document than the above. */
const DOCUMENT_WIDE = /INPUT_DOCUMENT|%doc\b|\bResources\b|\bParameters\b|\bOutputs\b|\bConditions\b|\bMappings\b|\bRules\b|\bTransform\b|AWSTemplateFormatVersion/;

/**
 * How much of a template a rule file can see:
 * - `type`: the resources of the types it names, through type filters only;
 * - `reference`: those, and the resources they reference (looked up by logical id);
 * - `document`: anything (the whole template is evaluated).
 */
export type RuleScope = 'type' | 'reference' | 'document';

const scopeCache = new Map<string, RuleScope>();

/** The scope of a rule file, from its text (see above). */
export function ruleScope(ruleFile: string): RuleScope {
  let scope = scopeCache.get(ruleFile);
  if (scope === undefined) {
    let text = fs
      .readFileSync(ruleFile, 'utf8')
      .replace(/<<[\s\S]*?>>/g, '')
      .replace(/^\s*#.*$/gm, '');
    for (const pattern of [...STANDARD_HELPERS, ...TYPE_ACCESS]) text = text.replace(pattern, '');
    if (!DOCUMENT_WIDE.test(text)) scope = 'type';
    else {
      for (const pattern of REFERENCE_ACCESS) text = text.replace(pattern, '(');
      // `let x = %doc.Resources[ keys == %id ]` leaves `%doc` only as an argument passed on.
      scope = DOCUMENT_WIDE.test(text.replace(/\blet\s+\w+\s*=\s*\(/g, '')) ? 'document' : 'reference';
    }
    scopeCache.set(ruleFile, scope);
  }
  return scope;
}

/** Logical ids a resource names through Ref, Fn::GetAtt, Fn::Sub or DependsOn. */
function referencedIds(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string') out.add(v);
      else if (key === 'Fn::GetAtt') {
        if (Array.isArray(v) && typeof v[0] === 'string') out.add(v[0]);
        else if (typeof v === 'string') out.add(v.split('.')[0]);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^}!.]+)/g)) out.add(m[1]);
      } else if (key === 'DependsOn') {
        for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string') out.add(id);
      }
      referencedIds(v, out);
    }
  }
  return out;
}

/** One cfn-guard call: these rules over these data files. */
export interface GuardJob {
  readonly rules: string[];
  readonly dataFiles: string[];
  /** Relative cost, for spreading jobs over workers: total data size times rule count. */
  readonly weight: number;
}

export interface ScopedPlan {
  readonly jobs: GuardJob[];
  /** For each data file, the templates whose findings it stands for. */
  readonly origins: ReadonlyMap<string, readonly string[]>;
  /** Scratch folder of the reduced copies; remove it when done. */
  readonly scratch: string;
}

interface Template {
  readonly AWSTemplateFormatVersion?: unknown;
  readonly Resources?: Record<string, { Type?: string } | undefined>;
}

/**
 * Plans the cfn-guard calls for `rules` over `templatePaths`: one call per type-local rule file
 * over its distinct reduced copies, and one over the whole templates for the other files.
 */
export function planScopedEvaluation(templatePaths: readonly string[], rules: readonly string[], scratch: string, wideChunks = 1): ScopedPlan {
  const types = new Map(controlTowerRuleIndex().map((r) => [r.file, r.types]));
  const templates = templatePaths.map((file) => ({ file, template: JSON.parse(fs.readFileSync(file, 'utf8')) as Template, bytes: fs.statSync(file).size }));
  const origins = new Map<string, string[]>();
  const jobs: GuardJob[] = [];
  const wide = rules.filter((r) => ruleScope(r) === 'document' || (types.get(r)?.size ?? 0) === 0);
  if (wide.length > 0) {
    for (const t of templates) origins.set(t.file, [t.file]);
    // In as many calls as there are workers, so that the whole-template share spreads too.
    const size = Math.ceil(templates.length / Math.max(1, wideChunks));
    for (let i = 0; i < templates.length; i += size) {
      const part = templates.slice(i, i + size);
      jobs.push({ rules: wide, dataFiles: part.map((t) => t.file), weight: wide.length * part.reduce((n, t) => n + t.bytes, 0) });
    }
  }
  fs.mkdirSync(scratch, { recursive: true });
  for (const rule of rules.filter((r) => !wide.includes(r))) {
    const ruleTypes = types.get(rule) as ReadonlySet<string>;
    const copies = new Map<string, string>();
    const scope = ruleScope(rule);
    for (const { file, template } of templates) {
      const all = template.Resources ?? {};
      const kept = new Set(Object.keys(all).filter((id) => typeof all[id]?.Type === 'string' && ruleTypes.has(all[id].Type as string)));
      // No resource of the rule's types: the rule selects nothing and reports nothing.
      if (kept.size === 0) continue;
      if (scope === 'reference') {
        for (const queue = [...kept]; queue.length > 0; ) {
          for (const id of referencedIds(all[queue.pop() as string], new Set())) {
            if (id in all && !kept.has(id)) {
              queue.push(id);
              kept.add(id);
            }
          }
        }
      }
      const reduced = reducedTemplate(template, Object.fromEntries(Object.entries(all).filter(([id]) => kept.has(id))), scope);
      const text = JSON.stringify(reduced);
      const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
      let dataFile = copies.get(hash);
      if (!dataFile) {
        dataFile = path.join(scratch, `${path.basename(rule, '.guard')}-${hash}.json`);
        fs.writeFileSync(dataFile, text);
        copies.set(hash, dataFile);
        origins.set(dataFile, []);
      }
      (origins.get(dataFile) as string[]).push(file);
    }
    if (copies.size === 0) continue;
    const dataFiles = [...copies.values()];
    jobs.push({ rules: [rule], dataFiles, weight: dataFiles.reduce((n, f) => n + fs.statSync(f).size, 0) });
  }
  return { jobs, origins, scratch };
}

/** The template as a rule of this scope sees it: the kept resources and the other sections. */
function reducedTemplate(template: Template, resources: Record<string, unknown>, scope: RuleScope): Record<string, unknown> {
  if (scope === 'type') return { AWSTemplateFormatVersion: template.AWSTemplateFormatVersion, Resources: resources };
  return { ...template, Resources: resources };
}

/**
 * The findings of the planned calls restated for the templates they stand for: every finding on
 * a reduced copy is a finding on each template that copy came from, with the same rule, resource,
 * description, fix and locations (logical ids and property paths are those of the template).
 */
export function findingsForTemplates(plan: ScopedPlan, violations: readonly PolicyViolation[]): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const violation of violations) {
    // cfn-guard's plugin reports each violation for one data file; group anyway, in order.
    const byFile = new Map<string, PolicyViolation['violatingResources'][number][]>();
    for (const resource of violation.violatingResources) byFile.set(resource.templatePath ?? '', [...(byFile.get(resource.templatePath ?? '') ?? []), resource]);
    for (const [from, resources] of byFile) {
      const targets = plan.origins.get(from) ?? plan.origins.get(path.resolve(from)) ?? [from];
      // One violation per template it stands for, as one run over those templates reports it.
      for (const templatePath of targets) out.push({ ...violation, violatingResources: resources.map((r) => ({ ...r, templatePath: templatePath || r.templatePath })) });
    }
  }
  return out;
}

/** Spreads jobs over n workers, heaviest first onto the least loaded (longest processing time). */
export function spreadJobs(jobs: readonly GuardJob[], n: number): GuardJob[][] {
  const bins = Array.from({ length: Math.max(1, n) }, () => ({ weight: 0, jobs: [] as GuardJob[] }));
  for (const job of [...jobs].sort((a, b) => b.weight - a.weight)) {
    const lightest = bins.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.jobs.push(job);
    lightest.weight += job.weight;
  }
  return bins.filter((b) => b.jobs.length > 0).map((b) => b.jobs);
}
