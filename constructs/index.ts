export * from './network/network';
export { cronProblem, isKnownTimeZone, toCronExpression } from './common/schedule-expression';
