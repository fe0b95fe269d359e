import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FleetAlarmOptions } from './alarms';
import { FleetOptions } from './fleet-options';
import { FleetOverrides } from './fleet-overrides';

export interface BlueGreenServiceProps {
  /** The VPC of the load balancer and both fleets. */
  readonly vpc: ec2.IVpc;

  /** The service's name: its DNS label, and part of resource and alarm names. */
  readonly serviceName: string;

  /**
   * The port the container listens on. Service-wide: the load balancer's and the tasks'
   * security-group rules use it, so a change touches both fleets (the live one included).
   */
  readonly containerPort: number;

  /**
   * What both fleets run and on what, unless a color's override says otherwise. Precedence per
   * field: the color's override (`blue`/`green`), then this (or the service-level shorthand of
   * the field), then the field's default.
   */
  readonly fleet: FleetOptions;

  /**
   * Changes for the blue fleet only; a field given here replaces the shared one as a whole.
   * @default - blue runs `fleet` as it is
   */
  readonly blue?: FleetOverrides;

  /**
   * Changes for the green fleet only; a field given here replaces the shared one as a whole.
   * @default - green runs `fleet` as it is
   */
  readonly green?: FleetOverrides;

  /**
   * Task networking: `AWS_VPC` (a security group of the service's own), `HOST` or `BRIDGE`.
   * @default ecs.NetworkMode.AWS_VPC
   */
  readonly networkMode?: ecs.NetworkMode;

  /**
   * Minimum tasks of the live fleet (the standby's minimum is the `StandbyMinTasks` parameter).
   * @default 1
   */
  readonly minTasks?: number;

  /**
   * Maximum tasks of each fleet, at most 100 (`STANDBY_MIN_TASKS_CEILING`).
   * @default 2
   */
  readonly maxTasks?: number;

  /**
   * Average CPU utilization (%) the service scaling keeps each fleet at.
   * @default 60
   */
  readonly cpuTargetPercent?: number;

  /**
   * Shorthand for `fleet.healthCheckPath` (give one or the other): the path the load balancer's
   * health check requests. A change here reaches both fleets; stage it on the standby with a
   * `blue`/`green` override instead.
   * @default - `fleet.healthCheckPath`, else '/'
   */
  readonly healthCheckPath?: string;

  /**
   * Shorthand for `fleet.containerHealthCheck` (give one or the other): the container's own
   * health check. A change here reaches both fleets.
   * @default - `fleet.containerHealthCheck`, else `curl -fsS http://localhost:<containerPort><healthCheckPath>`
   * every 30 seconds (the image needs curl), 3 retries, 60 seconds start period
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * Shorthand for `fleet.readonlyRootFilesystem` (give one or the other). A change here
   * reaches both fleets.
   * @default - `fleet.readonlyRootFilesystem`, else false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * Shorthand for `fleet.user` (give one or the other): the user the container runs as. A
   * change here reaches both fleets.
   * @default - `fleet.user`, else the image's USER
   */
  readonly user?: string;

  /**
   * Shorthand for `fleet.healthCheckGracePeriod` (give one or the other). A change here
   * reaches both fleets.
   * @default - `fleet.healthCheckGracePeriod`, else Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Shorthand for `fleet.deregistrationDelay` (give one or the other). A change here reaches
   * both fleets.
   * @default - `fleet.deregistrationDelay`, else Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Put the load balancer in public subnets with a public address. Only with this set is the
   * production listener open to everyone.
   * @default false - internal
   */
  readonly internetFacing?: boolean;

  /**
   * Certificate for HTTPS listeners.
   * @default - HTTP listeners
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Port of the production listener.
   * @default 80, or 443 with a certificate
   */
  readonly listenerPort?: number;

  /**
   * Port of the test listener, which forwards to the standby fleet.
   * @default 8080, or 8443 with a certificate
   */
  readonly testListenerPort?: number;

  /**
   * Protect the load balancer against deletion (turn on in production).
   * @default false
   */
  readonly deletionProtection?: boolean;

  /**
   * Bucket for the load balancer's access logs (its policy must let the regional ELB account
   * write).
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * Private hosted zone that gets `<serviceName>.<zone>` as an alias of the load balancer.
   * @default - no DNS name; callers use the load balancer's own name
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Key that encrypts the container log group (CloudWatch Logs must be allowed to use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKey?: kms.IKey;

  /**
   * How long container logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the container log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Repository the images come from; the task execution roles may pull from it.
   * @default - the repository named in each fleet's image parameter
   */
  readonly repository?: ecr.IRepository;

  /**
   * Prepended to the logical ids of the parameters and outputs (letters and digits), so two
   * services can share a stack.
   * @default '' - `LiveColor`, `BlueImage`, ...
   */
  readonly parameterPrefix?: string;

  /**
   * ECS Exec (`aws ecs execute-command`) into the fleets' containers. It opens a shell in
   * production: turn it off there, or log the sessions (see docs/blue-green.md).
   * @default true
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * The account whose ECR registry the image parameters may name.
   * @default - the stack's account; any account when the stack's account is not known at synth
   */
  readonly imageAccount?: string;

  /**
   * The Region whose ECR registry the image parameters may name.
   * @default - the stack's Region; any Region when the stack's Region is not known at synth
   */
  readonly imageRegion?: string;

  /**
   * Thresholds of the per-fleet alarms.
   * @default - 5% target 5xx, p99 over 2 seconds, at least one unhealthy target, each for 5
   * minutes
   */
  readonly alarms?: FleetAlarmOptions;
}
