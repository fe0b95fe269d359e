import type { ReleaseSettings } from '../../../constructs/contract';
import type { HistoryRecord, PendingRelease } from './table';

/**
 * How long a release in flight keeps the standby warm. `cool-if-idle` (the end of a release
 * window) leaves a standby warm for a release prepared in the window that waits for its swap; a
 * release that never swaps (an aborted or abandoned deploy) would otherwise keep it warm until the
 * end of the next window, across a weekend. So the record carries `staleAt`: the longest release
 * window of the service (pre-warm included) plus its rollback window after the release started.
 */

/** The longest release window of the service, pre-warm included (0 without windows). */
export function releaseWindowMinutes(settings: Pick<ReleaseSettings, 'releaseWindows'>): number {
  return Math.max(0, ...settings.releaseWindows.map((w) => w.prewarmMinutes + w.durationMinutes));
}

export function pendingStaleAt(settings: Pick<ReleaseSettings, 'releaseWindows' | 'rollbackWindowMinutes'>, startedAt: Date): string {
  return new Date(startedAt.getTime() + (releaseWindowMinutes(settings) + settings.rollbackWindowMinutes) * 60_000).toISOString();
}

/** Stale: past its `staleAt` (records written before it existed never are). */
export function isPendingStale(pending: Pick<PendingRelease, 'staleAt'>, now: Date): boolean {
  return pending.staleAt !== undefined && Date.parse(pending.staleAt) <= now.getTime();
}

/** The history record of a release in flight: what it moves, from the pending item; the rest given. */
export function pendingHistory(
  pending: PendingRelease,
  where: { readonly service: string; readonly environment: string },
  entry: Pick<HistoryRecord, 'at' | 'id' | 'actor' | 'outcome' | 'detail'>,
): HistoryRecord {
  const { fromColor, toColor, oldImage, newImage, oldAmi, newAmi } = pending;
  return { ...where, fromColor, toColor, oldImage, newImage, oldAmi, newAmi, ...entry };
}
