import { MINUTES_PER_WEEK, weeklyAverage, weeklyFirings, weeklySegments } from '../../src/diff/schedule';

describe('weekly firings of AWS cron expressions', () => {
  test('a daily action fires seven times a week at its minute', () => {
    const firings = weeklyFirings('cron(50 9 * * ? *)');
    expect(firings).toHaveLength(7);
    expect((firings as number[])[0]).toBe(9 * 60 + 50);
    expect((firings as number[])[1]).toBe(1440 + 9 * 60 + 50);
  });

  test('day-of-week names and ranges: MON-THU is four days starting Monday', () => {
    expect(weeklyFirings('0 11 ? * MON-THU *')).toEqual([1, 2, 3, 4].map((d) => d * 1440 + 660));
  });

  test('numeric days (1 = Sunday), lists and steps', () => {
    expect(weeklyFirings('0 0 ? * 1,7 *')).toEqual([0, 6 * 1440]);
    expect(weeklyFirings('0/30 8 ? * SUN *')).toEqual([480, 510]);
  });

  test.each([
    ['cron(0 0 1 * ? *)', /day of month/],
    ['cron(0 0 ? 1 MON *)', /month/],
    ['at(2026-01-01T00:00:00)', /does not repeat weekly/],
    ['rate(5 minutes)', /does not repeat weekly/],
    ['cron(0 25 * * ? *)', /cannot read/],
    ['cron(0 0 * *)', /six-field/],
  ])('%s cannot be weighted weekly', (expr, reason) => {
    expect(weeklyFirings(expr)).toMatch(reason);
  });
});

describe('time-weighted minimum over a week', () => {
  test('no actions: the base minimum all week', () => {
    const { segments } = weeklySegments(6, []);
    expect(weeklyAverage(segments)).toBe(6);
  });

  test('GIVEN 10 tasks from 09:50 and 6 from 16:30 every day THEN the average is (10 × 400 + 6 × 1040) / 1440', () => {
    const { segments } = weeklySegments(6, [{ schedule: 'cron(50 9 * * ? *)', min: 10 }, { schedule: 'cron(30 16 * * ? *)', min: 6 }]);
    expect(segments.reduce((n, s) => n + s.minutes, 0)).toBe(MINUTES_PER_WEEK);
    expect(weeklyAverage(segments)).toBeCloseTo((10 * 400 + 6 * 1040) / 1440, 10);
    // Two tasks per instance: 5 instances for 400 minutes, 3 for 1040, every day.
    expect(weeklyAverage(segments, (t) => Math.ceil(t / 2))).toBeCloseTo((5 * 400 + 3 * 1040) / 1440, 10);
  });

  test('the week starts with what the last firing of the previous week left, not the base', () => {
    const { segments } = weeklySegments(99, [{ schedule: 'cron(0 12 ? * SAT *)', min: 4 }]);
    expect(weeklyAverage(segments)).toBe(4);
  });

  test('actions that cannot be weighted are skipped and reported; an action without a minimum changes nothing', () => {
    const { segments, skipped } = weeklySegments(2, [{ schedule: 'cron(0 0 1 * ? *)', min: 50 }, { schedule: 'cron(0 0 * * ? *)' }]);
    expect(weeklyAverage(segments)).toBe(2);
    expect(skipped).toHaveLength(1);
  });
});
