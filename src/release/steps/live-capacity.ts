import { carryLiveBounds, FleetCapacity, recordLiveBounds } from '../core/capacity';
import { call, ReleaseContext } from '../runtime/context';
import { Session } from '../state/session';
import { updateStack, UpdateResult } from '../state/stack';
import { Color } from '../core/stack-state';

/** The fleets' scalable targets, with the CLI's retries. */
export function fleetCapacity(ctx: ReleaseContext): FleetCapacity {
  return new FleetCapacity(ctx.clients.applicationAutoScaling, (operation, resource, fn) => call(ctx, operation, resource, fn));
}

/**
 * `LiveColor=to` with a stack update, after recording the live fleet's scalable-target bounds for
 * the move (capacity.ts): the only way traffic moves by template, in a swap and in a rollback.
 */
export async function moveLiveColor(session: Session, to: Color, moveId: string): Promise<{ result: UpdateResult; recorded: string }> {
  const recorded = await recordLiveBounds(fleetCapacity(session.ctx), session.table, session.state, moveId, to, session.ctx.clock.now());
  if (session.state.liveColor !== to) session.ctx.phase.trafficMoving(to);
  const { result } = await updateStack(session.ctx, session.state, { LiveColor: to });
  await session.refresh();
  return { result, recorded };
}

/**
 * The step after a move: the new live fleet keeps the scheduled bounds the previous live fleet
 * had (CloudFormation gave it the template's). Runs on every re-run too; it is idempotent.
 */
export async function carryCapacity(session: Session, moveId: string): Promise<void> {
  await session.step(`keep the scheduled capacity on the ${session.state.liveColor} fleet`, async (h) => {
    const outcome = await carryLiveBounds(fleetCapacity(session.ctx), session.table, session.state, moveId, session.ctx.clock.now());
    if (outcome.applied) h.detail(outcome.detail);
    else h.skip(outcome.detail);
  });
}
