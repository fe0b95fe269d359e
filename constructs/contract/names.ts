import { Color, titleCase } from './colors';

/**
 * Names the service stack publishes and the release side reads (docs/contracts.md): parameter
 * and output names (each with the service's parameter prefix in front), the Lambdas' environment
 * keys, and the patterns of what a fleet runs. Plain constants: the construct library imports
 * this file.
 */

/** Parameter names without the prefix. */
export const PARAMETERS = ['LiveColor', 'BlueImage', 'GreenImage', 'BlueAmi', 'GreenAmi', 'StandbyMinTasks'] as const;
export type ParameterName = (typeof PARAMETERS)[number];

export function imageParameter(color: Color): ParameterName {
  return `${titleCase(color)}Image`;
}

export function amiParameter(color: Color): ParameterName {
  return `${titleCase(color)}Ami`;
}

/** Outputs of one service, without the prefix; `Blue*`/`Green*` per fleet. */
export const SERVICE_OUTPUTS = {
  productionListenerArn: 'ProductionListenerArn',
  testListenerArn: 'TestListenerArn',
  testListenerPort: 'TestListenerPort',
  loadBalancerDnsName: 'LoadBalancerDnsName',
  serviceDnsName: 'ServiceDnsName',
  releaseTableName: 'ReleaseTableName',
  smokeCheckFunctionName: 'SmokeCheckFunctionName',
  standbyCapacityFunctionArn: 'StandbyCapacityFunctionArn',
  releaseSchedulerRoleArn: 'ReleaseSchedulerRoleArn',
  parameterUpdateRoleArn: 'ParameterUpdateRoleArn',
  releaseRoleArn: 'ReleaseRoleArn',
  cloudFormationExecutionRoleArn: 'CloudFormationExecutionRoleArn',
  releaseSettings: 'ReleaseSettings',
} as const;

/** Per-fleet outputs: `${titleCase(color)}${suffix}`. */
export const FLEET_OUTPUTS = {
  targetGroupArn: 'TargetGroupArn',
  clusterName: 'ClusterName',
  serviceName: 'ServiceName',
  autoScalingGroupName: 'AutoScalingGroupName',
  alarmNames: 'AlarmNames',
} as const;

export type FleetOutput = (typeof FLEET_OUTPUTS)[keyof typeof FLEET_OUTPUTS];

export function fleetOutput<S extends FleetOutput>(color: Color, suffix: S): `${'Blue' | 'Green'}${S}` {
  return `${titleCase(color)}${suffix}`;
}

/** The environment ReleaseSupport gives the release Lambdas. */
export const LAMBDA_ENV = {
  stackName: 'STACK_NAME',
  parameterPrefix: 'PARAMETER_PREFIX',
  tableName: 'TABLE_NAME',
  serviceName: 'SERVICE_NAME',
  environmentName: 'ENVIRONMENT_NAME',
  updateRoleArn: 'UPDATE_ROLE_ARN',
  /**
   * The smoke check's only allowed origin: the test listener, `<http|https>://<load balancer>:<port>`.
   * Its scheme is the test listener's protocol, and the smoke check calls with it.
   */
  allowedOrigin: 'ALLOWED_ORIGIN',
  /**
   * The name the smoke check sends as TLS SNI and `Host` to an HTTPS test listener and checks its
   * certificate against (unset: it checks the certificate's chain and dates, not its name).
   */
  tlsServerName: 'TLS_SERVER_NAME',
  /** Smoke check: a PEM CA certificate trusted beside Node's public roots (a private CA's root). */
  tlsTrustedCa: 'TLS_TRUSTED_CA',
} as const;

/**
 * An image in a private ECR registry, pinned by digest (the `BlueImage`/`GreenImage` parameters'
 * AllowedPattern). The registry part is fixed so the pull permission can be derived from it.
 */
export const IMAGE_PATTERN = '^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9][a-z0-9._/-]*@sha256:[0-9a-f]{64}$';

/**
 * An image tag: the OCI distribution spec's `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, which ECR's
 * PutImage `imageTag` follows (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html).
 */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Moving pointer tags the release tool re-points (e.g. `production-live`); ImageRepository makes
 * every other tag immutable, and the release tool refuses to write any tag these do not match.
 */
export const DEFAULT_MUTABLE_TAG_PATTERNS: readonly string[] = ['*-live'];

/** An image manifest digest. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * An EC2 image id: `ami-` and 8 or 17 hex digits.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html (8 or 17 characters after the prefix).
 */
export const AMI_ID_PATTERN = /^ami-[0-9a-f]{8,17}$/;

/** The service stack of a service in an environment (lib/app.ts names stacks the same way; a test holds them equal). */
export function serviceStackName(environment: string, service: string): string {
  return `bgf-${environment}-${service}`;
}

/** Every output name of a service, without the prefix. */
export type OutputName = (typeof SERVICE_OUTPUTS)[keyof typeof SERVICE_OUTPUTS] | `${'Blue' | 'Green'}${FleetOutput}`;
