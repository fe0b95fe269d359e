/**
 * The field a build secret's generated placeholder value carries until someone stores the real
 * value out of band. Kept free of imports so the build command can check for it without
 * loading aws-cdk-lib.
 */
export const BUILD_SECRET_PLACEHOLDER_FIELD = 'bluegreen-fleet:placeholder';

/** Secrets Manager names of build secrets start with this unless a construct says otherwise. */
export const DEFAULT_BUILD_SECRET_PREFIX = 'bluegreen-fleet/build/';
