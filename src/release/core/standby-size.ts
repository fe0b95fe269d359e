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
  return { size: maxValue, note: `clamped to ${maxValue}, the StandbyMinTasks MaxValue (${wanted} tasks were wanted)` };
}

/** What the live fleet needs now: its ECS desired count and its scalable target's current bounds. */
export interface LiveFleetDemand {
  readonly desired: number;
  /** The live scalable target's MinCapacity/MaxCapacity, scheduled actions included (undefined: not read). */
  readonly bounds?: { readonly min: number; readonly max: number };
}

/**
 * The size of a warm standby that can take the live fleet's traffic on a swap: what the live
 * fleet is scaled to, its ECS desired count (never its running count: while the live service
 * deploys, old and new tasks run side by side,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html), and at
 * least its scheduled minimum (a scheduled action that just raised MinCapacity moves the desired
 * count into the new range, https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html),
 * at least one task, and never less than the standby already holds. Capped by the live fleet's
 * maximum, its scalable target's MaxCapacity now (what the schedules let it reach), and by the
 * most a standby may hold, `maxTasks` (the template clamps the standby's minimum to it).
 */
export function warmStandbySize(live: LiveFleetDemand, current: number, maxTasks: number | undefined): StandbySize {
  const wanted = Math.max(1, live.desired, live.bounds?.min ?? 0, current);
  const liveMax = live.bounds?.max;
  const caps: [number, string][] = [];
  if (liveMax !== undefined && liveMax >= 1) caps.push([Math.max(liveMax, current), `the live fleet's maximum now (its scalable target's MaxCapacity ${liveMax})`]);
  if (maxTasks !== undefined) caps.push([maxTasks, `the service's maxTasks ${maxTasks}, the most a standby holds`]);
  const [cap, why] = caps.reduce<[number, string] | undefined>((low, c) => (low === undefined || c[0] < low[0] ? c : low), undefined) ?? [Infinity, ''];
  if (wanted <= cap) return { size: wanted };
  return { size: cap, note: `clamped to ${cap}, ${why}; the live fleet wants ${wanted}` };
}
