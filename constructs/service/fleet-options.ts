import { Duration, Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsAgentOptions } from '../fleet/agent';
import { FleetOverrides } from './fleet-overrides';
import { defaultContainerHealthCheck } from './task-definition';

/**
 * Everything that runs on one fleet. A BlueGreenService takes one shared `FleetOptions` and
 * optional per-color overrides, so a change can reach the standby fleet alone: change the
 * standby's override, release and swap, then move the change into the shared options.
 */
export interface FleetOptions extends EcsAgentOptions {
  /** EC2 instance types, most preferred first, all of one CPU architecture. */
  readonly instanceTypes: ec2.InstanceType[];

  /**
   * Share (0-100) of the instances that run on Spot.
   * @default 0
   */
  readonly spotPercentage?: number;

  /**
   * Upper bound of the fleet's Auto Scaling group.
   * @default 2
   */
  readonly maxInstances?: number;

  /**
   * CPU units of the container (1024 = one vCPU).
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Hard memory limit of the container, MiB: the container is stopped above it.
   * @default 512
   */
  readonly memoryMiB?: number;

  /**
   * Plain environment variables of the container. Never secrets: they are visible in the task
   * definition.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * Secrets ECS injects as environment variables at task start, from Secrets Manager or SSM
   * Parameter Store; the task execution role is granted read on each.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;

  /**
   * Size of each instance's encrypted gp3 root volume.
   * @default Size.gibibytes(30)
   */
  readonly rootVolumeSize?: Size;

  /**
   * Path the load balancer's health check requests (the fleet's target group).
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * The container's own health check.
   * @default - `curl -fsS http://localhost:<containerPort><healthCheckPath>` every 30 seconds
   * (the image needs curl), 3 retries, 60 seconds start period; the path is this fleet's
   * `healthCheckPath`
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * Mount the container's root filesystem read-only (the image must write only to volumes).
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * User (name, uid or uid:gid) the container runs as.
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * How long ECS ignores failing load balancer health checks of a new task.
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How long the load balancer lets in-flight requests finish on a target that leaves.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/**
 * Fields of the shared fleet options that BlueGreenService also takes at the top level, as
 * shorthands (they were service-wide before they could differ per fleet).
 */
export const FLEET_SHORTHANDS = ['healthCheckPath', 'containerHealthCheck', 'readonlyRootFilesystem', 'user', 'healthCheckGracePeriod', 'deregistrationDelay'] as const;
export type FleetShorthands = Pick<FleetOptions, (typeof FLEET_SHORTHANDS)[number]>;

/** The shared fleet options with the service-level shorthands moved in; one place per field. */
export function sharedFleetOptions(fleet: FleetOptions, shorthands: FleetShorthands): FleetOptions {
  const moved: Partial<FleetOptions> = {};
  for (const name of FLEET_SHORTHANDS) {
    if (shorthands[name] === undefined) continue;
    if (fleet[name] !== undefined) {
      throw new Error(`BlueGreenService: ${name} is given both on the service and in fleet; give it once, as fleet.${name} (blue and green can override it)`);
    }
    Object.assign(moved, { [name]: shorthands[name] });
  }
  return { ...fleet, ...moved };
}

/** The options of one fleet after its override: an override replaces a field as a whole. */
export interface ResolvedFleetOptions extends EcsAgentOptions {
  readonly instanceTypes: ec2.InstanceType[];
  readonly spotPercentage: number;
  readonly maxInstances: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, ecs.Secret>>;
  readonly rootVolumeSize: Size;
  readonly healthCheckPath: string;
  readonly containerHealthCheck: ecs.HealthCheck;
  readonly readonlyRootFilesystem: boolean;
  readonly user?: string;
  readonly healthCheckGracePeriod: Duration;
  readonly deregistrationDelay: Duration;
}

/**
 * One fleet's options: its override over the shared options, then the defaults. The default
 * container health check requests the fleet's own health path on `containerPort`.
 */
export function resolveFleetOptions(shared: FleetOptions, override: FleetOverrides | undefined, where: string, containerPort: number): ResolvedFleetOptions {
  const merged: FleetOptions = { ...shared, ...definedOnly(override ?? {}) };
  const resolved: ResolvedFleetOptions = {
    ...merged,
    spotPercentage: merged.spotPercentage ?? 0,
    maxInstances: merged.maxInstances ?? 2,
    cpu: merged.cpu ?? 256,
    memoryMiB: merged.memoryMiB ?? 512,
    environment: merged.environment ?? {},
    secrets: merged.secrets ?? {},
    rootVolumeSize: merged.rootVolumeSize ?? Size.gibibytes(30),
    healthCheckPath: merged.healthCheckPath ?? '/',
    containerHealthCheck: merged.containerHealthCheck ?? defaultContainerHealthCheck(containerPort, merged.healthCheckPath ?? '/'),
    readonlyRootFilesystem: merged.readonlyRootFilesystem ?? false,
    healthCheckGracePeriod: merged.healthCheckGracePeriod ?? Duration.seconds(60),
    deregistrationDelay: merged.deregistrationDelay ?? Duration.seconds(30),
  };
  if (!Token.isUnresolved(resolved.healthCheckPath) && !resolved.healthCheckPath.startsWith('/')) {
    throw new Error(`BlueGreenService: ${where}.healthCheckPath "${resolved.healthCheckPath}" must start with /`);
  }
  const { cpu, memoryMiB } = resolved;
  if (!Token.isUnresolved(cpu) && (!Number.isInteger(cpu) || cpu < 128 || cpu > 196608)) {
    throw new Error(`BlueGreenService: ${where}.cpu ${cpu} must be a whole number of CPU units from 128 to 196608`);
  }
  if (!Token.isUnresolved(memoryMiB) && (!Number.isInteger(memoryMiB) || memoryMiB < 128)) {
    throw new Error(`BlueGreenService: ${where}.memoryMiB ${memoryMiB} must be a whole number, at least 128`);
  }
  for (const name of [...Object.keys(resolved.environment), ...Object.keys(resolved.secrets)]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`BlueGreenService: ${where} variable name "${name}" must be letters, digits and underscores, not starting with a digit`);
    }
  }
  const both = Object.keys(resolved.environment).filter((name) => name in resolved.secrets);
  if (both.length > 0) {
    throw new Error(`BlueGreenService: ${where} sets ${both.join(', ')} both as environment and as secret; keep one`);
  }
  return resolved;
}

/** `{ cpu: undefined }` in an override means "not overridden", not "unset". */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
