import { Duration } from 'aws-cdk-lib';

/** ECS container agent settings of a fleet's instances (written to /etc/ecs/ecs.config). */
export interface EcsAgentOptions {
  /**
   * How often the agent removes unused images, so a long-lived instance does not fill its disk
   * with every release's image.
   * @default Duration.minutes(30)
   */
  readonly imageCleanupInterval?: Duration;

  /**
   * How old an unused image must be before the agent removes it; keeps the previous release's
   * image on the host for a quick rollback.
   * @default Duration.hours(1)
   */
  readonly imageMinimumCleanupAge?: Duration;

  /**
   * How long the agent waits after SIGTERM before it kills a container, unless the task
   * definition sets its own stop timeout.
   * @default Duration.seconds(30)
   */
  readonly containerStopTimeout?: Duration;

  /**
   * Further agent settings, name to value (e.g. `{ ECS_LOGLEVEL: 'debug' }`). They are written
   * after the defaults, so a name given here wins.
   * @default - none
   */
  readonly agentSettings?: Readonly<Record<string, string>>;
}

const SETTING_NAME = /^ECS_[A-Z0-9_]+$/;
const SAFE_VALUE = /^[A-Za-z0-9_.,:/@=+\-[\]{}" ]*$/;

/** The user-data commands that write the agent settings. ECS_CLUSTER is added by the cluster. */
export function agentConfig(settings: EcsAgentOptions, spot: boolean): string[] {
  const values: Record<string, string> = {
    ECS_ENABLE_CONTAINER_METADATA: 'true',
    ECS_IMAGE_CLEANUP_INTERVAL: goDuration(settings.imageCleanupInterval ?? Duration.minutes(30)),
    ECS_IMAGE_MINIMUM_CLEANUP_AGE: goDuration(settings.imageMinimumCleanupAge ?? Duration.hours(1)),
    ECS_CONTAINER_STOP_TIMEOUT: goDuration(settings.containerStopTimeout ?? Duration.seconds(30)),
    // Tasks get credentials from their task role, never from the instance's.
    ECS_AWSVPC_BLOCK_IMDS: 'true',
    ECS_ENABLE_TASK_IAM_ROLE: 'true',
    ...(spot ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: 'true' } : {}),
    ...settings.agentSettings,
  };
  for (const [name, value] of Object.entries(values)) {
    if (!SETTING_NAME.test(name)) throw new Error(`Fleet: agentSettings name "${name}" must look like ECS_SOME_SETTING`);
    if (!SAFE_VALUE.test(value)) throw new Error(`Fleet: agentSettings ${name} value "${value}" may use only letters, digits, spaces and _ . , : / @ = + - [ ] { } "`);
  }
  return Object.entries(values).map(([name, value]) => `echo '${name}=${value}' >> /etc/ecs/ecs.config`);
}

/** Go's duration syntax, which the agent parses. */
function goDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
