import { ConfigError, EnvironmentConfig, selectEnvironments, ServiceConfig } from '../../../lib/config';
import { serviceStackName } from '../../../constructs/contract';
import { ExitCode, ReleaseError } from '../core/outcome';

export { serviceStackName };

/** One service of one environment, as the config describes it, and the stack that runs it. */
export interface ReleaseTarget {
  readonly environment: EnvironmentConfig;
  readonly service: ServiceConfig;
  readonly stackName: string;
  readonly region: string;
}

export interface TargetInput {
  readonly env: string;
  readonly service: string;
  /** Overrides the contract's stack name `bgf-<env>-<service>`. */
  readonly stack?: string;
  /** The git branch, for `--env branch`. */
  readonly branch?: string;
}

/** Finds the environment and service in lib/config, so release settings come from one place. */
export function resolveTarget(input: TargetInput): ReleaseTarget {
  let environments: readonly EnvironmentConfig[];
  try {
    environments = selectEnvironments({ env: input.env, branch: input.branch }).environments;
  } catch (error) {
    if (error instanceof ConfigError) throw new ReleaseError(ExitCode.Usage, error.message);
    throw error;
  }
  const environment = environments.find((e) => e.name === input.env) ?? (environments.length === 1 ? environments[0] : undefined);
  if (!environment) throw new ReleaseError(ExitCode.Usage, `--env ${input.env} selects no single environment`);
  const service = environment.services.find((s) => s.name === input.service);
  if (!service) {
    const known = environment.services.map((s) => s.name).join(', ') || '(none)';
    throw new ReleaseError(ExitCode.Usage, `service "${input.service}" is not configured in ${environment.name}; known: ${known}`);
  }
  return {
    environment,
    service,
    stackName: input.stack ?? serviceStackName(environment.name, service.name),
    region: environment.region,
  };
}

