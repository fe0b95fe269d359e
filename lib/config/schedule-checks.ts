import { weeklyFirings, MINUTES_PER_WEEK } from '../../src/diff/schedule';
import { Fail } from './error';
import { ReleaseWindowConfig } from './schema';

let canonical: Set<string> | undefined;

/**
 * Why a time zone name would be refused, or undefined when it is fine.
 *
 * Application Auto Scaling (scheduled capacity) takes "the canonical names of the IANA time
 * zones supported by Joda-Time (such as Etc/GMT+9 or Pacific/Tahiti)"
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html,
 * `Timezone`); EventBridge Scheduler (release windows) takes an IANA name as
 * `ScheduleExpressionTimezone` (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones).
 * assumed: both look names up exactly, case included (Joda-Time's DateTimeZone.forID is a map
 * lookup), while Node's Intl accepts `asia/tokyo`; so the case is checked here, not left to Intl.
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  canonical ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);
  if (canonical.has(timeZone)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return 'must be an IANA time zone such as Asia/Tokyo or UTC';
  }
  const wrongCase = timeZone !== resolved && timeZone.toLowerCase() === resolved.toLowerCase();
  // IANA names capitalise each part (America/Port-au-Prince, Etc/GMT+9, EST5EDT); a part that
  // starts in lower case or shouts a long word (ASIA/KOLKATA) is a name typed in the wrong case.
  const ianaCase = timeZone.split('/').every((part) => /^[A-Z0-9]/.test(part) && !/[A-Z]{4,}/.test(part));
  // ICU also resolves abbreviations that are no IANA name (JST -> Asia/Tokyo); of the one-part
  // names only UTC and GMT are taken, the rest are better written as Area/City.
  if (!timeZone.includes('/') && !wrongCase) return `must be an Area/City IANA time zone name such as "${resolved}" (or UTC)`;
  if (wrongCase || !ianaCase) {
    return `must be an IANA time zone name in its exact case (did you mean "${resolved}"?): AWS matches the name case-sensitively`;
  }
  return undefined;
}

/** assumed: the zone's offset now; a window pair that overlaps only across a DST change is not caught. */
function utcOffsetMinutes(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

interface Interval {
  readonly window: string;
  readonly start: number;
  readonly minutes: number;
}

function mod(n: number): number {
  return ((n % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

function intersects(a: Interval, b: Interval): boolean {
  return mod(b.start - a.start) < a.minutes || mod(a.start - b.start) < b.minutes;
}

/**
 * Release windows of a service must not overlap (each window's pre-warm and close actions
 * would fight over the standby), nor a window with its own next opening. Windows whose cron
 * is not weekly (a day of month, a month) are left out: their overlap depends on the calendar.
 */
export function checkReleaseWindowOverlap(at: string, windows: readonly ReleaseWindowConfig[], fail: Fail): void {
  const intervals: Interval[] = [];
  for (const w of windows) {
    const firings = weeklyFirings(w.cron);
    if (typeof firings === 'string') continue;
    // Minute of the week in UTC: local time minus the zone's offset.
    const offset = utcOffsetMinutes(w.timeZone);
    const own = firings.map((f) => ({ window: w.name, start: mod(f - offset), minutes: w.durationMinutes }));
    for (let i = 0; i < own.length; i++) {
      const next = own[(i + 1) % own.length];
      if (own.length > 1 && mod(next.start - own[i].start) < w.durationMinutes) {
        fail(`${at}.releaseWindows[${w.name}].durationMinutes`, w.durationMinutes, `is longer than the time between two openings of the window (${mod(next.start - own[i].start)} minutes); the window would overlap itself`);
      }
    }
    for (const mine of own) {
      const clash = intervals.find((other) => intersects(mine, other));
      if (clash) {
        fail(`${at}.releaseWindows[${w.name}].cron`, w.cron, `overlaps release window "${clash.window}" of the same service; windows must not overlap`);
      }
    }
    intervals.push(...own);
  }
}
