import { App, CfnResource, PolicyViolation, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { controlTowerRuleIndex, findingsForTemplates, planScopedEvaluation, relevantControlTowerRules, ruleScope } from '../../../lib/policy';

/** Every finding as one comparable line: template, rule, resource, description, fix, locations. */
function findings(violations: readonly PolicyViolation[]): string[] {
  return violations
    .flatMap((v) => v.violatingResources.map((r) => JSON.stringify([path.basename(r.templatePath ?? ''), v.ruleName, r.resourceLogicalId, v.description, v.fix, r.locations, v.ruleMetadata])))
    .sort();
}

const rule = (name: string) => controlTowerRuleIndex().find((r) => path.basename(r.file) === name)!.file;

function scoped(templatePaths: string[]) {
  const rules = relevantControlTowerRules(templatePaths);
  const plan = planScopedEvaluation(templatePaths, rules, fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-scoped-test-')), 2);
  const raw = plan.jobs.flatMap((job) => new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: job.rules }).validate({ templatePaths: job.dataFiles } as any).violations);
  fs.rmSync(plan.scratch, { recursive: true, force: true });
  return { plan, violations: findingsForTemplates(plan, raw) };
}

describe('scoped cfn-guard evaluation', () => {
  let templatePaths: string[];
  beforeAll(() => {
    // GIVEN two stacks that differ only in names, each with findings of every rule scope: an
    // alarm without actions (a type rule), a Lambda permission whose SourceArn references a
    // topic of the template (a rule that follows references), a security group open to the
    // world (a rule that reads the whole document)
    const app = new App();
    for (const name of ['One', 'Two']) {
      const stack = new Stack(app, name);
      new CfnResource(stack, 'Alarm', { type: 'AWS::CloudWatch::Alarm', properties: { ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, MetricName: 'Errors', Namespace: 'AWS/Lambda', Period: 60, Statistic: 'Sum', Threshold: 1 } });
      const topic = new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { TopicName: `topic-${name}` } });
      const fn = new CfnResource(stack, 'Fn', { type: 'AWS::Lambda::Function', properties: { Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' }, Handler: 'index.h', Runtime: 'nodejs20.x' } });
      new CfnResource(stack, 'Permission', { type: 'AWS::Lambda::Permission', properties: { Action: 'lambda:InvokeFunction', FunctionName: fn.ref, Principal: 'sns.amazonaws.com', SourceArn: topic.ref } });
      new CfnResource(stack, 'Group', { type: 'AWS::EC2::SecurityGroup', properties: { GroupDescription: `${name} group`, SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }] } });
    }
    const dir = app.synth().directory;
    templatePaths = ['One', 'Two'].map((n) => path.join(dir, `${n}.template.json`));
  });

  test('a rule file is scoped by what its text reads of the document', () => {
    expect(ruleScope(rule('ct-cloudwatch-pr-1.guard'))).toBe('type');
    expect(ruleScope(rule('ct-lambda-pr-2.guard'))).toBe('reference');
    expect(ruleScope(rule('ct-ec2-pr-4.guard'))).toBe('document');
  });

  test('reports exactly what one cfn-guard run over the whole templates reports', () => {
    const whole = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: relevantControlTowerRules(templatePaths) }).validate({ templatePaths } as any);
    const { violations } = scoped(templatePaths);
    expect(findings(whole.violations).length).toBeGreaterThan(4);
    expect(findings(violations)).toEqual(findings(whole.violations));
    // Findings of a type rule and of whole-document rules are among them.
    expect(whole.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['cloudwatch_alarm_action_check', 'vpc_sg_open_only_to_authorized_ports_check', 'vpc_sg_restricted_common_ports_check']));
  });

  test('identical parts of two templates are evaluated once and reported for both', () => {
    const { plan, violations } = scoped(templatePaths);
    const alarmCopies = plan.jobs.filter((j) => j.rules.length === 1 && j.rules[0].endsWith('ct-cloudwatch-pr-1.guard')).flatMap((j) => j.dataFiles);
    expect(alarmCopies).toHaveLength(1);
    expect(plan.origins.get(alarmCopies[0])).toEqual(templatePaths);
    const alarmFindings = violations.filter((v) => v.ruleName === 'cloudwatch_alarm_action_check').flatMap((v) => v.violatingResources.map((r) => path.basename(r.templatePath ?? '')));
    expect(alarmFindings.sort()).toEqual(['One.template.json', 'Two.template.json']);
  });

  test('a rule that follows references needs the referenced resources: without them cfn-guard reports otherwise', () => {
    // The reduced copy a type-only scope would give ct-lambda-pr-2: the permission alone.
    const template = JSON.parse(fs.readFileSync(templatePaths[0], 'utf8'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-scoped-test-'));
    const alone = path.join(dir, 'alone.json');
    fs.writeFileSync(alone, JSON.stringify({ Resources: { Permission: template.Resources.Permission } }));
    const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [rule('ct-lambda-pr-2.guard')] });
    const whole = findings(validator.validate({ templatePaths: [templatePaths[0]] } as any).violations);
    let reduced: string[] | 'error';
    try {
      reduced = findings(validator.validate({ templatePaths: [alone] } as any).violations);
    } catch {
      reduced = 'error';
    }
    expect(whole).toEqual([]);
    expect(reduced).not.toEqual(whole);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
