import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { assemblyFromTemplates } from './assembly';
import { RaisedQuota } from './quotas';
import { PREFLIGHT_RULES } from './rules';
import { runPreflight } from './run';

export interface PreflightChecksProps {
  /**
   * Quotas raised above AWS's defaults in your accounts (Service Quotas increases).
   * @default - AWS's default quotas everywhere
   */
  readonly raisedQuotas?: RaisedQuota[];
  /**
   * Report findings the template cannot decide (warnings) as violations too.
   * @default false - only errors fail synth; warnings are reported by `bluegreen-fleet preflight`
   */
  readonly failOnWarnings?: boolean;
}

/**
 * The deploy-time rules AWS applies, checked on the whole cloud assembly at synth: VPC Lambda ENI
 * rights, SSM-typed parameters and Fn::GetStackOutput re-resolved on every update, iam:PassRole,
 * account quotas and account singletons (docs/preflight.md). Register it with
 * `Validations.of(app).addPlugins(new PreflightChecks())`; acknowledge a finding next to its
 * construct with `Validations.of(construct).acknowledge({ id: 'Preflight::<RuleId>', reason })`.
 */
export class PreflightChecks implements IPolicyValidationPlugin {
  /** The acknowledgement namespace: `Preflight::<RuleId>`. */
  public readonly name: string = 'Preflight';
  /**
   * The plugin's version in the validation report. Optional only because
   * `IPolicyValidationPlugin` declares it so; always set.
   */
  public readonly version?: string = '0.1.0';
  /**
   * Ids of the rules, in the order they run. Optional only because `IPolicyValidationPlugin`
   * declares it so; always set.
   */
  public readonly ruleIds?: string[] = PREFLIGHT_RULES.map((r) => r.id);
  private readonly raisedQuotas: RaisedQuota[];
  private readonly failOnWarnings: boolean;

  constructor(props: PreflightChecksProps = {}) {
    this.raisedQuotas = props.raisedQuotas ?? [];
    this.failOnWarnings = props.failOnWarnings ?? false;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const result = runPreflight(assemblyFromTemplates(context.templatePaths), this.raisedQuotas);
    const reported = result.findings.filter((f) => this.failOnWarnings || f.severity === 'error');
    const violations: PolicyViolation[] = reported.map((f) => ({
      ruleName: f.ruleId,
      description: f.message,
      fix: f.documentation,
      severity: f.severity,
      violatingResources: [{ resourceLogicalId: f.logicalId, templatePath: f.templatePath, constructPath: f.constructPath, locations: f.location ? [f.location] : [] }],
    }));
    return { success: violations.length === 0, violations };
  }
}
