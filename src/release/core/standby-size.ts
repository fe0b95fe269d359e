/**
 * How warm the standby may be made. `StandbyMinTasks` is a Number parameter with `MaxValue` =
 * `STANDBY_MIN_TASKS_CEILING` (constructs/service/parameters.ts), and the template itself clamps
 * the standby's minimum to `maxTasks`; the live fleet's running count can exceed either while the
 * live service deploys (new tasks start beside the old ones), and an UpdateStack above the MaxValue
 * fails. So the size copied from the live fleet is clamped to the MaxValue. Pure: the CLI and the
 * standby-capacity Lambda share it (each reads the template its own way).
 */

/** The `<prefix>StandbyMinTasks` parameter's MaxValue in a template body (JSON, as CDK writes it). */
export function standbyMaxValue(templateBody: string | undefined, prefix: string): number | undefined {
  if (!templateBody) return undefined;
  let template: { Parameters?: Record<string, { MaxValue?: unknown } | undefined> };
  try {
    template = JSON.parse(templateBody) as typeof template;
  } catch {
    return undefined;
  }
  const raw = template.Parameters?.[`${prefix}StandbyMinTasks`]?.MaxValue;
  const max = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof max === 'number' && Number.isFinite(max) ? max : undefined;
}

export interface StandbySize {
  /** What to set `StandbyMinTasks` to. */
  readonly size: number;
  /** Said when `size` is less than was wanted. */
  readonly note?: string;
}

/** `wanted`, at most the parameter's MaxValue (unknown: not clamped). */
export function clampStandby(wanted: number, maxValue: number | undefined): StandbySize {
  if (maxValue === undefined || wanted <= maxValue) return { size: wanted };
  return { size: maxValue, note: `clamped to ${maxValue}, the StandbyMinTasks MaxValue (the live fleet counts ${wanted} tasks while it deploys)` };
}
