import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from './template';

/**
 * The real service stack template the app synthesizes (`bgf-<env>-<service>`), so the model
 * updates exactly the resources, conditions and references CloudFormation would (no policy
 * gates, which the app tests run). A variant is synthesized once per test run: the first test
 * file that needs it synthesizes it (aws-cdk-lib's loading and the environment's synthesis,
 * 1.5-2 s) and leaves it in the run's folder, `BGF_TEST_TEMPLATES` (made fresh for each run by
 * test/support/global-setup.ts, so a change to the app is seen by the next run); every other file
 * reads it and loads no CDK. Without the folder (a file run outside jest's global setup) each
 * process synthesizes its own.
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
  let template = cache.get(key);
  if (!template) {
    const dir = process.env.BGF_TEST_TEMPLATES;
    const file = dir ? path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 20)}.json`) : undefined;
    if (file && fs.existsSync(file)) {
      template = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
    } else {
      template = synthesize(v);
      if (file) {
        // Written whole, then renamed: a file another worker reads is never half written.
        const partial = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(partial, JSON.stringify(template));
        fs.renameSync(partial, file);
      }
    }
    cache.set(key, template);
  }
  return structuredClone(template);
}

function synthesize(v: TemplateVariant): Template {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when no worker has synthesized the variant yet */
  const { addEnvironment } = require('../../../../lib/app') as typeof import('../../../../lib/app');
  const { ENVIRONMENTS } = require('../../../../lib/config') as typeof import('../../../../lib/config');
  const { newApp } = require('../../../support/synth') as typeof import('../../../support/synth');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const env = ENVIRONMENTS[v.env];
  if (!env) throw new Error(`model: no environment ${v.env} in lib/config`);
  const services = env.services.map((s) =>
    s.name === v.service ? { ...s, ...(v.minTasks === undefined ? {} : { minTasks: v.minTasks }), ...(v.maxTasks === undefined ? {} : { maxTasks: v.maxTasks }) } : s,
  );
  if (!services.some((s) => s.name === v.service)) throw new Error(`model: ${v.env} has no service ${v.service}`);
  const app = newApp();
  const built = addEnvironment(app, { ...env, services });
  const stack = built.services.find((s) => s.config.name === v.service)!;
  return app.synth().getStackByName(stack.stackName).template as Template;
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
