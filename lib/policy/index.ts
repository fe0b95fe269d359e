import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ParallelControlTowerValidator } from './parallel-guard';

export { ScopedControlTowerValidator, controlTowerRuleIndex, relevantControlTowerRules } from './scoped-guard';
export { ParallelControlTowerValidator } from './parallel-guard';

/**
 * Registers the policy gates that run on every synth of the app: cdk-nag's AwsSolutions pack,
 * CloudFormation's own template validation, and the Control Tower proactive controls through
 * cfn-guard. A finding fails synth unless it is acknowledged next to the construct it concerns,
 * with its reason.
 *
 * Order matters for speed only: cfn-guard starts first in worker threads and is collected last,
 * so it runs while the other gates work on the main thread. CloudFormation's validation is
 * registered here explicitly (the same process-wide instance CDK would add by itself) so that
 * it runs before the collector instead of after it.
 */
export function addPolicyGates(app: App): void {
  const guard = new ParallelControlTowerValidator();
  Validations.of(app).addPlugins(guard.starter, new AwsSolutionsChecks(app), CloudFormationValidatePlugin._singletonInstance(), guard.collector);
}
