import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Changes for one fleet (`BlueGreenServiceProps.blue` / `.green`): every field of `FleetOptions`,
 * optional. A field given here replaces the shared one (`fleet`, or its service-level shorthand)
 * as a whole: `environment` here is the fleet's whole environment, not an addition to the
 * shared one. test/constructs/service/fleet-overrides.test.ts keeps the fields in step with
 * `FleetOptions`.
 */
export interface FleetOverrides {
  /**
   * EC2 instance types of this fleet, most preferred first, all of one CPU architecture.
   * @default - the shared `fleet.instanceTypes`
   */
  readonly instanceTypes?: ec2.InstanceType[];

  /**
   * Share (0-100) of this fleet's instances that run on Spot.
   * @default - the shared `fleet.spotPercentage`
   */
  readonly spotPercentage?: number;

  /**
   * Upper bound of this fleet's Auto Scaling group.
   * @default - the shared `fleet.maxInstances`
   */
  readonly maxInstances?: number;

  /**
   * CPU units of this fleet's container (1024 = one vCPU).
   * @default - the shared `fleet.cpu`
   */
  readonly cpu?: number;

  /**
   * Hard memory limit of this fleet's container, MiB.
   * @default - the shared `fleet.memoryMiB`
   */
  readonly memoryMiB?: number;

  /**
   * Plain environment variables of this fleet's container (all of them). Never secrets.
   * @default - the shared `fleet.environment`
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * Secrets ECS injects into this fleet's container (all of them).
   * @default - the shared `fleet.secrets`
   */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;

  /**
   * Size of each of this fleet's instances' encrypted gp3 root volume.
   * @default - the shared `fleet.rootVolumeSize`
   */
  readonly rootVolumeSize?: Size;

  /**
   * Path the load balancer's health check of this fleet's target group requests.
   * @default - the shared `fleet.healthCheckPath` (or the service's `healthCheckPath`)
   */
  readonly healthCheckPath?: string;

  /**
   * The container's own health check on this fleet.
   * @default - the shared `fleet.containerHealthCheck` (or the service's `containerHealthCheck`)
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * Mount this fleet's container's root filesystem read-only.
   * @default - the shared `fleet.readonlyRootFilesystem` (or the service's `readonlyRootFilesystem`)
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * User (name, uid or uid:gid) this fleet's container runs as.
   * @default - the shared `fleet.user` (or the service's `user`)
   */
  readonly user?: string;

  /**
   * How long ECS ignores failing load balancer health checks of a new task on this fleet.
   * @default - the shared `fleet.healthCheckGracePeriod` (or the service's `healthCheckGracePeriod`)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How long the load balancer lets in-flight requests finish on a target of this fleet that leaves.
   * @default - the shared `fleet.deregistrationDelay` (or the service's `deregistrationDelay`)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How often the ECS agent on this fleet's instances removes unused images.
   * @default - the shared `fleet.imageCleanupInterval`
   */
  readonly imageCleanupInterval?: Duration;

  /**
   * How old an unused image must be before the agent on this fleet's instances removes it.
   * @default - the shared `fleet.imageMinimumCleanupAge`
   */
  readonly imageMinimumCleanupAge?: Duration;

  /**
   * How long the agent on this fleet's instances waits after SIGTERM before it kills a container.
   * @default - the shared `fleet.containerStopTimeout`
   */
  readonly containerStopTimeout?: Duration;

  /**
   * Further agent settings of this fleet's instances (all of them), name to value.
   * @default - the shared `fleet.agentSettings`
   */
  readonly agentSettings?: Readonly<Record<string, string>>;
}
