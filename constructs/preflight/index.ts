export { PreflightChecks } from './plugin';
export type { PreflightChecksProps } from './plugin';
export { PreflightQuota, QUOTAS } from './quotas';
export type { RaisedQuota } from './quotas';
export { PreflightSeverity } from './types';
export type { PreflightFinding, PreflightRule } from './types';
export { readAssembly } from './assembly';
export { runPreflight, formatFindings } from './run';
export { PREFLIGHT_RULES } from './rules';
