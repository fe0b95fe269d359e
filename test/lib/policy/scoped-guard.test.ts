import { App, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as path from 'path';
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
    const parallel = new ParallelControlTowerValidator(2);
    expect(parallel.starter.validate(context)).toEqual({ success: true, violations: [] });
    const collected = parallel.collector.validate(context);
    expect(collected.success).toBe(false);
    expect(collected.violations.length).toBe(scoped.violations.length);
    expect(ruleNamesOf(collected)).toEqual(ruleNamesOf(scoped));
    expect(parallel.collector.name).toBe('cdk-validator-cfnguard');
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
