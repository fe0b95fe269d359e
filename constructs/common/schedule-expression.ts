/**
 * Validation of AWS six-field cron expressions and IANA time zones, shared by the
 * ScheduledCapacity construct and the app's config validation, so both reject the same input
 * with the same words.
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Characters allowed beyond numbers, ranges, lists and steps. */
  readonly extra: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59, extra: /^$/ },
  { name: 'hours', min: 0, max: 23, extra: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|W|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: /^(\?|L|\d#[1-5]|[1-7]L)$/ },
  { name: 'year', min: 1970, max: 2199, extra: /^$/ },
];

function atomValid(atom: string, rule: FieldRule): boolean {
  const value = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) return Number(text);
    const idx = rule.names?.indexOf(text.toUpperCase()) ?? -1;
    return idx >= 0 ? idx + rule.min : undefined;
  };
  const inRange = (n: number | undefined) => n !== undefined && n >= rule.min && n <= rule.max;
  const [range, step] = atom.split('/');
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (range === '*') return true;
  const bounds = range.split('-');
  if (bounds.length === 1) return inRange(value(bounds[0]));
  if (bounds.length === 2) return inRange(value(bounds[0])) && inRange(value(bounds[1]));
  return false;
}

/**
 * Returns why an AWS cron expression (`cron(...)` or the six fields alone) is invalid, or
 * undefined when it is valid.
 */
export function cronProblem(expression: string): string | undefined {
  const body = /^cron\((.*)\)$/.exec(expression.trim())?.[1] ?? expression.trim();
  const fields = body.split(/\s+/);
  if (fields.length !== 6) {
    return `has ${fields.length} fields; AWS cron needs 6: minutes hours day-of-month month day-of-week year (e.g. "50 9 * * ? *")`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const rule = FIELDS[i];
    const field = fields[i];
    if (rule.extra.test(field)) continue;
    if (!field.split(',').every((atom) => atomValid(atom, rule))) {
      return `field ${rule.name} "${field}" is not valid (allowed ${rule.min}-${rule.max}${rule.names ? ` or ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : ''}, with , - * /)`;
    }
  }
  const dom = fields[2];
  const dow = fields[4];
  if ((dom === '?') === (dow === '?')) {
    return 'must have "?" in exactly one of day-of-month and day-of-week (AWS cron rule)';
  }
  return undefined;
}

/** Wraps the six fields as `cron(...)`, leaving an already wrapped expression alone. */
export function toCronExpression(expression: string): string {
  const trimmed = expression.trim();
  return trimmed.startsWith('cron(') ? trimmed : `cron(${trimmed})`;
}

let zones: Set<string> | undefined;

/**
 * `Intl.supportedValuesOf` is ES2022 (Node.js 18 and later have it); jsii compiles the library
 * against ES2020's lib, which does not declare it.
 */
const intl = Intl as typeof Intl & { supportedValuesOf(key: 'timeZone'): string[] };

/** True for an IANA time zone name that AWS schedulers accept, e.g. Asia/Tokyo, UTC. */
export function isKnownTimeZone(timeZone: string): boolean {
  zones ??= new Set([...intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);
  if (zones.has(timeZone)) return true;
  try {
    // Accept aliases (e.g. Asia/Calcutta) that the runtime resolves but does not list.
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone !== undefined && timeZone.includes('/');
  } catch {
    return false;
  }
}
