export * from './aws-model';
export { AwsCore, ACCOUNT, REGION } from './model';
export { ModelClock, Timeline } from './clock';
export { awsError, accessDenied, timeoutError } from './errors';
export type { Call, Fault, FaultKind } from './calls';
export { runAs } from './calls';
export { FakeTable, ConditionalCheckFailed, conditionHolds } from './dynamodb';
export { serviceTemplate, prefixed } from './service-template';
export type { Template } from './template';
