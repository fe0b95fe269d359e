import { App, CfnResource, Stack } from 'aws-cdk-lib';
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
});
