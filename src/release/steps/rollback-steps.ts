import { waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { WaitFailedError, waitFor } from '../../aws/waiters';
import { recordLiveBounds } from '../core/capacity';
import { ReconcileOutcome, rollBack, RollbackPorts, RollbackRequest, RollbackState, unfinishedError } from '../core/rollback';
import { Color, fleet, isBusy, otherColor, StackState } from '../core/stack-state';
import { Step } from '../core/steps';
import { HistoryRecord, isWindowOpen, WindowItem } from '../core/table';
import { call, ReleaseContext } from '../runtime/context';
import { Session } from '../state/session';
import { readStack, updateStack } from '../state/stack';
import { fleetCapacity } from './live-capacity';
import { liveTag, pointLiveTag } from './live-tag';
import { scheduleCoolDown } from './schedule';

/** Where a rollback goes, decided from the stack and the rollback window. */
export type RollbackPlan =
  | { readonly kind: 'already'; readonly window: WindowItem }
  | { readonly kind: 'move'; readonly from: Color; readonly to: Color; readonly window?: WindowItem; readonly stackReconciled: boolean };

/**
 * Rollback means "back to the fleet that was live before the last swap". With a window for that
 * swap, the window says which fleet that is (so a re-run after an interrupted rollback does not
 * flip traffic forward again); without one, it is the other fleet. A window marked rolled back
 * but not finished (`rollbackDoneAt` unset) is resumed.
 */
export function planRollback(state: StackState, window: WindowItem | undefined): RollbackPlan {
  if (window?.rolledBack) {
    if (window.rollbackDoneAt && window.liveColor === state.liveColor) return { kind: 'already', window };
    return { kind: 'move', from: window.previousColor, to: window.liveColor, window, stackReconciled: false };
  }
  if (window) {
    const to = window.previousColor;
    return { kind: 'move', from: window.liveColor, to, window, stackReconciled: to === state.liveColor };
  }
  return { kind: 'move', from: state.liveColor, to: otherColor(state.liveColor), stackReconciled: false };
}

/**
 * Waits out a stack update someone else started (a `cdk deploy`, the Lambdas' warm/cool or
 * reconcile), deciding on a status read now, not the one the session read earlier.
 */
export async function settleStack(ctx: ReleaseContext, state: StackState): Promise<StackState> {
  const fresh = await readStack(ctx, state.name, state.prefix);
  if (!isBusy(fresh.status)) return fresh;
  const what = `stack ${fresh.name} to finish its current update (${fresh.status}: a running \`cdk deploy\` or a scheduled warm/cool)`;
  ctx.reporter.note(`waiting for ${what}`);
  const stop = ctx.reporter.progress(what, ctx.timings.stackUpdate.maxWaitSeconds);
  try {
    await waitFor(what, ctx.timings.stackUpdate, ctx.signal, (cfg) => waitUntilStackUpdateComplete({ ...cfg, client: cfg.watch(ctx.clients.cloudFormation) }, { StackName: fresh.name }));
  } catch (error) {
    if (!(error instanceof WaitFailedError)) throw error;
  } finally {
    stop();
  }
  return readStack(ctx, fresh.name, fresh.prefix);
}

/** The CLI's side of the rollback core: its retries, waits, progress output and test hooks. */
export function cliRollbackPorts(session: Session, to: Color): RollbackPorts {
  const { ctx } = session;
  return {
    elb: ctx.clients.elb,
    capacity: fleetCapacity(ctx),
    table: session.table,
    call: (operation, resource, fn) => call(ctx, operation, resource, fn),
    runner: (id, description, body) => {
      if (id === 'move-traffic') ctx.phase.trafficMoving(to);
      return session.runner(id, description, body);
    },
    now: () => ctx.clock.now(),
    readStack: () => readStack(ctx, session.state.name, session.state.prefix),
    warn: (text) => ctx.reporter.warn(text),
    reconcile: async (state, to, moveId): Promise<ReconcileOutcome> => {
      const settled = await settleStack(ctx, state);
      if (settled.liveColor === to) return { kind: 'done', state: settled, detail: `LiveColor is ${to}` };
      if (settled.status === 'UPDATE_ROLLBACK_FAILED') {
        // Only ContinueUpdateRollback moves a stack out of it (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ContinueUpdateRollback.html).
        return { kind: 'failed', state: settled, detail: `stack is UPDATE_ROLLBACK_FAILED${settled.statusReason ? ` (${settled.statusReason})` : ''}; it takes no update until ContinueUpdateRollback` };
      }
      await recordLiveBounds(fleetCapacity(ctx), session.table, settled, moveId, to, ctx.clock.now());
      try {
        const { state: after } = await updateStack(ctx, settled, { LiveColor: to });
        return { kind: 'done', state: after, detail: `LiveColor=${to}` };
      } catch (error) {
        // updateStack's message carries the first failed stack event.
        if (!(error instanceof WaitFailedError)) throw error;
        return { kind: 'failed', state: await readStack(ctx, settled.name, settled.prefix), detail: error.message };
      }
    },
  };
}

export interface CliRollback {
  readonly state: RollbackState;
  readonly trafficBackAt?: Date;
}

/**
 * A rollback from the CLI: the core (traffic, record, reconcile, verify), then what only the CLI
 * does: the live tag, the cool-down schedule of the fleet traffic left, the end of the pending
 * release. Throws (exit 1, saying where traffic is) when the core could not finish.
 */
export async function rollBackFromCli(
  session: Session,
  plan: Extract<RollbackPlan, { kind: 'move' }>,
  outcome: HistoryRecord['outcome'],
  reason: string,
  steps?: readonly Step<RollbackState>[],
): Promise<CliRollback> {
  const { ctx } = session;
  const settings = session.settings;
  const request: RollbackRequest = {
    from: plan.from,
    to: plan.to,
    window: plan.window,
    actor: ctx.actor,
    outcome,
    reason,
    service: settings.service,
    environment: settings.environment,
    rollbackWindowMinutes: settings.rollbackWindowMinutes,
  };
  const state = await rollBack(cliRollbackPorts(session, plan.to), request, session.state, steps);
  session.replaceState(state.stack);
  if (!state.done) throw unfinishedError(state);
  const environment = settings.environment;
  await session.step(`point ${liveTag(environment)} at the ${plan.to} fleet's image`, async (h) => h.detail(await pointLiveTag(ctx, environment, fleet(state.stack, plan.to).image)));
  await session.step('schedule the cool-down of the fleet traffic left', async (h) => {
    const window = state.window;
    const now = ctx.clock.now();
    if (window) await session.table.deletePending(window.releaseId);
    const closesAt = window && isWindowOpen(window, now) ? new Date(window.closesAt) : new Date(now.getTime() + settings.rollbackWindowMinutes * 60_000);
    // The fleet traffic left stays warm until the window closes, then is cooled.
    await scheduleCoolDown(ctx, state.stack, closesAt, plan.to);
    h.detail(`${plan.from} stays warm until ${closesAt.toISOString()}`);
  });
  return { state, trafficBackAt: state.trafficMovedAt };
}
