import { lambdaVpcEni } from '../../../constructs/preflight/rules/lambda-vpc-eni';
import { PreflightSeverity } from '../../../constructs/preflight';
import { check, role, stack } from './support';

const vpcFunction = (vpc = true) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, ...(vpc ? { VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] } } : {}) },
  Metadata: { 'aws:cdk:path': 'S/Fn/Resource' },
});
const logsOnly = [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:*:*:*' }];

describe('LambdaVpcEni', () => {
  test('GIVEN a VPC function whose own role may only write logs THEN an error names the function and the missing actions', () => {
    const findings = check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role(logsOnly) } })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'LambdaVpcEni', severity: PreflightSeverity.ERROR, stackName: 's', logicalId: 'Fn', constructPath: 'S/Fn/Resource' });
    expect(findings[0].message).toMatch(/ec2:CreateNetworkInterface.*ec2:DeleteNetworkInterface/);
    expect(findings[0].documentation).toMatch(/lambda\/latest\/dg\/configuration-vpc/);
  });

  test('GIVEN the AWSLambdaVPCAccessExecutionRole managed policy (as aws-cdk-lib attaches it) THEN no finding', () => {
    const managed = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] };
    expect(check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role(logsOnly, { ManagedPolicyArns: [managed] }) } })])).toEqual([]);
  });

  test('GIVEN the actions granted inline on * THEN no finding; one action short THEN an error naming it', () => {
    const eni = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
    expect(check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role([{ Effect: 'Allow', Action: eni, Resource: '*' }]) } })])).toEqual([]);
    const short = check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role([{ Effect: 'Allow', Action: eni.slice(1), Resource: '*' }]) } })]);
    expect(short.map((f) => f.message)).toEqual([expect.stringMatching(/lacks ec2:CreateNetworkInterface;/)]);
  });

  test('GIVEN an explicit deny of ENI creation THEN an error despite the managed policy', () => {
    const deny = [{ Effect: 'Deny', Action: 'ec2:CreateNetworkInterface', Resource: '*' }];
    const managed = 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';
    expect(check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role(deny, { ManagedPolicyArns: [managed] }) } })])[0].severity).toBe(PreflightSeverity.ERROR);
  });

  test('GIVEN a managed policy the model does not know THEN a warning, not silence', () => {
    const findings = check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(), FnRole: role(logsOnly, { ManagedPolicyArns: ['arn:aws:iam::111111111111:policy/custom'] }) } })]);
    expect(findings.map((f) => f.severity)).toEqual([PreflightSeverity.WARNING]);
  });

  test('GIVEN a function outside a VPC THEN no finding', () => {
    expect(check(lambdaVpcEni, [stack('s', { Resources: { Fn: vpcFunction(false), FnRole: role(logsOnly) } })])).toEqual([]);
  });
});
