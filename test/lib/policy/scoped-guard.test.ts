import { App, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as path from 'path';
import { controlTowerRuleIndex, ScopedControlTowerValidator } from '../../../lib/policy';

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

  test('every Control Tower rule file names the resource types it inspects', () => {
    const rules = controlTowerRuleIndex();
    expect(rules.length).toBeGreaterThan(200);
    expect(rules.filter((r) => r.types.size === 0)).toEqual([]);
  });
});
