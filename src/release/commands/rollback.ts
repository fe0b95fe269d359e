import { rollbackMoveId } from '../core/capacity';
import { ReleaseContext } from '../runtime/context';
import { swapTraffic } from './deploy';
import { readService, waitUntilReady, warmSize } from '../steps/fleet';
import { carryCapacity } from '../steps/live-capacity';
import { ExitCode, ReleaseError } from '../core/outcome';
import { planRollback, rollBackFromCli } from '../steps/rollback-steps';
import { withSession } from '../state/session';
import { runSmokeCheck } from '../steps/smoke';
import { standbySize, updateStack } from '../state/stack';
import { Color, fleet, previousFleetChanged } from '../core/stack-state';
import { ReleaseTarget } from '../runtime/target';

export interface RollbackOptions {
  /** When the previous fleet is cold: warm it, check it, then swap to it. */
  readonly warm?: boolean;
  readonly breakLock?: boolean;
  readonly parameterPrefix?: string;
}

export interface RollbackResult {
  readonly outcome: 'rolled-back' | 'already-rolled-back' | 'warmed-and-swapped';
  readonly liveColor: Color;
  /** Milliseconds from the start of the command until the production listener pointed back. */
  readonly trafficBackAfterMs?: number;
}

/**
 * `rollback`: traffic back to the fleet that was live before the last swap. While that fleet is
 * warm, one ELB call moves traffic (seconds) and the stack's LiveColor is reconciled after. When
 * it is cold, refuses (exit 6) unless `--warm`.
 */
export async function rollback(ctx: ReleaseContext, target: ReleaseTarget, options: RollbackOptions): Promise<RollbackResult> {
  const started = ctx.clock.now().getTime();
  return withSession(ctx, target, 'rollback', { ...options, anyStackStatus: true }, async (session) => {
    const plan = planRollback(session.state, await session.table.readWindow());
    if (plan.kind === 'already') {
      ctx.reporter.note(`already rolled back at ${plan.window.rolledBackAt} by ${plan.window.rolledBackBy}: traffic is on the ${plan.window.liveColor} fleet`);
      // The auto-rollback Lambda may have run out of time before it carried the capacity.
      await carryCapacity(session, rollbackMoveId(plan.window.releaseId));
      return { outcome: 'already-rolled-back', liveColor: session.state.liveColor };
    }
    const changed = plan.stackReconciled ? undefined : previousFleetChanged(session.state, plan.window);
    if (changed) {
      throw new ReleaseError(ExitCode.Refused, `${changed}: a rollback would release that instead. Finish it with \`swap\`, or deploy the image you want live.`);
    }
    const previous = fleet(session.state, plan.to);
    const counts = plan.stackReconciled
      ? undefined
      : await session.step(`check the ${plan.to} fleet is warm`, async (h) => {
          const c = await readService(ctx, previous);
          h.detail(`${c.running}/${c.desired} tasks running`);
          return c;
        });
    const warm = counts === undefined || (counts.desired >= 1 && counts.running >= 1 && counts.running >= counts.desired);
    if (warm) {
      const resumed = plan.window?.rolledBack === true;
      const by = resumed ? (plan.window?.rolledBackBy ?? ctx.actor) : `rollback by ${ctx.actor}`;
      const { trafficBackAt } = await rollBackFromCli(session, plan, resumed && /^auto-rollback/.test(by) ? 'auto-rolled-back' : 'rolled-back', resumed ? `${by}, finished by ${ctx.actor}` : by);
      return { outcome: 'rolled-back', liveColor: plan.to, trafficBackAfterMs: trafficBackAt ? trafficBackAt.getTime() - started : undefined };
    }
    if (!options.warm) {
      throw new ReleaseError(
        ExitCode.PreviousFleetCold,
        `the previous (${plan.to}) fleet is cold: ${counts!.running}/${counts!.desired} tasks running, so traffic cannot go back in seconds. ` +
          `Re-run with --warm to warm it to the live fleet's size, check it and swap to it (minutes); traffic stays on ${plan.from} meanwhile.`,
        { previousColor: plan.to, running: counts!.running, desired: counts!.desired },
      );
    }
    await session.step(`warm the ${plan.to} fleet`, async (h) => {
      const liveCounts = await readService(ctx, fleet(session.state, plan.from));
      const warm = await standbySize(ctx, session.state, Math.max(warmSize(liveCounts), session.state.standbyMinTasks));
      await updateStack(ctx, session.state, { StandbyMinTasks: String(warm.size) });
      await session.refresh();
      h.detail(`StandbyMinTasks=${session.state.standbyMinTasks}${warm.note ? ` (${warm.note})` : ''}`);
    });
    await session.step(`wait for the ${plan.to} fleet`, async () => {
      await waitUntilReady(ctx, previous);
    });
    await session.step('smoke check through the test listener', async (h) => {
      const result = await runSmokeCheck(ctx, session.state, session.settings.smokeCheckPath);
      if (!result.pass) throw new ReleaseError(ExitCode.Refused, `smoke check of the ${plan.to} fleet failed (${result.status ?? result.error}); traffic stays on ${plan.from}`);
      h.detail(`${result.status} in ${result.latencyMs} ms`);
    });
    await swapTraffic(session, plan.to, rollbackMoveId(plan.window?.releaseId));
    await rollBackFromCli(session, { ...plan, stackReconciled: true }, 'rolled-back', `rollback by ${ctx.actor} after warming the cold ${plan.to} fleet`);
    return { outcome: 'warmed-and-swapped', liveColor: plan.to };
  });
}
