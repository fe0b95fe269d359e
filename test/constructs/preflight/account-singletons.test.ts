import { PreflightSeverity } from '../../../constructs/preflight';
import { accountSingletons } from '../../../constructs/preflight/rules/account-singletons';
import { check, stack } from './support';

const oidc = (url: string) => ({ Resources: { Provider: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: url, ClientIdList: ['sts.amazonaws.com'] } } } });
const replication = { Resources: { Replication: { Type: 'AWS::ECR::ReplicationConfiguration', Properties: { ReplicationConfiguration: { Rules: [] } } } } };

describe('AccountSingleton', () => {
  test('GIVEN two stacks of one account with a GitHub OIDC provider for the same URL THEN an error on the second', () => {
    const findings = check(accountSingletons, [stack('a', oidc('https://token.actions.githubusercontent.com')), stack('b', oidc('https://token.actions.githubusercontent.com/'))]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'AccountSingleton', severity: PreflightSeverity.ERROR, stackName: 'b', logicalId: 'Provider' });
    expect(findings[0].message).toMatch(/duplicates Provider in a/);
  });

  test('GIVEN providers for different URLs, or in different accounts, or in two Regions of one account (IAM is global) THEN errors only for the last', () => {
    expect(check(accountSingletons, [stack('a', oidc('https://token.actions.githubusercontent.com')), stack('b', oidc('https://gitlab.com'))])).toEqual([]);
    expect(check(accountSingletons, [stack('a', oidc('https://token.actions.githubusercontent.com')), stack('b', oidc('https://token.actions.githubusercontent.com'), { account: '222222222222' })])).toEqual([]);
    expect(check(accountSingletons, [stack('a', oidc('https://token.actions.githubusercontent.com')), stack('b', oidc('https://token.actions.githubusercontent.com'), { region: 'us-east-1' })])).toHaveLength(1);
  });

  test('GIVEN two ECR replication configurations in one registry THEN an error; in two Regions THEN none', () => {
    expect(check(accountSingletons, [stack('a', replication), stack('b', replication)])).toHaveLength(1);
    expect(check(accountSingletons, [stack('a', replication), stack('b', replication, { region: 'us-east-1' })])).toEqual([]);
  });
});
