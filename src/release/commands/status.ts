import { ReleaseContext } from '../runtime/context';
import { AlarmState, readAlarms, readInstances, readService, readTargets, ServiceCounts, TargetCounts } from '../steps/fleet';
import { releaseTable } from '../state/session';
import { readStack } from '../state/stack';
import { Color, COLORS, fleet, StackState } from '../core/stack-state';
import { releaseSettings } from '../core/settings';
import { HistoryRecord, isLockActive, isWindowOpen, LockItem, PendingRelease, WindowItem } from '../core/table';
import { ReleaseTarget } from '../runtime/target';
import { trafficColor } from '../steps/traffic';

export interface FleetStatus {
  readonly color: Color;
  readonly live: boolean;
  readonly image: string;
  readonly ami: string;
  readonly service: ServiceCounts;
  readonly targets: TargetCounts;
  readonly instances?: { readonly inService: number; readonly total: number };
  readonly alarms: readonly AlarmState[];
}

export interface StatusResult {
  readonly environment: string;
  readonly service: string;
  /** Why the stack's ReleaseSettings cannot be read (a release would be refused). */
  readonly settingsProblem?: string;
  readonly stack: string;
  readonly stackStatus: string;
  readonly liveColor: Color;
  /** Where the production listener really forwards; differs from liveColor only before a fast rollback is reconciled. */
  readonly trafficColor?: Color;
  readonly standbyMinTasks: number;
  readonly fleets: readonly FleetStatus[];
  readonly rollbackWindow?: WindowItem & { readonly open: boolean };
  readonly releaseInFlight?: PendingRelease;
  readonly lock?: LockItem;
  readonly history: readonly HistoryRecord[];
}

function settingsNames(state: StackState): { environment: string; service: string; settingsProblem?: string } {
  try {
    const settings = releaseSettings(state);
    return { environment: settings.environment, service: settings.service };
  } catch (error) {
    return { environment: state.name, service: state.name, settingsProblem: (error as Error).message };
  }
}

/** `status`: both fleets side by side, the rollback window, the lock and the last releases. */
export async function status(ctx: ReleaseContext, target: ReleaseTarget, options: { parameterPrefix?: string; historyLimit?: number } = {}): Promise<StatusResult> {
  const state = await readStack(ctx, target.stackName, options.parameterPrefix);
  const table = releaseTable(ctx, state);
  const now = ctx.clock.now();
  const fleets = await Promise.all(
    COLORS.map(async (color): Promise<FleetStatus> => {
      const f = fleet(state, color);
      const [service, targets, instances, alarms] = await Promise.all([readService(ctx, f), readTargets(ctx, f), readInstances(ctx, f), readAlarms(ctx, f.alarmNames)]);
      return { color, live: color === state.liveColor, image: f.image, ami: f.ami, service, targets, instances, alarms };
    }),
  );
  const [traffic, window, pending, lock, history] = await Promise.all([
    trafficColor(ctx, state),
    table.readWindow(),
    table.readPending(),
    table.readLock(),
    table.listHistory(options.historyLimit ?? 5),
  ]);
  return {
    // Read only: a stack without release settings still shows (named by the stack then).
    ...settingsNames(state),
    stack: state.name,
    stackStatus: state.status,
    liveColor: state.liveColor,
    trafficColor: traffic,
    standbyMinTasks: state.standbyMinTasks,
    fleets,
    rollbackWindow: window ? { ...window, open: isWindowOpen(window, now) } : undefined,
    releaseInFlight: pending,
    lock: isLockActive(lock, now) ? lock : undefined,
    history,
  };
}

export function formatStatus(s: StatusResult): string {
  const lines: string[] = [];
  lines.push(`${s.service} in ${s.environment} (stack ${s.stack}, ${s.stackStatus})`);
  if (s.settingsProblem) lines.push(`(!) ${s.settingsProblem}`);
  lines.push(`live: ${s.liveColor}${s.trafficColor && s.trafficColor !== s.liveColor ? `  (!) production traffic goes to ${s.trafficColor}: run rollback to reconcile` : ''}`);
  for (const f of s.fleets) {
    const role = f.live ? 'LIVE' : `standby (StandbyMinTasks=${s.standbyMinTasks}, ${f.service.desired > 0 ? 'warm' : 'cold'})`;
    lines.push(`  ${f.color.padEnd(5)} ${role}`);
    lines.push(`        image     ${f.image}`);
    lines.push(`        AMI       ${f.ami}`);
    lines.push(`        tasks     ${f.service.running} running / ${f.service.desired} desired${f.service.pending ? `, ${f.service.pending} pending` : ''}`);
    if (f.instances) lines.push(`        instances ${f.instances.inService} in service / ${f.instances.total}`);
    lines.push(`        targets   ${f.targets.healthy} healthy / ${f.targets.total}${f.targets.total > f.targets.healthy ? ` (${Object.entries(f.targets.states).map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}`);
    lines.push(`        alarms    ${f.alarms.map((a) => `${a.name}=${a.state}`).join(', ') || '(none)'}`);
  }
  const w = s.rollbackWindow;
  if (w?.open) lines.push(`rollback window: OPEN until ${w.closesAt} (${w.previousColor} kept warm${w.rolledBack ? `; rolled back at ${w.rolledBackAt} by ${w.rolledBackBy}` : ''})`);
  else lines.push(`rollback window: closed${w ? ` (closed ${w.closesAt})` : ''}`);
  const r = s.releaseInFlight;
  if (r) lines.push(`release in flight: ${r.releaseId} ${r.fromColor} -> ${r.toColor} (${r.newImage}) by ${r.actor}${r.staleAt ? `; stale (no longer keeps the standby warm) from ${r.staleAt}` : ''}`);
  if (s.lock) lines.push(`lock: held by ${s.lock.owner} since ${s.lock.acquiredAt} (${s.lock.command})`);
  lines.push('last releases:');
  if (s.history.length === 0) lines.push('  (none recorded)');
  for (const h of s.history) {
    lines.push(`  ${h.at}  ${h.outcome.padEnd(16)} ${h.fromColor} -> ${h.toColor}  ${shortImage(h.newImage)}  by ${h.actor}${h.detail ? `  ${h.detail}` : ''}`);
  }
  return lines.join('\n');
}

function shortImage(image: string): string {
  const at = image.indexOf('@sha256:');
  return at >= 0 ? `${image.slice(image.lastIndexOf('/', at) + 1, at)}@${image.slice(at + 8, at + 20)}` : image;
}
