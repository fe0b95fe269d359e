import { ENVIRONMENTS, EnvironmentConfig, ServiceConfig } from '../lib/config';

/**
 * The four standard environments, each with `count` services cloned from the example `api`
 * service: the scale a platform team with many services reaches. Such a team has raised its
 * accounts' quotas (dev, load and staging share one account and Region, so at 50 services they
 * hold 150 load balancers against AWS's default of 50 per Region:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html),
 * and declares it, as the preflight gate
 * asks (docs/preflight.md, AccountQuota): each raised quota is what every environment of the
 * account needs, with room.
 */
export function generatedEnvironments(count: number): Record<string, EnvironmentConfig> {
  const out: Record<string, EnvironmentConfig> = {};
  for (const [name, env] of Object.entries(ENVIRONMENTS)) {
    const template = env.services.find((s) => s.name === 'api') ?? env.services[0];
    const services: ServiceConfig[] = Array.from({ length: count }, (_, i) => ({
      ...template,
      name: `svc-${String(i + 1).padStart(3, '0')}`,
      allowFrom: i > 0 ? [`svc-${String(i).padStart(3, '0')}`] : [],
    }));
    out[name] = {
      ...env,
      services,
      raisedQuotas: {
        ...env.raisedQuotas,
        ApplicationLoadBalancers: Math.max(50, 4 * count),
        OnDemandStandardVcpus: Math.max(env.raisedQuotas?.OnDemandStandardVcpus ?? 0, 64 * count),
      },
    };
  }
  return out;
}
