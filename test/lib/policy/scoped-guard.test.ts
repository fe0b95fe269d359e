import { App, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GuardResultCache } from '../../../lib/policy/guard-cache';
import { chunk } from '../../../lib/policy/parallel-guard';
import { controlTowerRuleIndex, ParallelControlTowerValidator, ScopedControlTowerValidator } from '../../../lib/policy';

describe('ScopedControlTowerValidator', () => {
  let templatePath: string;
  beforeAll(() => {
    // GIVEN a template with Control Tower violations (unencrypted, short-lived log group; queue
    // without a KMS key) and no plugins of its own
    const app = new App();
    const stack = new Stack(app, 'Violations');
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_DAY });
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    templatePath = path.join(app.synth().directory, 'Violations.template.json');
  });

  const ruleNamesOf = (report: { violations: Array<{ ruleName: string }> }) => [...new Set(report.violations.map((v) => v.ruleName))].sort();

  test('reports exactly what the full Control Tower rule set reports', () => {
    const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
    const full = new CfnGuardValidator().validate(context);
    const scoped = new ScopedControlTowerValidator().validate(context);
    expect(full.success).toBe(false);
    expect(ruleNamesOf(scoped)).toEqual(ruleNamesOf(full));
    expect(ruleNamesOf(scoped)).toEqual(expect.arrayContaining([expect.stringMatching(/log_group/)]));
  });

  test('started in worker threads and collected later, it reports the same findings', () => {
    const context = { templatePaths: [templatePath, templatePath], stackTemplates: [] } as any;
    const scoped = new ScopedControlTowerValidator().validate(context);
    process.env.BLUEGREEN_FLEET_GUARD_CACHE = 'off';
    const parallel = new ParallelControlTowerValidator(2);
    expect(parallel.starter.validate(context)).toEqual({ success: true, violations: [] });
    const collected = parallel.collector.validate(context);
    expect(collected.success).toBe(false);
    expect(collected.violations.length).toBe(scoped.violations.length);
    expect(ruleNamesOf(collected)).toEqual(ruleNamesOf(scoped));
    expect(parallel.collector.name).toBe('cdk-validator-cfnguard');
    delete process.env.BLUEGREEN_FLEET_GUARD_CACHE;
  });

  test('a second run takes the findings from the cache, pointing at the new template path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-cache-'));
    const rules = controlTowerRuleIndex().map((r) => r.file).filter((f) => f.includes('cloudwatch'));
    const cache = new GuardResultCache(rules, '1', dir);
    expect(cache.get(templatePath)).toBeUndefined();
    const report = new ScopedControlTowerValidator().validate({ templatePaths: [templatePath], stackTemplates: [] } as any);
    cache.putAll([templatePath], report.violations);
    // The same template text elsewhere (another synth's output folder) hits the same entry.
    const copy = path.join(dir, 'copy.template.json');
    fs.copyFileSync(templatePath, copy);
    const hit = cache.get(copy)!;
    expect(ruleNamesOf({ violations: hit })).toEqual(ruleNamesOf(report));
    expect(hit.flatMap((v) => v.violatingResources.map((r) => r.templatePath))).toEqual(expect.arrayContaining([copy]));
    expect(JSON.stringify(hit)).not.toContain(templatePath);
    // Another template text, or other rules, is a miss.
    fs.writeFileSync(copy, fs.readFileSync(templatePath, 'utf8').replace('"Resources"', '"Resources" '));
    expect(cache.get(copy)).toBeUndefined();
    expect(new GuardResultCache(rules.slice(1), '1', dir).get(templatePath)).toBeUndefined();
    // A template named by a relative path, reported by its absolute path (as cfn-guard may), is
    // still filed under it; a finding naming no known template makes the run uncacheable.
    const relative = path.relative(process.cwd(), templatePath);
    const other = new GuardResultCache(rules, '2', dir);
    other.putAll([relative], report.violations);
    expect(ruleNamesOf({ violations: other.get(relative)! })).toEqual(ruleNamesOf(report));
    const third = new GuardResultCache(rules, '3', dir);
    third.putAll([relative], [{ ...report.violations[0], violatingResources: [{ ...report.violations[0].violatingResources[0], templatePath: '/elsewhere.json' }] }]);
    expect(third.get(relative)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('with the cache on, a repeated run reports the same findings without running cfn-guard again', () => {
    const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
    const run = () => {
      const parallel = new ParallelControlTowerValidator(2);
      parallel.starter.validate(context);
      return parallel.collector.validate(context);
    };
    const first = run();
    const second = run();
    expect(second.success).toBe(false);
    expect(ruleNamesOf(second)).toEqual(ruleNamesOf(first));
    expect(second.violations.length).toBe(first.violations.length);
  });

  test('the collector alone validates synchronously', () => {
    const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
    expect(ruleNamesOf(new ParallelControlTowerValidator(2).collector.validate(context))).toEqual(ruleNamesOf(new ScopedControlTowerValidator().validate(context)));
  });

  test('chunk splits evenly and keeps order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(chunk([1], 4)).toEqual([[1]]);
    expect(chunk([], 2)).toEqual([]);
  });

  test('every Control Tower rule file names the resource types it inspects', () => {
    const rules = controlTowerRuleIndex();
    expect(rules.length).toBeGreaterThan(200);
    expect(rules.filter((r) => r.types.size === 0)).toEqual([]);
  });
});
