import { PreflightSeverity } from '../../../constructs/preflight';
import { passRole } from '../../../constructs/preflight/rules/pass-role';
import { check, cloudFormationTrust, role, stack } from './support';

const fn = { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, Environment: { Variables: { UPDATE_ROLE_ARN: { 'Fn::GetAtt': ['Narrow', 'Arn'] } } } } };
const narrow = role([], { AssumeRolePolicyDocument: cloudFormationTrust });
const pass = (condition?: unknown) => ({ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['Narrow', 'Arn'] }, ...(condition ? { Condition: condition } : {}) });

describe('PassRole', () => {
  test('GIVEN a function handed a role ARN in its environment without iam:PassRole THEN an error on its role', () => {
    const findings = check(passRole, [stack('s', { Resources: { Fn: fn, FnRole: role([]), Narrow: narrow } })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'PassRole', severity: PreflightSeverity.ERROR, logicalId: 'FnRole', location: 'Properties/Environment/Variables/UPDATE_ROLE_ARN' });
  });

  test('GIVEN PassRole to the service the role trusts THEN no finding; to another service THEN an error', () => {
    const ok = pass({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    expect(check(passRole, [stack('s', { Resources: { Fn: fn, FnRole: role([ok]), Narrow: narrow } })])).toEqual([]);
    const wrong = pass({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(check(passRole, [stack('s', { Resources: { Fn: fn, FnRole: role([wrong]), Narrow: narrow } })]).map((f) => f.severity)).toEqual([PreflightSeverity.ERROR]);
  });

  test('GIVEN a PassRole grant on another role of the stack THEN an error (generated names are distinct)', () => {
    const other = { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['Other', 'Arn'] } };
    expect(check(passRole, [stack('s', { Resources: { Fn: fn, FnRole: role([other]), Narrow: narrow, Other: narrow } })])).toHaveLength(1);
  });

  test('GIVEN UpdateStack limited to cloudformation:RoleArn of a role the caller may not pass THEN an error; with PassRole THEN none', () => {
    const update = { Effect: 'Allow', Action: 'cloudformation:UpdateStack', Resource: { Ref: 'AWS::StackId' }, Condition: { ArnEquals: { 'cloudformation:RoleArn': { 'Fn::GetAtt': ['Narrow', 'Arn'] } } } };
    expect(check(passRole, [stack('s', { Resources: { Caller: role([update]), Narrow: narrow } })]).map((f) => [f.logicalId, f.severity])).toEqual([['Caller', PreflightSeverity.ERROR]]);
    expect(check(passRole, [stack('s', { Resources: { Caller: role([update, pass()]), Narrow: narrow } })])).toEqual([]);
  });
});
