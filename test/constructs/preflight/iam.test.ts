import { allowingStatements, isAllowed, Principal, Statement } from '../../../constructs/preflight/iam';
import { UNKNOWN } from '../../../constructs/preflight/values';

const STACK_A = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app-a/1';
const STACK_SECRET = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app-secret/2';

function principal(statements: Statement[], opaquePolicies: string[] = []): Principal {
  return { key: 'p', kind: 'role', arn: 'arn:aws:iam::111111111111:role/p', statements, opaquePolicies, trustedServices: [] };
}

const updateApp: Statement = { effect: 'Allow', actions: ['cloudformation:Update*'], resources: ['arn:aws:cloudformation:eu-west-1:111111111111:stack/app-*'] };
const denySecret: Statement = { effect: 'Deny', actions: ['cloudformation:UpdateStack'], resources: ['arn:aws:cloudformation:*:*:stack/app-secret/*'] };
const allButIam: Statement = { effect: 'Allow', notActions: ['iam:*'], resources: ['*'] };

describe('isAllowed and allowingStatements', () => {
  test('an explicit deny wins, NotAction allows everything but its actions, actions match without regard to case', () => {
    const p = principal([updateApp, denySecret, allButIam]);
    expect(isAllowed(p, 'cloudformation:UpdateStack', STACK_A)).toBe('yes');
    expect(isAllowed(p, 'CloudFormation:UPDATESTACK', STACK_A)).toBe('yes');
    expect(isAllowed(p, 'cloudformation:UpdateStack', STACK_SECRET)).toBe('no');
    expect(isAllowed(p, 'iam:PassRole', 'arn:aws:iam::111111111111:role/x')).toBe('no');
    expect(isAllowed(p, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('yes');
  });

  test('the allowing statements come in the principal order, each only when its action and resource match', () => {
    const p = principal([allButIam, denySecret, updateApp]);
    expect(allowingStatements(p, 'cloudformation:UpdateStack', STACK_A)).toEqual([allButIam, updateApp]);
    expect(allowingStatements(p, 'cloudformation:DeleteStack', STACK_A)).toEqual([allButIam]);
    expect(allowingStatements(p, 'iam:PassRole', STACK_A)).toEqual([]);
  });

  test('a statement attached after a first question is seen by the next one', () => {
    const p = principal([updateApp]);
    expect(isAllowed(p, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:q')).toBe('no');
    expect(allowingStatements(p, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:q')).toEqual([]);
    const sqs: Statement = { effect: 'Allow', actions: ['sqs:*'], resources: ['*'] };
    p.statements.push(sqs);
    expect(isAllowed(p, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:q')).toBe('yes');
    expect(allowingStatements(p, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:q')).toEqual([sqs]);
  });

  test('a deny that may apply makes an allow a maybe; an opaque managed policy makes a missing allow a maybe unless told otherwise', () => {
    const maybeDeny: Statement = { effect: 'Deny', actions: ['cloudformation:UpdateStack'], resources: [`arn:aws:cloudformation:eu-west-1:111111111111:stack/${UNKNOWN}`] };
    expect(isAllowed(principal([updateApp, maybeDeny]), 'cloudformation:UpdateStack', STACK_A)).toBe('maybe');
    const opaque = principal([updateApp], ['arn:aws:iam::aws:policy/Opaque']);
    expect(isAllowed(opaque, 'ecs:UpdateService', '*')).toBe('maybe');
    expect(isAllowed(opaque, 'ecs:UpdateService', '*', {}, false)).toBe('no');
  });
});
