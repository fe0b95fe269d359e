import { rollbackMoveId } from '../core/capacity';
import { ReleaseContext } from '../runtime/context';
import { readService, ServiceCounts, waitUntilReady, warmSize } from '../steps/fleet';
import { carryCapacity, moveLiveColor } from '../steps/live-capacity';
import { ExitCode, ReleaseError } from '../core/outcome';
import { planRollback, rollBackFromCli, RollbackPlan } from '../steps/rollback-steps';
import { runSteps, Step } from '../core/steps';
import { Session, withSession } from '../state/session';
import { runSmokeCheck } from '../steps/smoke';
import { standbySize, updateStack } from '../state/stack';
import { Color, fleet, previousFleetChanged, StackState } from '../core/stack-state';
import { ReleaseTarget } from '../runtime/target';
import type { RollbackCommandOptions } from '../../commands/rollback.options';

/** The options `rollback` acts on: a part of its one definition (src/commands/rollback.options.ts). `warm`: when the previous fleet is cold, warm it, check it, then swap to it. */
export type RollbackOptions = Pick<RollbackCommandOptions, 'warm' | 'breakLock' | 'parameterPrefix'>;

export interface RollbackResult {
  readonly outcome: 'rolled-back' | 'already-rolled-back' | 'warmed-and-swapped';
  readonly liveColor: Color;
  /** Milliseconds from the start of the command until the production listener pointed back. */
  readonly trafficBackAfterMs?: number;
}

/** What the rollback command's steps pass along, before the rollback core (core/rollback.ts) runs. */
export interface RollbackCommandState {
  readonly session: Session;
  readonly stack: StackState;
  readonly plan: Extract<RollbackPlan, { kind: 'move' }>;
  readonly warm: boolean;
  /** The previous fleet's ECS service, as `check-previous` found it (unset when the stack already went back). */
  readonly counts?: ServiceCounts;
}

/** The previous fleet has no running tasks to take traffic in seconds. */
const cold = (s: RollbackCommandState) => s.counts !== undefined && !(s.counts.desired >= 1 && s.counts.running >= 1 && s.counts.running >= s.counts.desired);

/**
 * The command's steps before the rollback core: is the previous fleet warm; when it is cold and
 * `--warm` was given, warm it, wait for it, smoke-check it and swap to it by template. The core's
 * own steps (ROLLBACK_STEPS) and the CLI's after it (AFTER_ROLLBACK_STEPS) follow.
 */
export const ROLLBACK_COMMAND_STEPS: readonly Step<RollbackCommandState>[] = [
  {
    id: 'check-previous',
    applies: (s) => !s.plan.stackReconciled,
    describe: (s) => `check the ${s.plan.to} fleet is warm`,
    run: async (s, h) => {
      const counts = await readService(s.session.ctx, fleet(s.stack, s.plan.to));
      h.detail(`${counts.running}/${counts.desired} tasks running`);
      const next = { ...s, counts };
      if (cold(next) && !s.warm) {
        throw new ReleaseError(
          ExitCode.PreviousFleetCold,
          `the previous (${s.plan.to}) fleet is cold: ${counts.running}/${counts.desired} tasks running, so traffic cannot go back in seconds. ` +
            `Re-run with --warm to warm it to the live fleet's size, check it and swap to it (minutes); traffic stays on ${s.plan.from} meanwhile.`,
          { previousColor: s.plan.to, running: counts.running, desired: counts.desired },
        );
      }
      return next;
    },
  },
  {
    id: 'warm-previous',
    applies: cold,
    describe: (s) => `warm the ${s.plan.to} fleet`,
    run: async (s, h) => {
      const { ctx } = s.session;
      const liveCounts = await readService(ctx, fleet(s.stack, s.plan.from));
      const warm = await standbySize(ctx, s.stack, Math.max(warmSize(liveCounts), s.stack.standbyMinTasks));
      const { state } = await updateStack(ctx, s.stack, { StandbyMinTasks: String(warm.size) });
      h.detail(`StandbyMinTasks=${state.standbyMinTasks}${warm.note ? ` (${warm.note})` : ''}`);
      return { ...s, stack: state };
    },
  },
  {
    id: 'wait-previous',
    applies: cold,
    describe: (s) => `wait for the ${s.plan.to} fleet`,
    run: async (s) => (await waitUntilReady(s.session.ctx, fleet(s.stack, s.plan.to)), s),
  },
  {
    id: 'smoke-check',
    applies: cold,
    describe: () => 'smoke check through the test listener',
    run: async (s, h) => {
      const result = await runSmokeCheck(s.session.ctx, s.stack, s.session.settings.smokeCheckPath);
      if (!result.pass) throw new ReleaseError(ExitCode.Refused, `smoke check of the ${s.plan.to} fleet failed (${result.status ?? result.error}); traffic stays on ${s.plan.from}`);
      h.detail(`${result.status} in ${result.latencyMs} ms`);
      return s;
    },
  },
  {
    id: 'swap',
    applies: cold,
    describe: (s) => `swap: traffic to the ${s.plan.to} fleet`,
    run: async (s, h) => ({ ...s, stack: await moveLiveColor(s.session, s.stack, s.plan.to, rollbackMoveId(s.plan.window?.releaseId), h) }),
  },
];

