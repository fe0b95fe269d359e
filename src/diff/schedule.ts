/**
 * Time-weighting of scheduled capacity over one week, for the cost estimate.
 *
 * A scheduled action sets the minimum from the moment it fires until the next action fires. Over
 * a week that is a step function; its average is what the estimate prices. The time zone does not
 * change a weekly average (it shifts every action by the same amount), so it is ignored, as are
 * daylight-saving shifts. Actions that do not repeat weekly (a day of month, a month, a year,
 * `at(...)`, `rate(...)`) are left out and reported.
 */

export const MINUTES_PER_WEEK = 7 * 24 * 60;

export interface WeeklyAction {
  /** AWS cron, `cron(m h dom mon dow year)` or the six fields alone. */
  readonly schedule: string;
  /** Minimum capacity the action sets; undefined leaves the minimum as it was. */
  readonly min?: number;
}

export interface Segment {
  /** Minute of the week (0 = Sunday 00:00) the value starts. */
  readonly start: number;
  readonly minutes: number;
  readonly value: number;
}

const DAYS: Readonly<Record<string, number>> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

function expand(field: string, low: number, high: number, names: Readonly<Record<string, number>> = {}): number[] | undefined {
  const values = new Set<number>();
  const toNumber = (s: string) => (s.toUpperCase() in names ? names[s.toUpperCase()] : Number(s));
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      [from, to] = [low, high];
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [toNumber(a), toNumber(b)];
    } else {
      from = toNumber(range);
      to = stepText === undefined ? from : high;
    }
    if (![from, to, step].every(Number.isInteger) || step < 1 || from < low || to > high || from > to) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Minutes of the week an action fires at, or an error saying why it cannot be weighted weekly. */
export function weeklyFirings(schedule: string): number[] | string {
  const inner = /^cron\((.*)\)$/.exec(schedule.trim());
  if (!inner && /^(at|rate)\(/.test(schedule.trim())) return `${schedule} does not repeat weekly`;
  const fields = (inner ? inner[1] : schedule).trim().split(/\s+/);
  if (fields.length !== 6) return `${schedule} is not a six-field cron expression`;
  const [minute, hour, dom, month, dow, year] = fields;
  if (!['*', '?'].includes(dom) || month !== '*' || !['*', '?'].includes(year)) return `${schedule} depends on the day of month, month or year`;
  const minutes = expand(minute, 0, 59);
  const hours = expand(hour, 0, 23);
  const days = expand(dow, 1, 7, DAYS);
  if (!minutes || !hours || !days) return `${schedule} has a field the estimate cannot read`;
  const firings: number[] = [];
  for (const d of days) for (const h of hours) for (const m of minutes) firings.push((d - 1) * 1440 + h * 60 + m);
  return firings.sort((a, b) => a - b);
}

/**
 * The weekly step function of a minimum that starts at `base` and is changed by the actions.
 * When actions fire, the value at the start of the week is the one the last firing of the
 * previous week left.
 */
export function weeklySegments(base: number, actions: readonly WeeklyAction[]): { segments: Segment[]; skipped: string[] } {
  const skipped: string[] = [];
  const events: Array<{ at: number; order: number; min: number }> = [];
  actions.forEach((action, order) => {
    if (action.min === undefined) return;
    const firings = weeklyFirings(action.schedule);
    if (typeof firings === 'string') skipped.push(firings);
    else for (const at of firings) events.push({ at, order, min: action.min });
  });
  if (events.length === 0) return { segments: [{ start: 0, minutes: MINUTES_PER_WEEK, value: base }], skipped };
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  const segments: Segment[] = [];
  let value = events[events.length - 1].min;
  let start = 0;
  for (const e of events) {
    if (e.at > start) segments.push({ start, minutes: e.at - start, value });
    start = e.at;
    value = e.min;
  }
  segments.push({ start, minutes: MINUTES_PER_WEEK - start, value });
  return { segments, skipped };
}

/** The time-weighted average of `f(value)` over the week. */
export function weeklyAverage(segments: readonly Segment[], f: (value: number) => number = (v) => v): number {
  return segments.reduce((sum, s) => sum + f(s.value) * s.minutes, 0) / MINUTES_PER_WEEK;
}
