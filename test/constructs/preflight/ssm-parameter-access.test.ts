import { PreflightSeverity } from '../../../constructs/preflight';
import { parameterArn, ssmParameterAccess } from '../../../constructs/preflight/rules/ssm-parameter-access';
import { ACCOUNT, BOOTSTRAP_VERSION, cdkRoles, check, REGION, role, stack } from './support';

const updateOwnStack = { Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:UpdateStack'], Resource: { Ref: 'AWS::StackId' } };
const readVersion = { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version` };

describe('SsmParameterAccess', () => {
  test('GIVEN a role that may UpdateStack its stack but not read BootstrapVersion THEN an error on that role', () => {
    const findings = check(ssmParameterAccess, [stack('svc', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION }, Resources: { Updater: role([updateOwnStack]) } })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'SsmParameterAccess', severity: PreflightSeverity.ERROR, stackName: 'svc', logicalId: 'Updater', location: 'Parameters/BootstrapVersion' });
    expect(findings[0].message).toMatch(/cannot ssm:GetParameters \/cdk-bootstrap\/hnb659fds\/version/);
  });

  test('GIVEN the same role with the read THEN no finding', () => {
    expect(check(ssmParameterAccess, [stack('svc', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION }, Resources: { Updater: role([updateOwnStack, readVersion]) } })])).toEqual([]);
  });

  test('GIVEN a role in another stack granted UpdateStack on a name pattern THEN it is a caller of every stack the pattern covers', () => {
    const ci = role([{ Effect: 'Allow', Action: 'cloudformation:UpdateStack', Resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app-dev-*/*` }]);
    const stacks = [stack('shared', { Resources: { Ci: ci } }), stack('app-dev-api', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION } }), stack('app-prod-api', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION } })];
    const findings = check(ssmParameterAccess, stacks);
    expect(findings.map((f) => [f.stackName, f.logicalId, f.message.includes('app-dev-api')])).toEqual([['shared', 'Ci', true]]);
  });

  test('GIVEN the CDK deploy role THEN it reads the bootstrap version but not another SSM parameter', () => {
    const other = { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/team/config' };
    const findings = check(ssmParameterAccess, [stack('svc', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION, Config: other } }, cdkRoles)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: PreflightSeverity.ERROR, stackName: 'svc', location: 'Parameters/Config' });
    expect(findings[0].message).toMatch(/CDK deploy role/);
  });

  test('GIVEN no identity that may update the stack THEN no finding', () => {
    expect(check(ssmParameterAccess, [stack('svc', { Parameters: { BootstrapVersion: BOOTSTRAP_VERSION }, Resources: { Reader: role([readVersion]) } })])).toEqual([]);
  });

  test('parameter ARNs: a leading slash joins the name, public parameters have no account', () => {
    const s = stack('s', {});
    expect(parameterArn(s, '/a/b')).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/a/b`);
    expect(parameterArn(s, 'plain')).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/plain`);
    expect(parameterArn(s, '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id')).toBe(`arn:aws:ssm:${REGION}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`);
  });
});

describe('SsmParameterAccess on AWS public parameters', () => {
  test('GIVEN the CDK deploy role and an /aws/service parameter THEN a warning, not an error', () => {
    const ami = { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' };
    const findings = check(ssmParameterAccess, [stack('svc', { Parameters: { Ami: ami } }, cdkRoles)]);
    expect(findings.map((f) => f.severity)).toEqual([PreflightSeverity.WARNING]);
  });
});
