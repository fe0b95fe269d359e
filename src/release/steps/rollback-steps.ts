import { waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { WaitFailedError, waitFor } from '../../aws/waiters';
import { recordLiveBounds } from '../core/capacity';
import { ReconcileOutcome, rollBack, RollbackPorts, RollbackRequest, RollbackState, unfinishedError } from '../core/rollback';
import { Color, fleet, isBusy, otherColor, StackState } from '../core/stack-state';
import { runSteps, Step } from '../core/steps';
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
    await waitFor(what, ctx.timings.stackUpdate, ctx.signal, ctx.clients.cloudFormation, (cfg) => waitUntilStackUpdateComplete(cfg, { StackName: fresh.name }));
  } catch (error) {
    if (!(error instanceof WaitFailedError)) throw error;
  } finally {
    stop();
  }
  return readStack(ctx, fresh.name, fresh.prefix);
}

/** The CLI's side of the rollback core: its retries, waits, progress output and test hooks. */
export function cliRollbackPorts(session: Session, stack: StackState, to: Color): RollbackPorts {
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
    readStack: () => readStack(ctx, stack.name, stack.prefix),
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

/** What the CLI's steps after the rollback core work on: the core's result, and the session. */
export interface AfterRollbackState {
  readonly session: Session;
  readonly rollback: RollbackState;
}

/**
 * What only the CLI does once the core finished: the live tag, the cool-down schedule of the
 * fleet traffic left, the end of the pending release. Each is idempotent, so a re-run repeats it.
 */
export const AFTER_ROLLBACK_STEPS: readonly Step<AfterRollbackState>[] = [
  {
    id: 'point-live-tag',
    describe: (s) => `point ${liveTag(s.rollback.request.environment)} at the ${s.rollback.request.to} fleet's image`,
    run: async (s, h) => (h.detail(await pointLiveTag(s.session.ctx, s.rollback.request.environment, fleet(s.rollback.stack, s.rollback.request.to).image)), s),
  },
  {
    id: 'schedule-cool-down',
    describe: () => 'schedule the cool-down of the fleet traffic left',
    run: async (s, h) => {
      const { ctx, table } = s.session;
      const { window, request, stack } = s.rollback;
      const now = ctx.clock.now();
      if (window) await table.deletePending(window.releaseId);
      const closesAt = window && isWindowOpen(window, now) ? new Date(window.closesAt) : new Date(now.getTime() + request.rollbackWindowMinutes * 60_000);
      // The fleet traffic left stays warm until the window closes, then is cooled.
      await scheduleCoolDown(ctx, stack, closesAt, request.to);
      h.detail(`${request.from} stays warm until ${closesAt.toISOString()}`);
      return s;
    },
  },
];

/**
 * A rollback from the CLI: the core (traffic, record, reconcile, verify), then what only the CLI
 * does (AFTER_ROLLBACK_STEPS). Throws (exit 1, saying where traffic is) when the core could not
 * finish. `stack` is the stack as last read; the result carries the stack as the rollback left it.
 */
export async function rollBackFromCli(
  session: Session,
  stack: StackState,
  plan: Extract<RollbackPlan, { kind: 'move' }>,
  outcome: HistoryRecord['outcome'],
  reason: string,
  steps?: readonly Step<RollbackState>[],
): Promise<CliRollback> {
  const { ctx, settings } = session;
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
  const state = await rollBack(cliRollbackPorts(session, stack, plan.to), request, stack, steps);
  if (!state.done) throw unfinishedError(state);
  await runSteps(AFTER_ROLLBACK_STEPS, { session, rollback: state }, session.runner);
  return { state, trafficBackAt: state.trafficMovedAt };
}
