import { openWindow, recordRelease } from '../steps/after-swap';
import { swapTraffic } from './deploy';
import { readService, readTargets, assertReady } from '../steps/fleet';
import { carryCapacity } from '../steps/live-capacity';
import { ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { assertNoTrafficDrift, newReleaseId, withSession } from '../state/session';
import { pendingStaleAt } from '../core/pending';
import { runSmokeCheck } from '../steps/smoke';
import { Color, fleet } from '../core/stack-state';
import { PendingRelease } from '../core/table';
import { ReleaseTarget } from '../runtime/target';

export interface SwapOptions {
  readonly breakLock?: boolean;
  readonly parameterPrefix?: string;
}

export interface SwapResult {
  readonly outcome: 'swapped' | 'resumed';
  readonly releaseId: string;
  readonly liveColor: Color;
  readonly previousColor: Color;
  readonly rollbackWindowClosesAt: string;
}

/**
 * `swap`: traffic to the standby fleet, only when it is healthy now (all desired tasks running,
 * every target healthy, the smoke check passing). A re-run after an interrupted swap finishes it
 * instead of flipping traffic back.
 */
export async function swap(ctx: ReleaseContext, target: ReleaseTarget, options: SwapOptions): Promise<SwapResult> {
  return withSession(ctx, target, 'swap', options, async (session) => {
    await assertNoTrafficDrift(session);
    const { state } = session;
    const inFlight = await session.table.readPending();
    let pending: PendingRelease;
    const live = fleet(state, state.liveColor);
    if (inFlight && inFlight.toColor === state.liveColor && inFlight.newImage === live.image && inFlight.newAmi === live.ami) {
      ctx.reporter.note(`release ${inFlight.releaseId} already swapped to ${state.liveColor}; finishing it`);
      pending = inFlight;
    } else {
      const to = state.standbyColor;
      const standby = fleet(state, to);
      await session.step(`check the ${to} fleet`, async (h) => {
        const [service, targets] = [await readService(ctx, standby), await readTargets(ctx, standby)];
        assertReady(standby, service, targets);
        h.detail(`${service.running}/${service.desired} tasks, ${targets.healthy}/${targets.total} targets healthy`);
      });
      await session.step('smoke check through the test listener', async (h) => {
        const result = await runSmokeCheck(ctx, session.state, session.settings.smokeCheckPath);
        const summary = `${result.url} -> ${result.status ?? result.error ?? 'no answer'} in ${result.latencyMs} ms`;
        if (!result.pass) throw new ReleaseError(ExitCode.Refused, `smoke check failed: ${summary}; traffic untouched`, { smokeCheck: result });
        h.detail(summary);
      });
      const now = ctx.clock.now();
      const sameRelease = inFlight && inFlight.toColor === to && inFlight.newImage === standby.image && inFlight.newAmi === standby.ami;
      pending = sameRelease
        ? inFlight
        : {
            releaseId: newReleaseId(now),
            kind: 'swap',
            fromColor: live.color,
            toColor: to,
            oldImage: live.image,
            newImage: standby.image,
            oldAmi: live.ami,
            newAmi: standby.ami,
            startedAt: now.toISOString(),
            staleAt: pendingStaleAt(session.settings, now),
            actor: ctx.actor,
          };
      if (!sameRelease) await session.table.putPending(pending);
      await swapTraffic(session, to, pending.releaseId);
    }
    await carryCapacity(session, pending.releaseId);
    const window = await openWindow(session, pending);
    await recordRelease(session, pending, window, `swapped by \`swap\`; rollback window until ${window.closesAt}`);
    return {
      outcome: pending === inFlight && inFlight.toColor === state.liveColor ? 'resumed' : 'swapped',
      releaseId: pending.releaseId,
      liveColor: pending.toColor,
      previousColor: pending.fromColor,
      rollbackWindowClosesAt: window.closesAt,
    };
  });
}
