/**
 * `npm run bench -- --only guard`: where cfn-guard's time goes, and whether the ways of running
 * the Control Tower rules agree. Over the templates of one assembly it runs
 * - the cfn-guard binary once over the whole templates (what `CfnGuardValidator` does), and once
 *   over an empty template (rule parsing alone);
 * - the scoped evaluation of lib/policy (each rule file on the part of a template it reads);
 * - the WebAssembly engine bundled in aws-cdk-lib (`CompositeEngine` of
 *   `@aws/cloudformation-validate` with the same files as `guardRules`), built once;
 * and compares their findings rule by rule and resource by resource. The scoped evaluation must
 * match the binary exactly (description, fix and locations too); the engine reports other
 * locations (property paths), so it is compared on template, rule, resource, description, fix.
 */
import { PolicyViolation } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findingsForTemplates, planScopedEvaluation } from '../lib/policy/scoped-evaluation';
import { relevantControlTowerRules } from '../lib/policy/scoped-guard';

interface EngineDiagnostic {
  readonly ruleId: string;
  readonly entity?: { readonly logicalId?: string };
  readonly ruleDescription?: string;
}
interface Engine {
  validateTemplate(template: unknown, config: Record<string, unknown>): { diagnostics: EngineDiagnostic[] };
  free(): void;
}
interface EngineModule {
  CompositeEngine: new (config: { guardRules?: Array<{ name: string; content: string }> }) => Engine;
  TemplateContent: new (content: string, name: string) => unknown;
}

export interface GuardComparison {
  readonly templates: number;
  readonly rules: number;
  readonly binaryMs: number;
  readonly binaryParseMs: number;
  readonly scopedMs: number;
  readonly scopedCalls: number;
  readonly scopedDataFiles: number;
  readonly engineBuildMs?: number;
  readonly engineBuildNoRulesMs?: number;
  readonly engineEvalMs?: number;
  readonly findings: number;
  /** Findings (with locations) that differ in count between the binary and the scoped run. */
  readonly scopedDifferences: string[];
  /** Findings (without locations) that differ between the binary and the engine. */
  readonly engineDifferences?: string[];
}

const key = (templatePath: string | undefined, rule: string, id: string | undefined, description: string | undefined, fix: string | undefined) => JSON.stringify([path.resolve(templatePath ?? ''), rule, id, description, fix]);

function counts(violations: readonly PolicyViolation[], withLocations: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of violations) {
    for (const r of v.violatingResources) {
      const k = key(r.templatePath, v.ruleName, r.resourceLogicalId, v.description, v.fix) + (withLocations ? JSON.stringify([r.locations, v.ruleMetadata]) : '');
      out.set(k, (out.get(k) ?? 0) + 1);
    }
  }
  return out;
}

function differences(a: Map<string, number>, b: Map<string, number>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? 0} vs ${b.get(k) ?? 0}`);
}

/** The engine's findings in the plugin's terms: the rule file's message holds description and fix, as ViolationCheck reads it. */
function engineFindings(engine: Engine, mod: EngineModule, templatePaths: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const seen = new Set<string>();
  for (const file of templatePaths) {
    const report = engine.validateTemplate(new mod.TemplateContent(fs.readFileSync(file, 'utf8'), file), { disableBuiltinRules: true });
    for (const d of report.diagnostics) {
      const lines = (d.ruleDescription ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
      const fix = (lines.find((l) => l.startsWith('[FIX]')) ?? '').replace(/^\[FIX\]:\s*/, '') || undefined;
      const description = lines.filter((l) => !l.startsWith('[FIX]')).pop();
      // One finding per resource and rule, as the plugin groups failed checks.
      const k = key(file, d.ruleId, d.entity?.logicalId, description, fix);
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, 1);
    }
  }
  return out;
}

export function compareGuard(templatePaths: readonly string[], options: { engine?: boolean } = {}): GuardComparison {
  const rules = relevantControlTowerRules(templatePaths);
  const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules });
  const context = (paths: readonly string[]) => ({ templatePaths: [...paths], stackTemplates: [] }) as never;

  let started = performance.now();
  const binary = validator.validate(context(templatePaths));
  const binaryMs = performance.now() - started;

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-bench-guard-'));
  const empty = path.join(scratch, 'empty.json');
  fs.writeFileSync(empty, JSON.stringify({ Resources: {} }));
  started = performance.now();
  validator.validate(context([empty]));
  const binaryParseMs = performance.now() - started;

  started = performance.now();
  const plan = planScopedEvaluation(templatePaths, rules, path.join(scratch, 'scoped'), 1);
  const raw = plan.jobs.flatMap((job) => new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: job.rules }).validate(context(job.dataFiles)).violations);
  const scoped = findingsForTemplates(plan, raw);
  const scopedMs = performance.now() - started;

  const result: GuardComparison = {
    templates: templatePaths.length,
    rules: rules.length,
    binaryMs,
    binaryParseMs,
    scopedMs,
    scopedCalls: plan.jobs.length,
    scopedDataFiles: plan.jobs.reduce((n, j) => n + j.dataFiles.length, 0),
    findings: binary.violations.reduce((n, v) => n + v.violatingResources.length, 0),
    scopedDifferences: differences(counts(binary.violations, true), counts(scoped, true)),
  };
  fs.rmSync(scratch, { recursive: true, force: true });
  if (!options.engine) return result;

  // The engine aws-cdk-lib ships (a dependency of aws-cdk-lib, not of this project).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] })) as EngineModule;
  started = performance.now();
  new mod.CompositeEngine({}).free();
  const engineBuildNoRulesMs = performance.now() - started;
  started = performance.now();
  const engine = new mod.CompositeEngine({ guardRules: rules.map((file) => ({ name: file, content: fs.readFileSync(file, 'utf8') })) });
  const engineBuildMs = performance.now() - started;
  started = performance.now();
  const fromEngine = engineFindings(engine, mod, templatePaths);
  const engineEvalMs = performance.now() - started;
  engine.free();
  const plain = new Map([...counts(binary.violations, false).keys()].map((k) => [k, 1] as const));
  return { ...result, engineBuildMs, engineBuildNoRulesMs, engineEvalMs, engineDifferences: differences(plain, fromEngine) };
}

/** As a command: `node dist/bench/guard-compare.js [--engine] <template>...`, one JSON line. */
if (require.main === module) {
  const args = process.argv.slice(2);
  const engine = args.includes('--engine');
  const templates = args.filter((a) => a !== '--engine').map((a) => path.resolve(a));
  process.stdout.write(`${JSON.stringify(compareGuard(templates, { engine }))}\n`);
}
