import { CloudFormationValidatePlugin, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { GuardResultCache, guardCacheEnabled } from './guard-cache';

// The rules of CloudFormation's validation ship with aws-cdk-lib: its version is the rules' key.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RULES_VERSION: string = require('aws-cdk-lib/package.json').version;

/**
 * CloudFormation's own template validation with its findings remembered per template
 * (GuardResultCache): templates validated before take their findings from the cache, and only
 * the others reach the engine, which costs about a tenth of a second per template. A subclass,
 * so CDK sees CloudFormation validation registered and does not add its default copy; one per
 * process, so the engine starts once however many apps a process builds.
 */
export class CachedCloudFormationValidatePlugin extends CloudFormationValidatePlugin {
  private static shared: CachedCloudFormationValidatePlugin | undefined;

  public static instance(): CachedCloudFormationValidatePlugin {
    CachedCloudFormationValidatePlugin.shared ??= new CachedCloudFormationValidatePlugin();
    return CachedCloudFormationValidatePlugin.shared;
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    if (!guardCacheEnabled()) return super.validate(context);
    const cache = new GuardResultCache([], `${this.name}@${RULES_VERSION}`);
    const cached = new Map(context.templatePaths.map((t) => [t, cache.get(t)] as const));
    const misses = context.templatePaths.filter((t) => !cached.get(t));
    let fresh: PolicyValidationPluginReport = { success: true, violations: [] };
    if (misses.length > 0) {
      const missSet = new Set(misses);
      fresh = super.validate({ ...context, templatePaths: misses, stackTemplates: context.stackTemplates.filter((s) => missSet.has(s.templatePath)) });
      cache.putAll(misses, fresh.violations);
    }
    const violations = [...fresh.violations, ...context.templatePaths.flatMap((t) => cached.get(t) ?? [])];
    return { success: fresh.success && violations.length === fresh.violations.length, violations };
  }
}
