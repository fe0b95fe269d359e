import { ENVIRONMENTS, EnvironmentConfig, ServiceConfig } from '../lib/config';

/**
 * The four standard environments, each with `count` services cloned from the example `api`
 * service: the scale a platform team with many services reaches.
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
    out[name] = { ...env, services };
  }
  return out;
}
