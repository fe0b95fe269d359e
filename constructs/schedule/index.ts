export * from './scheduled-capacity';
export * from './release-window-prewarm';
export { shiftCron } from './cron-shift';
export { CronExpression } from './cron-expression';
