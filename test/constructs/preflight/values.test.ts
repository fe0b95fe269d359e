import { globMatch, resolveString, roleArn, UNKNOWN } from '../../../constructs/preflight/values';
import { stack } from './support';

describe('globMatch', () => {
  test('wildcards, case-sensitive ARNs, case-insensitive actions', () => {
    expect(globMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::b/k')).toBe('yes');
    expect(globMatch('arn:aws:s3:::B/*', 'arn:aws:s3:::b/k')).toBe('no');
    expect(globMatch('CloudFormation:Update*', 'cloudformation:UpdateStack', true)).toBe('yes');
    expect(globMatch('s3:Get?bject', 's3:GetObject', true)).toBe('yes');
  });

  test('an unknown part can only make a maybe', () => {
    expect(globMatch(`arn:aws:iam::1:role/${UNKNOWN}`, 'arn:aws:iam::1:role/x')).toBe('maybe');
    expect(globMatch('arn:aws:iam::1:role/*', `arn:aws:iam::1:role/${UNKNOWN}`)).toBe('yes');
    expect(globMatch('arn:aws:iam::1:role/a', `arn:aws:iam::2:role/${UNKNOWN}`)).toBe('no');
  });

  test('a generated role name matches its own references, patterns on its stack name, and no other role', () => {
    const s = stack('app-dev', { Resources: { A: { Type: 'AWS::IAM::Role' }, B: { Type: 'AWS::IAM::Role' } } });
    const a = roleArn(s, 'A');
    expect(globMatch(resolveString(s, { 'Fn::GetAtt': ['A', 'Arn'] }), a)).toBe('yes');
    expect(globMatch(roleArn(s, 'B'), a)).toBe('no');
    expect(globMatch('arn:aws:iam::111111111111:role/app-dev-*', a)).toBe('yes');
    expect(globMatch('arn:aws:iam::111111111111:role/app-prod-*', a)).toBe('no');
  });

  test('Fn::Sub and Fn::Join resolve pseudo parameters in the stack context', () => {
    const s = stack('app', {});
    expect(resolveString(s, { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x' })).toBe('arn:aws:ssm:ap-northeast-1:111111111111:parameter/x');
    expect(resolveString(s, { 'Fn::Join': ['', ['a', { Ref: 'AWS::StackName' }, { Ref: 'SomeParameter' }]] })).toBe(`aapp${UNKNOWN}`);
  });
});
