import { readAlarms } from './fleet';
import { ExitCode, ReleaseError } from '../core/outcome';
import { planRollback, rollBackFromCli } from './rollback-steps';
import { scheduleCoolDown } from './schedule';
import { Session } from '../state/session';
import type { StepHandle } from '../core/steps';
import { fleet, StackState } from '../core/stack-state';
import { PendingRelease, WindowItem } from '../core/table';
import { pendingHistory } from '../core/pending';

/**
 * After the swap: open the rollback window (table item + one-time cool-down schedule), bake while
 * watching the new live fleet's alarms, record the release. Every part reads first, so a re-run
 * after an interruption finishes the release without doing anything twice.
 */
export async function openWindow(session: Session, stack: StackState, pending: PendingRelease, h: StepHandle): Promise<WindowItem> {
  const { ctx } = session;
  let window = await session.table.readWindow();
  if (window?.releaseId !== pending.releaseId) {
    const now = ctx.clock.now();
    window = {
      previousColor: pending.fromColor,
      liveColor: pending.toColor,
      swappedAt: now.toISOString(),
      closesAt: new Date(now.getTime() + session.settings.rollbackWindowMinutes * 60_000).toISOString(),
      releaseId: pending.releaseId,
      previousImage: pending.oldImage,
      previousAmi: pending.oldAmi,
    };
    await session.table.putWindow(window);
  }
  const schedule = await scheduleCoolDown(ctx, stack, new Date(window.closesAt), window.rolledBack ? window.liveColor : pending.toColor);
  h.detail(`${pending.fromColor} stays warm until ${window.closesAt} (cool-down schedule ${schedule})`);
  return window;
}

export type BakeResult = 'passed' | 'rolled-back' | 'auto-rolled-back';

/** Watches the new live fleet's alarms until `swappedAt + bakeMinutes`; an alarm rolls back. */
export async function bake(session: Session, stack: StackState, window: WindowItem, h: StepHandle): Promise<BakeResult> {
  const { ctx } = session;
  const minutes = session.settings.bakeMinutes;
  const end = Date.parse(window.swappedAt) + minutes * 60_000;
  const live = fleet(stack, window.liveColor);
  let result = await (async (): Promise<BakeResult> => {
    if (live.alarmNames.length === 0) ctx.reporter.warn(`the ${live.color} fleet has no alarms to watch (output ${stack.prefix}${live.color === 'blue' ? 'Blue' : 'Green'}AlarmNames is empty)`);
    const stop = ctx.reporter.progress(`the bake of the ${live.color} fleet (alarms ${live.alarmNames.join(', ') || 'none'})`, Math.max(0, Math.round((end - ctx.clock.now().getTime()) / 1000)));
    try {
      for (;;) {
        const current = await session.table.readWindow();
        if (current?.releaseId === window.releaseId && current.rolledBack) {
          h.detail(`rolled back by ${current.rolledBackBy ?? 'the auto-rollback Lambda'} at ${current.rolledBackAt}`);
          return 'auto-rolled-back';
        }
        const firing = (await readAlarms(ctx, live.alarmNames)).filter((a) => a.state === 'ALARM');
        if (firing.length > 0) {
          h.detail(`alarm ${firing.map((a) => a.name).join(', ')} fired; rolling back`);
          return 'rolled-back';
        }
        const left = end - ctx.clock.now().getTime();
        if (left <= 0) {
          h.detail(minutes === 0 ? 'no bake configured' : 'no alarm fired');
          return 'passed';
        }
        await session.lock.renew();
        await ctx.clock.sleep(Math.min(left, ctx.timings.bakePollSeconds * 1000), ctx.signal);
      }
    } finally {
      stop();
    }
  })();
  // Either way the rollback core runs: it finishes what the Lambda started (or moves traffic itself).
  const fresh = await session.table.readWindow();
  const plan = planRollback(stack, fresh);
  // The alarm the bake saw also invoked the auto-rollback Lambda through the EventBridge rule, an
  // asynchronous invocation (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html),
  // which may have marked the window after the bake read it: then the rollback is the Lambda's,
  // and this release only finishes it.
  if (result === 'rolled-back' && fresh?.releaseId === window.releaseId && fresh.rolledBack) result = 'auto-rolled-back';
  if (result === 'rolled-back' && plan.kind === 'move') await rollBackFromCli(session, stack, plan, 'rolled-back', `alarm during the bake of release ${window.releaseId}`);
  if (result === 'auto-rolled-back' && plan.kind === 'move') {
    await rollBackFromCli(session, stack, plan, 'auto-rolled-back', `${plan.window?.rolledBackBy ?? 'auto-rollback'}, finished by the release`);
  }
  return result;
}

/** The release's history record (written once) and the end of the pending release. */
export async function recordRelease(session: Session, pending: PendingRelease, window: WindowItem, detail: string, h: StepHandle): Promise<void> {
  const where = { service: session.settings.service, environment: session.settings.environment };
  const written = await session.table.putHistory(pendingHistory(pending, where, { at: window.swappedAt, id: pending.releaseId, actor: pending.actor, outcome: 'succeeded', detail }));
  await session.table.deletePending(pending.releaseId);
  if (!written) h.skip('already recorded');
}

/** The error a rolled-back release ends with (exit code 4). */
export function rolledBackError(result: BakeResult, window: WindowItem): ReleaseError {
  const by = result === 'auto-rolled-back' ? 'by the auto-rollback Lambda' : 'by this release';
  return new ReleaseError(ExitCode.RolledBack, `release ${window.releaseId} was rolled back ${by}: traffic is on the ${window.previousColor} fleet again`, {
    releaseId: window.releaseId,
    liveColor: window.previousColor,
  });
}
