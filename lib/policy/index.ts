import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScopedControlTowerValidator } from './scoped-guard';

export { ScopedControlTowerValidator, controlTowerRuleIndex } from './scoped-guard';

/**
 * Registers the policy gates that run on every synth of the app: cdk-nag's AwsSolutions pack
 * and the Control Tower proactive controls through cfn-guard. A finding fails synth unless it
 * is acknowledged next to the construct it concerns, with its reason.
 */
export function addPolicyGates(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ScopedControlTowerValidator());
}
