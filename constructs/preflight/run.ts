import { Assembly } from './assembly';
import { buildIamModel } from './iam';
import { RaisedQuota } from './quotas';
import { PREFLIGHT_RULES } from './rules';
import { PreflightFinding, PreflightRule, PreflightSeverity } from './types';

export interface PreflightResult {
  readonly findings: readonly PreflightFinding[];
  readonly errors: number;
  readonly warnings: number;
}

/** Runs the rules on an assembly: the one entry point of the plugin and the CLI. */
export function runPreflight(assembly: Assembly, raisedQuotas: readonly RaisedQuota[] = [], rules: readonly PreflightRule[] = PREFLIGHT_RULES): PreflightResult {
  const context = { assembly, iam: buildIamModel(assembly), raisedQuotas };
  const findings = rules.flatMap((rule) => rule.check(context));
  return {
    findings,
    errors: findings.filter((f) => f.severity === PreflightSeverity.ERROR).length,
    warnings: findings.filter((f) => f.severity === PreflightSeverity.WARNING).length,
  };
}

/** Plain-text report lines, one per finding. */
export function formatFindings(findings: readonly PreflightFinding[]): string[] {
  return findings.map((f) => `${f.severity.toUpperCase()} ${f.ruleId} ${f.stackName}/${f.logicalId ?? '-'}${f.constructPath ? ` (${f.constructPath})` : ''}: ${f.message} [${f.documentation}]`);
}
