import { addEnvironment } from '../../../../lib/app';
import { ENVIRONMENTS } from '../../../../lib/config';
import { newApp } from '../../../support/synth';
import type { Template } from './template';

/**
 * The real service stack template the app synthesizes (`bgf-<env>-<service>`), so the model
 * updates exactly the resources, conditions and references CloudFormation would. Synthesized
 * once per process per variant (about 1 s; no policy gates, which the app tests run).
 */
const cache = new Map<string, Template>();

export interface TemplateVariant {
  readonly env: string;
  readonly service: string;
  /** Overrides of the service's config (the fleet's task bounds). */
  readonly minTasks?: number;
  readonly maxTasks?: number;
}

export function serviceTemplate(v: TemplateVariant): Template {
  const key = JSON.stringify(v);
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  const env = ENVIRONMENTS[v.env];
  if (!env) throw new Error(`model: no environment ${v.env} in lib/config`);
  const services = env.services.map((s) =>
    s.name === v.service ? { ...s, ...(v.minTasks === undefined ? {} : { minTasks: v.minTasks }), ...(v.maxTasks === undefined ? {} : { maxTasks: v.maxTasks }) } : s,
  );
  if (!services.some((s) => s.name === v.service)) throw new Error(`model: ${v.env} has no service ${v.service}`);
  const app = newApp();
  const built = addEnvironment(app, { ...env, services });
  const stack = built.services.find((s) => s.config.name === v.service)!;
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  cache.set(key, template);
  return structuredClone(template);
}

/**
 * The same template with its parameters and outputs renamed `<prefix><Name>`, as when a stack
 * holds a service under a construct that prefixes them.
 */
export function prefixed(template: Template, prefix: string): Template {
  if (!prefix) return template;
  const params = new Set(Object.keys(template.Parameters ?? {}).filter((p) => p !== 'BootstrapVersion'));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string' && params.has(o.Ref) && Object.keys(o).length === 1) return { Ref: prefix + o.Ref };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  const t = walk(template) as Template;
  return {
    ...t,
    Parameters: Object.fromEntries(Object.entries(t.Parameters ?? {}).map(([k, p]) => [params.has(k) ? prefix + k : k, p])),
    Outputs: Object.fromEntries(Object.entries(t.Outputs ?? {}).map(([k, o]) => [prefix + k, o])),
  };
}
