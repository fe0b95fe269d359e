/**
 * The contract between the construct library, the release CLI and the in-cloud handlers
 * (docs/contracts.md). Imports neither aws-cdk-lib nor the AWS SDK (eslint.config.mjs enforces
 * it). `colors` and `names` are plain constants, safe for the construct library; `table`,
 * `payloads` and `outputs` carry the zod schemas for what crosses a trust boundary.
 */
export * from './colors';
export * from './names';
export * from './outputs';
export * from './payloads';
export * from './table';
export * from './settings';
