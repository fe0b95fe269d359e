/**
 * IAM path of ReleaseSupport's scheduler role. A path, not a name: the role keeps a
 * CloudFormation-generated name (so two stacks never collide), and callers that hand it to
 * EventBridge Scheduler (the release CLI, the CI deploy roles) can be allowed to pass exactly
 * these roles: `role<path><stack name prefix>*`.
 */
export const RELEASE_SCHEDULER_ROLE_PATH = '/bluegreen-fleet/release-scheduler/';

/**
 * IAM path of ReleaseSupport's parameter-update and release roles, for the same reason: the CI release roles
 * may call UpdateStack only with `cloudformation:RoleArn` = `role<path><stack name prefix>*`.
 */
export const RELEASE_PARAMETER_UPDATE_ROLE_PATH = '/bluegreen-fleet/parameter-update/';
