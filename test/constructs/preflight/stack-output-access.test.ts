import { PreflightSeverity } from '../../../constructs/preflight';
import { stackOutputAccess } from '../../../constructs/preflight/rules/stack-output-access';
import { ACCOUNT, cdkRoles, check, cloudFormationTrust, REGION, role, stack } from './support';

const consumer = (extra: Record<string, unknown> = {}, reference: Record<string, unknown> = {}) => ({
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetStackOutput': { StackName: 'network', OutputName: 'VpcId', ...reference } } } },
    Updater: role([
      { Effect: 'Allow', Action: 'cloudformation:UpdateStack', Resource: { Ref: 'AWS::StackId' } },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['Narrow', 'Arn'] } },
    ]),
    ...extra,
  },
});
const narrow = (statements: unknown[]) => role(statements, { AssumeRolePolicyDocument: cloudFormationTrust });
const describeNetwork = { Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/network/*` };

describe('StackOutputAccess', () => {
  test('GIVEN a service role a caller passes on UpdateStack that cannot describe the producer THEN an error on that role', () => {
    const findings = check(stackOutputAccess, [stack('app', consumer({ Narrow: narrow([{ Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: '*' }]) }))]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'StackOutputAccess', severity: PreflightSeverity.ERROR, stackName: 'app', logicalId: 'Narrow', location: 'Resources/Queue/Properties/QueueName' });
    expect(findings[0].message).toMatch(/cannot cloudformation:DescribeStacks network in ap-northeast-1/);
  });

  test('GIVEN the role may describe the producer THEN no finding', () => {
    expect(check(stackOutputAccess, [stack('app', consumer({ Narrow: narrow([describeNetwork]) }))])).toEqual([]);
  });

  test('GIVEN the reference names a RoleArn THEN the execution role need not describe the producer', () => {
    expect(check(stackOutputAccess, [stack('app', consumer({ Narrow: narrow([]) }, { RoleArn: 'arn:aws:iam::222222222222:role/reader' }))])).toEqual([]);
  });

  test('GIVEN a caller whose UpdateStack requires cloudformation:RoleArn THEN that role is an execution role even without a PassRole match', () => {
    const template = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetStackOutput': { StackName: 'network', OutputName: 'VpcId' } } } },
        Caller: role([{ Effect: 'Allow', Action: 'cloudformation:UpdateStack', Resource: '*', Condition: { ArnEquals: { 'cloudformation:RoleArn': { 'Fn::GetAtt': ['Narrow', 'Arn'] } } } }]),
        Narrow: narrow([]),
        Other: narrow([]),
      },
    };
    expect(check(stackOutputAccess, [stack('app', template)]).map((f) => f.logicalId)).toEqual(['Narrow']);
  });

  test('GIVEN only cdk deploy (the default AdministratorAccess execution role) THEN no finding', () => {
    const template = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetStackOutput': { StackName: 'network', OutputName: 'VpcId' } } } } } };
    expect(check(stackOutputAccess, [stack('app', template, cdkRoles)])).toEqual([]);
  });
});