/**
 * `rollback`: traffic back to the fleet that was live before the last swap. While that fleet is
 * warm, one ELB call moves traffic (seconds) and the stack's LiveColor is reconciled after. When
 * it is cold, refuses (exit 6) unless `--warm`.
 */
export async function rollback(ctx: ReleaseContext, target: ReleaseTarget, options: RollbackOptions): Promise<RollbackResult> {
  const started = ctx.clock.now().getTime();
  return withSession(ctx, target, 'rollback', { ...options, anyStackStatus: true }, async (session) => {
    const opened = session.opened;
    const plan = planRollback(opened, await session.table.readWindow());
    if (plan.kind === 'already') {
      ctx.reporter.note(`already rolled back at ${plan.window.rolledBackAt} by ${plan.window.rolledBackBy}: traffic is on the ${plan.window.liveColor} fleet`);
      // The auto-rollback Lambda may have run out of time before it carried the capacity.
      await session.step('carry-capacity', `keep the scheduled capacity on the ${opened.liveColor} fleet`, (h) => carryCapacity(session, opened, rollbackMoveId(plan.window.releaseId), h));
      return { outcome: 'already-rolled-back', liveColor: opened.liveColor };
    }
    const changed = plan.stackReconciled ? undefined : previousFleetChanged(opened, plan.window);
    if (changed) {
      throw new ReleaseError(ExitCode.Refused, `${changed}: a rollback would release that instead. Finish it with \`swap\`, or deploy the image you want live.`);
    }
    const checked = await runSteps(ROLLBACK_COMMAND_STEPS, { session, stack: opened, plan, warm: options.warm === true }, session.runner);
    if (cold(checked)) {
      await rollBackFromCli(session, checked.stack, { ...plan, stackReconciled: true }, 'rolled-back', `rollback by ${ctx.actor} after warming the cold ${plan.to} fleet`);
      return { outcome: 'warmed-and-swapped', liveColor: plan.to };
    }
    const resumed = plan.window?.rolledBack === true;
    const by = resumed ? (plan.window?.rolledBackBy ?? ctx.actor) : `rollback by ${ctx.actor}`;
    const { trafficBackAt } = await rollBackFromCli(session, checked.stack, plan, resumed && /^auto-rollback/.test(by) ? 'auto-rolled-back' : 'rolled-back', resumed ? `${by}, finished by ${ctx.actor}` : by);
    return { outcome: 'rolled-back', liveColor: plan.to, trafficBackAfterMs: trafficBackAt ? trafficBackAt.getTime() - started : undefined };
  });
}
