import { cronProblem, isKnownTimeZone, toCronExpression } from '../common/schedule-expression';
import { shiftCron } from './cron-shift';

/**
 * The cron helpers of the schedules as static members, for callers outside TypeScript (the free
 * functions `cronProblem`, `toCronExpression`, `isKnownTimeZone` and `shiftCron` are the same).
 * Expressions are AWS's six-field cron, with or without `cron(...)`.
 */
export class CronExpression {
  /** Why `expression` is not a valid AWS cron expression, or undefined when it is. */
  public static problem(expression: string): string | undefined {
    return cronProblem(expression);
  }

  /** The expression wrapped as `cron(...)` (an already wrapped one unchanged). */
  public static toScheduleExpression(expression: string): string {
    return toCronExpression(expression);
  }

  /** True for an IANA time zone name that AWS schedulers accept, e.g. `Asia/Tokyo`, `UTC`. */
  public static isKnownTimeZone(timeZone: string): boolean {
    return isKnownTimeZone(timeZone);
  }

  /** The six fields of `expression` moved by `minutes` (negative: earlier); throws with the reason it cannot. */
  public static shift(expression: string, minutes: number): string {
    return shiftCron(expression, minutes);
  }

  private constructor() {}
}
