import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from './template';

/**
 * The real service stack template the app synthesizes (`bgf-<env>-<service>`), so the model
 * updates exactly the resources, conditions and references CloudFormation would (no policy
 * gates, which the app tests run). A variant is synthesized once per version of the app, into
 * the folder `BGF_TEST_TEMPLATES` (test/support/global-setup.js: one folder per digest of every
 * file the templates are made of, so a change to the app is seen by the next run), and every
 * test file reads it from there, loading no CDK. The variants the tests use (KNOWN_VARIANTS) are synthesized by one background process
 * that global-setup.js starts while the first test files run (test/support/synth-templates.js:
 * one aws-cdk-lib load for all of them, instead of one per test file that needs a variant
 * first); a file that needs one of them before it is written waits for it. Any other variant,
 * and every variant when that process failed or was not started, is synthesized by the file that
 * asks first. Without the folder (a file run outside jest's global setup) each process
 * synthesizes its own.
 */
const cache = new Map<string, Template>();

export interface TemplateVariant {
  readonly env: string;
  readonly service: string;
  /** Overrides of the service's config (the fleet's task bounds). */
  readonly minTasks?: number;
  readonly maxTasks?: number;
}

/** The variants the release, Lambda and diff tests ask for (a test asking for another still works). */
export const KNOWN_VARIANTS: readonly TemplateVariant[] = [
  { env: 'dev', service: 'api' },
  { env: 'staging', service: 'api' },
  { env: 'dev', service: 'api', minTasks: 6, maxTasks: 100 },
  { env: 'dev', service: 'api', minTasks: 1, maxTasks: 12 },
  { env: 'dev', service: 'api', minTasks: 6, maxTasks: 12 },
  { env: 'dev', service: 'api', minTasks: 2, maxTasks: 4 },
];

/** Markers the background process leaves in the folder: started, then done or failed. */
export const MARKERS = { started: '.synthesizing', done: '.synthesized', failed: '.synthesis-failed' } as const;

function keyOf(v: TemplateVariant): string {
  return JSON.stringify(v);
}

function templateFile(dir: string, v: TemplateVariant): string {
  return path.join(dir, `${createHash('sha256').update(keyOf(v)).digest('hex').slice(0, 20)}.json`);
}

function write(file: string, template: Template): void {
  // Written whole, then renamed: a file another worker reads is never half written.
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(template));
  fs.renameSync(partial, file);
}

/** Synthesizes each variant (one process, one aws-cdk-lib load) into `dir`; test/support/synth-templates.js. */
export function writeTemplates(dir: string, variants: readonly TemplateVariant[] = KNOWN_VARIANTS): void {
  for (const v of variants) {
    const file = templateFile(dir, v);
    if (!fs.existsSync(file)) write(file, synthesize(v));
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Whether the process the marker names still runs (signal 0 only checks; EPERM means it exists). */
function alive(marker: string): boolean {
  const pid = Number(fs.readFileSync(marker, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits while the background process may still write `file`; true once it is there. */
function awaitBackground(dir: string, file: string, timeoutMs = 300_000): boolean {
  const deadline = Date.now() + timeoutMs;
  const running = () => fs.existsSync(path.join(dir, MARKERS.started)) && !fs.existsSync(path.join(dir, MARKERS.done)) && !fs.existsSync(path.join(dir, MARKERS.failed)) && alive(path.join(dir, MARKERS.started));
  while (!fs.existsSync(file) && running() && Date.now() < deadline) Atomics.wait(pause, 0, 0, 25);
  return fs.existsSync(file);
}

export function serviceTemplate(v: TemplateVariant): Template {
  const key = keyOf(v);
  let template = cache.get(key);
  if (!template) {
    const dir = process.env.BGF_TEST_TEMPLATES;
    const file = dir ? templateFile(dir, v) : undefined;
    const known = KNOWN_VARIANTS.some((k) => keyOf(k) === key);
    if (dir && file && (fs.existsSync(file) || (known && awaitBackground(dir, file)))) {
      template = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
    } else {
      template = synthesize(v);
      if (file) write(file, template);
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
