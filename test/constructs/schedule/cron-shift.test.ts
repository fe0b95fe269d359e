import { cronProblem } from '../../../constructs';
import { shiftCron } from '../../../constructs/schedule/cron-shift';

describe('shiftCron', () => {
  test.each([
    ['0 11 ? * MON-THU *', -30, '30 10 ? * MON-THU *'],
    ['0 11 ? * MON-THU *', 120, '0 13 ? * MON-THU *'],
    ['cron(0 11 ? * MON-THU *)', -30, '30 10 ? * MON-THU *'],
    ['15 9,15 * * ? *', -20, '55 8,14 * * ? *'],
    ['0 0 ? * MON *', -30, '30 23 ? * SUN *'],
    ['0 0 ? * SUN,WED-THU *', -30, '30 23 ? * TUE,WED,SAT *'],
    ['0 0 ? * 1-2 *', -90, '30 22 ? * SUN,SAT *'],
    ['0 23 ? * FRI-SAT *', 120, '0 1 ? * SUN,SAT *'],
    ['30 23 * * ? *', 60, '30 0 * * ? *'],
    ['0 0 ? * * *', -5, '55 23 ? * * *'],
    ['0 10 1 * ? *', 30, '30 10 1 * ? *'],
  ])('%s moved by %i minutes is %s', (expression, minutes, expected) => {
    const moved = shiftCron(expression, minutes);
    expect(moved).toBe(expected);
    expect(cronProblem(moved)).toBeUndefined();
  });

  test.each([
    ['0 11 * * *', 30, /cannot move "0 11 \* \* \*" by 30 minutes: has 5 fields/],
    ['0/15 11 ? * MON *', -30, /the minutes field must be one number/],
    ['0 9-17 ? * MON *', -30, /the hours field must be one number or a list/],
    ['0 0,12 ? * MON *', -30, /some of its hours would move to another day and some would not/],
    ['0 0 1 * ? *', -30, /crosses midnight and names days of the month \("1"\)/],
    ['0 0 ? 12 MON *', -30, /crosses midnight and names a month or year/],
    ['0 0 ? * 2#1 *', -30, /day-of-week "2#1" is not a plain list or range/],
    ['0 11 ? * MON *', 1441, /at most one day/],
  ])('%s by %i is refused', (expression, minutes, message) => {
    expect(() => shiftCron(expression, minutes)).toThrow(message);
  });
});
