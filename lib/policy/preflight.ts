import { PreflightChecks, PreflightQuota, RaisedQuota } from '../../constructs';
import { ENVIRONMENTS, EnvironmentConfig } from '../config';

/**
 * The preflight gate with the quotas each environment's config declares raised, applied to that
 * environment's account and Region (branch environments share dev's).
 */
export function preflightChecks(environments: readonly EnvironmentConfig[] = Object.values(ENVIRONMENTS)): PreflightChecks {
  const raisedQuotas: RaisedQuota[] = environments.flatMap((env) =>
    Object.entries(env.raisedQuotas ?? {})
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([quota, value]) => ({ quota: quota as PreflightQuota, value, account: env.account, region: env.region })),
  );
  return new PreflightChecks({ raisedQuotas });
}
