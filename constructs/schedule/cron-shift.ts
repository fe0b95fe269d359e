import { cronProblem } from '../common/schedule-expression';

/**
 * Moves an AWS six-field cron expression earlier or later by whole minutes, in the expression's
 * own wall-clock time (the time zone the scheduler evaluates it in), so "30 minutes before the
 * release window opens" stays 30 minutes before it across daylight-saving changes.
 *
 * Only the shapes a release window is written in can be moved: one minute, one or more hours,
 * and, when the move crosses midnight, "every day" or a day-of-week list or range. Anything else
 * is refused with a reason rather than moved wrongly.
 */

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MINUTES_PER_DAY = 24 * 60;

/** The six fields of `expression` moved by `minutes` (negative: earlier); throws with the reason it cannot. */
export function shiftCron(expression: string, minutes: number): string {
  const fail = (why: string): never => {
    throw new Error(`cannot move "${expression}" by ${minutes} minutes: ${why}`);
  };
  const problem = cronProblem(expression);
  if (problem) fail(problem);
  if (!Number.isInteger(minutes) || Math.abs(minutes) > MINUTES_PER_DAY) fail('the move must be whole minutes, at most one day');
  const body = /^cron\((.*)\)$/.exec(expression.trim())?.[1] ?? expression.trim();
  const [minute, hour, dom, month, dow, year] = body.split(/\s+/);
  if (!/^\d+$/.test(minute)) fail('the minutes field must be one number (e.g. "0")');
  if (!/^\d+(,\d+)*$/.test(hour)) fail('the hours field must be one number or a list of numbers (e.g. "11" or "9,15")');

  const moved = hour.split(',').map((h) => {
    const total = Number(h) * 60 + Number(minute) + minutes;
    return { day: Math.floor(total / MINUTES_PER_DAY), hour: Math.floor(mod(total, MINUTES_PER_DAY) / 60), minute: mod(total, 60) };
  });
  const day = moved[0].day;
  if (moved.some((m) => m.day !== day)) fail('some of its hours would move to another day and some would not; write one expression per hour');
  const hours = [...new Set(moved.map((m) => m.hour))].sort((a, b) => a - b).join(',');
  const fields = (days: string, dayOfWeek: string) => `${moved[0].minute} ${hours} ${days} ${month} ${dayOfWeek} ${year}`;
  if (day === 0) return fields(dom, dow);

  // Crossing midnight: the day fields move with the time.
  if (month !== '*' || year !== '*') fail('it crosses midnight and names a month or year; write the moved expression yourself');
  if (dom === '*' && dow === '?') return fields(dom, dow);
  if (dom !== '?') fail(`it crosses midnight and names days of the month ("${dom}"); use day-of-week or "*"`);
  if (dow === '*') return fields(dom, dow);
  const days = expandDaysOfWeek(dow) ?? fail(`it crosses midnight and its day-of-week "${dow}" is not a plain list or range of days`);
  const shifted = [...new Set(days.map((d) => mod(d - 1 + day, 7)))].sort((a, b) => a - b);
  return fields(dom, shifted.map((d) => DAY_NAMES[d]).join(','));
}

/** Day-of-week numbers 1 (SUN) to 7 (SAT) of a list of days and ranges; undefined for L, #, steps. */
function expandDaysOfWeek(field: string): number[] | undefined {
  const value = (text: string): number | undefined => {
    if (/^[1-7]$/.test(text)) return Number(text);
    const idx = DAY_NAMES.indexOf(text.toUpperCase());
    return idx >= 0 ? idx + 1 : undefined;
  };
  const out: number[] = [];
  for (const part of field.split(',')) {
    const [a, b, ...rest] = part.split('-');
    const from = value(a);
    const to = b === undefined ? from : value(b);
    if (rest.length > 0 || from === undefined || to === undefined || from > to) return undefined;
    for (let d = from; d <= to; d++) out.push(d);
  }
  return out;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
