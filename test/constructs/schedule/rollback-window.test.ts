import { Duration } from 'aws-cdk-lib';
import { ReleaseSupport } from '../../../constructs/release/release-support';
import { ReleaseWindowPrewarm } from '../../../constructs/schedule';
import { buildService } from '../service/support';

/**
 * The scale-in at the end of a rollback window, end to end at the template level. The CLI creates
 * a one-time EventBridge Scheduler schedule at each swap (src/release/schedule.ts) whose target is
 * the stack output `StandbyCapacityFunctionArn` and whose role is the output
 * `ReleaseSchedulerRoleArn`. So: both outputs exist, the role may be assumed by Scheduler and may
 * invoke exactly that function, the function may update only its own stack, and the release
 * window schedules use the same function and role.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

describe('rollback-window scale-in wiring', () => {
  let resources: Resources;
  let outputs: Record<string, { Value: unknown }>;
  let functionId: string;
  let roleId: string;
  beforeAll(() => {
    const { template } = buildService(
      { minTasks: 6, maxTasks: 12 },
      {
        after: (_stack, vpc, service) => {
          const release = new ReleaseSupport(service, 'Release', { service, vpc });
          new ReleaseWindowPrewarm(service, 'Prewarm', {
            serviceName: 'api',
            standbyCapacityFunction: release.standbyCapacityFunction,
            role: release.schedulerRole,
            windows: [{ name: 'weekday-morning', cron: '0 11 ? * MON-THU *', timeZone: 'Asia/Tokyo', duration: Duration.minutes(120) }],
          });
        },
      },
    );
    const json = template.toJSON() as { Resources: Resources; Outputs: Record<string, { Value: unknown }> };
    resources = json.Resources;
    outputs = json.Outputs;
    functionId = (outputs.StandbyCapacityFunctionArn.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    roleId = (outputs.ReleaseSchedulerRoleArn.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  });

  const policiesOf = (role: string) =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
  const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

  test('the outputs the CLI reads name a Lambda function and an IAM role of this stack', () => {
    expect(outputs.StandbyCapacityFunctionArn.Value).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(resources[functionId].Type).toBe('AWS::Lambda::Function');
    expect(resources[roleId].Type).toBe('AWS::IAM::Role');
  });

  test('the role may be assumed by EventBridge Scheduler of this account only', () => {
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } },
    ]);
  });

  test('the role may invoke that function and nothing else (one statement, although two constructs grant it)', () => {
    expect(policiesOf(roleId)).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionId, 'Arn'] } }]);
  });

  test('the function may update only its own stack, passing only the CloudFormation role', () => {
    const fnRole = (resources[functionId].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = policiesOf(fnRole);
    const cloudformation = statements.filter((s) => actions(s).some((a) => a.startsWith('cloudformation:')));
    expect(cloudformation).toEqual([
      expect.objectContaining({ Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } }),
      // Only as the parameter-update role: without RoleARN CloudFormation would reuse the stack's last role.
      expect.objectContaining({
        Action: 'cloudformation:UpdateStack',
        Resource: { Ref: 'AWS::StackId' },
        Condition: { ArnEquals: { 'cloudformation:RoleArn': { 'Fn::GetAtt': [expect.stringMatching(/ParameterUpdateRole/), 'Arn'] } } },
      }),
    ]);
    // CloudFormation gets the parameter-update role; Scheduler the scheduler role, for the function's own cool-down retries.
    const passRole = statements.filter((s) => actions(s).includes('iam:PassRole'));
    expect(passRole.map((p) => p.Condition)).toEqual([
      { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    ]);
    expect(statements.flatMap(actions).filter((a) => /^(cloudformation|iam|lambda):\*$|^\*$/.test(a))).toEqual([]);
  });

  test('the release-window schedules invoke the same function with the same role', () => {
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules.map((s) => JSON.parse(s.Properties.Target.Input).action).sort()).toEqual(['cool-if-idle', 'warm']);
    for (const s of schedules) {
      expect(s.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
      expect(s.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    const schedulerRoles = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));
    expect(schedulerRoles).toHaveLength(1);
  });
});
