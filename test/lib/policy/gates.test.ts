import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { PreflightChecks, PreflightQuota } from '../../../constructs';
import { ENVIRONMENTS, EnvironmentConfig } from '../../../lib/config';
import { buildTestApp } from '../../support/synth';
import { addPolicyGates, policyGatesEnabled } from '../../../lib/policy';

describe('addPolicyGates', () => {
  // GIVEN an app with a resource cdk-nag and cfn-guard refuse (a queue without encryption or SSL policy)
  function violatingApp(): App {
    const app = new App();
    const stack = new Stack(app, 'Gated');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: {} });
    addPolicyGates(app);
    return app;
  }
  afterEach(() => delete process.env.BLUEGREEN_FLEET_POLICY_GATES);

  test('the gates fail synth on an unacknowledged finding', () => {
    expect(() => violatingApp().synth()).toThrow(/CT.SQS.PR.2.*\(cdk-validator-cfnguard\)/);
  });

  test('BLUEGREEN_FLEET_POLICY_GATES=off (the diff base side only) registers none', () => {
    process.env.BLUEGREEN_FLEET_POLICY_GATES = 'off';
    expect(() => violatingApp().synth()).not.toThrow();
  });

  test('any other value keeps them on', () => {
    expect(policyGatesEnabled({ BLUEGREEN_FLEET_POLICY_GATES: 'false' })).toBe(true);
    expect(policyGatesEnabled({})).toBe(true);
    expect(policyGatesEnabled({ BLUEGREEN_FLEET_POLICY_GATES: 'off' })).toBe(false);
  });

  describe('the preflight gate applies the quotas of the environments the app is built from', () => {
    // GIVEN a Region no project environment uses, where an app creates five VPCs: with the
    // default VPC that is six, one over AWS's default quota of five
    const account = '210987654321';
    const region = 'eu-west-3';
    function fiveVpcs(environments?: readonly EnvironmentConfig[]): string {
      const app = new App();
      const stack = new Stack(app, 'Vpcs', { env: { account, region } });
      for (let i = 0; i < 5; i++) new CfnResource(stack, `Vpc${i}`, { type: 'AWS::EC2::VPC', properties: { CidrBlock: `10.${i}.0.0/16` } });
      addPolicyGates(app, environments);
      try {
        app.synth();
      } catch (e) {
        return String(e);
      }
      return '';
    }
    const declaring: EnvironmentConfig = { ...ENVIRONMENTS.dev, account, region, raisedQuotas: { Vpcs: 10 } };

    test('an environment that declares the quota raised passes the quota check', () => {
      expect(fiveVpcs()).toMatch(/VPCs per Region: account 210987654321 eu-west-3 needs 6 .* but the quota is 5/);
      expect(fiveVpcs([declaring])).not.toMatch(/VPCs per Region/);
    });
  });

  test('buildApp gives the preflight gate the raised quotas of the environments it builds', () => {
    // GIVEN an environment table whose dev declares a raise
    const dev: EnvironmentConfig = { ...ENVIRONMENTS.dev, raisedQuotas: { Vpcs: 9 } };
    const { app } = buildTestApp({ env: 'dev', environments: { dev } });
    // THEN the gate registered on the app (aws-cdk-lib keeps a stage's plugins in _policyValidation) holds it
    const plugins = (app as unknown as { _policyValidation: unknown[] })._policyValidation;
    const preflight = plugins.find((p) => p instanceof PreflightChecks) as unknown as { raisedQuotas: unknown[] };
    expect(preflight.raisedQuotas).toEqual([{ quota: PreflightQuota.VPCS, value: 9, account: dev.account, region: dev.region }]);
  });
});
