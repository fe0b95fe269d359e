import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from '../config';
import { CachedCloudFormationValidatePlugin } from './cached-plugin';
import { ParallelControlTowerValidator } from './parallel-guard';
import { preflightChecks } from './preflight';

export { ScopedControlTowerValidator, controlTowerRuleIndex, relevantControlTowerRules } from './scoped-guard';
export { ParallelControlTowerValidator } from './parallel-guard';
export { CachedCloudFormationValidatePlugin } from './cached-plugin';
export { planScopedEvaluation, findingsForTemplates, ruleScope } from './scoped-evaluation';

/**
 * `BLUEGREEN_FLEET_POLICY_GATES=off` skips the gates. Only the pull-request diff sets it, for the
 * base side it synthesizes to compare with (src/diff/synth.ts): those templates merged through
 * the gates already, and are never deployed from the diff.
 */
export function policyGatesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BLUEGREEN_FLEET_POLICY_GATES !== 'off';
}

/**
 * Registers the policy gates that run on every synth of the app: cdk-nag's AwsSolutions pack,
 * CloudFormation's own template validation, the preflight gate (docs/preflight.md), and the
 * Control Tower proactive controls through cfn-guard. A finding fails synth unless it is acknowledged next to the construct it concerns,
 * with its reason.
 *
 * Order matters for speed only: cfn-guard starts first in worker threads and is collected last,
 * so it runs while the other gates work on the main thread. CloudFormation's validation is
 * registered here explicitly (one process-wide instance, as CDK's own default is) so that
 * it runs before the collector instead of after it; its findings are remembered per template
 * like cfn-guard's.
 *
 * `environments` are the environments the app is built from: the preflight gate applies the
 * quotas each declares raised (`raisedQuotas`) to its account and Region. Default: the
 * project's own environments (lib/config).
 */
export function addPolicyGates(app: App, environments?: readonly EnvironmentConfig[]): void {
  if (!policyGatesEnabled()) return;
  const guard = new ParallelControlTowerValidator();
  Validations.of(app).addPlugins(guard.starter, new AwsSolutionsChecks(app), CachedCloudFormationValidatePlugin.instance(), preflightChecks(environments), guard.collector);
}
