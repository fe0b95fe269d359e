export * from './network/network';
export { cronProblem, isKnownTimeZone, toCronExpression } from './common/schedule-expression';
export * from './image/image-repository';
export { RegistryReplication } from './image/registry-replication';
export * from './image/replica-template';
export * from './secrets/build-secrets';
export { BUILD_SECRET_PLACEHOLDER_FIELD, DEFAULT_BUILD_SECRET_PREFIX } from './secrets/placeholder';
export * from './ci/ci-roles';
export * from './ci/environment-roles';
export {
  createGitHubOidcProvider,
  gitHubOidcProviderArn,
  gitHubPrincipal,
  gitHubWorkflowSubject,
  importGitHubOidcProvider,
  GitHubOidc,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_SUBJECT_CLAIM_KEYS,
} from './ci/github-oidc';
export type { GitHubJobContext } from './ci/github-oidc';
export { bootstrapRoleArn, CdkBootstrapRole, ENVIRONMENT_TAG_KEY, releaseStatements, ReleasePermissions } from './ci/release-permissions';
export type { BootstrapEnvironment, ImageSourceEnvironment, ReleaseScope, ReleaseStatement } from './ci/release-permissions';
export * from './fleet/fleet';
export { FleetColor } from './common/fleet-color';
export * from './service/blue-green-service';
export type { BlueGreenServiceProps } from './service/props';
export type { FleetOverrides } from './service/fleet-overrides';
export type { FleetAlarmOptions, FleetAlarms } from './service/alarms';
export type { FleetOptions } from './service/fleet-options';
export { ForwardToEither } from './service/load-balancer';
export { COLORS, IMAGE_PATTERN, ServiceParameters, STANDBY_MIN_TASKS_CEILING } from './service/parameters';
export type { Color, ServiceParametersProps, TemplateValue } from './service/parameters';
export type { ServiceFleet } from './service/service-fleet';
export * from './release/release-support';
export type { ReleaseSettingsInput } from './release/settings';
export * from './schedule';
export { PreflightChecks, PreflightQuota, PreflightSeverity } from './preflight';
export type { PreflightChecksProps, RaisedQuota } from './preflight';
