import { waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { waitFor } from '../../aws/waiters';
import { rollbackMoveId } from '../core/capacity';
import { carryCapacity, moveLiveColor } from './live-capacity';
import { liveTag, pointLiveTag } from './live-tag';
import { scheduleCoolDown } from './schedule';
import { Session } from '../state/session';
import { Color, fleet, isBusy, otherColor, StackState } from '../core/stack-state';
import { HistoryRecord, isWindowOpen, WindowItem } from '../core/table';
import { pointProductionAt } from './traffic';

/** Where a rollback goes, decided from the stack and the rollback window. */
export type RollbackPlan =
  | { readonly kind: 'already'; readonly window: WindowItem }
  | { readonly kind: 'move'; readonly from: Color; readonly to: Color; readonly window?: WindowItem; readonly stackReconciled: boolean };

/**
 * Rollback means "back to the fleet that was live before the last swap". With a window for that
 * swap, the window says which fleet that is (so a re-run after an interrupted rollback does not
 * flip traffic forward again); without one, it is the other fleet.
 */
export function planRollback(state: StackState, window: WindowItem | undefined): RollbackPlan {
  if (window?.rolledBack) {
    if (window.liveColor === state.liveColor) return { kind: 'already', window };
    return { kind: 'move', from: state.liveColor, to: window.liveColor, window, stackReconciled: false };
  }
  if (window) {
    const to = window.previousColor;
    return { kind: 'move', from: window.liveColor, to, window, stackReconciled: to === state.liveColor };
  }
  return { kind: 'move', from: state.liveColor, to: otherColor(state.liveColor), stackReconciled: false };
}

/**
 * The fast path: one ELB call moves production traffic (seconds), then the stack's LiveColor is
 * reconciled so the template agrees with the listener, then the window, the cool-down schedule
 * and the history record follow. Each part is skipped when already done.
 */
export async function rollBackTraffic(
  session: Session,
  plan: Extract<RollbackPlan, { kind: 'move' }>,
  outcome: HistoryRecord['outcome'],
  reason: string,
): Promise<{ trafficBackAt?: Date }> {
  const { ctx } = session;
  let trafficBackAt: Date | undefined;
  if (!plan.stackReconciled) {
    await session.step('move production traffic back', async (h) => {
      await pointProductionAt(ctx, session.state, plan.to);
      trafficBackAt = ctx.clock.now();
      h.detail(`production listener forwards to the ${plan.to} fleet`);
    });
    await session.step(`reconcile LiveColor=${plan.to}`, async (h) => {
      await settleStack(session);
      const { result, recorded } = await moveLiveColor(session, plan.to, rollbackMoveId(plan.window?.releaseId));
      if (result === 'unchanged') h.skip('LiveColor already agrees');
      else h.detail(recorded);
    });
  }
  await carryCapacity(session, rollbackMoveId(plan.window?.releaseId));
  const environment = session.target.environment.name;
  await session.step(`point ${liveTag(environment)} at the ${plan.to} fleet's image`, async (h) => h.detail(await pointLiveTag(ctx, environment, fleet(session.state, plan.to).image)));
  await session.step('record the rollback', async (h) => {
    const now = ctx.clock.now();
    const { window } = plan;
    if (window && !window.rolledBack) await session.table.markRolledBack(window.releaseId, ctx.actor, now);
    if (window) await session.table.deletePending(window.releaseId);
    const closesAt = window && isWindowOpen(window, now)
      ? new Date(window.closesAt)
      : new Date(now.getTime() + session.target.service.rollbackWindowMinutes * 60_000);
    if (!window) {
      await session.table.putWindow({
        previousColor: plan.from,
        liveColor: plan.to,
        swappedAt: now.toISOString(),
        closesAt: closesAt.toISOString(),
        releaseId: `rollback-${now.toISOString()}`,
        rolledBack: true,
        rolledBackAt: now.toISOString(),
        rolledBackBy: ctx.actor,
      });
    }
    // The fleet traffic left stays warm until the window closes, then is cooled.
    await scheduleCoolDown(ctx, session.state, closesAt, plan.to);
    const from = fleet(session.state, plan.from);
    const to = fleet(session.state, plan.to);
    const written = await session.table.putHistory({
      at: window?.swappedAt ?? now.toISOString(),
      id: `${window?.releaseId ?? 'manual'}.rollback`,
      service: session.target.service.name,
      environment: session.target.environment.name,
      fromColor: plan.from,
      toColor: plan.to,
      oldImage: from.image,
      newImage: to.image,
      oldAmi: from.ami,
      newAmi: to.ami,
      actor: ctx.actor,
      outcome,
      detail: `${reason} (at ${now.toISOString()})`,
    });
    h.detail(written ? `history recorded; ${plan.from} stays warm until ${closesAt.toISOString()}` : 'already recorded');
  });
  return { trafficBackAt };
}

/** Waits out a stack update someone else started (e.g. the auto-rollback Lambda's reconcile). */
export async function settleStack(session: Session): Promise<void> {
  const { ctx } = session;
  if (!isBusy(session.state.status)) return;
  const what = `stack ${session.state.name} to finish its current update`;
  await waitFor(what, ctx.timings.stackUpdate, ctx.signal, (cfg) =>
    waitUntilStackUpdateComplete({ client: ctx.clients.cloudFormation, ...cfg }, { StackName: session.state.name }),
  );
  await session.refresh();
}
