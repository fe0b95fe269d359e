import { carryLiveBounds, FleetCapacity, recordLiveBounds } from '../core/capacity';
import type { StepHandle } from '../core/steps';
import { call, ReleaseContext } from '../runtime/context';
import { Session } from '../state/session';
import { updateStack } from '../state/stack';
import { Color, StackState } from '../core/stack-state';

/** The fleets' scalable targets, with the CLI's retries. */
export function fleetCapacity(ctx: ReleaseContext): FleetCapacity {
  return new FleetCapacity(ctx.clients.applicationAutoScaling, (operation, resource, fn) => call(ctx, operation, resource, fn));
}

/**
 * `LiveColor=to` with a stack update, after recording the live fleet's scalable-target bounds for
 * the move (capacity.ts): the only way traffic moves by template, in a swap and in a rollback.
 * The body of every command's swap step; returns the stack as the update left it.
 */
export async function moveLiveColor(session: Session, stack: StackState, to: Color, moveId: string, h: StepHandle): Promise<StackState> {
  const recorded = await recordLiveBounds(fleetCapacity(session.ctx), session.table, stack, moveId, to, session.ctx.clock.now());
  // Before the update is sent: a timeout or Ctrl-C while it runs no longer claims "live traffic untouched".
  if (stack.liveColor !== to) session.ctx.phase.trafficMoving(to);
  const { result, state } = await updateStack(session.ctx, stack, { LiveColor: to });
  if (result === 'unchanged') h.skip(`LiveColor is already ${to}`);
  else h.detail(`LiveColor=${to}; the previous fleet stays warm; ${recorded}`);
  return state;
}

/**
 * The step after a move: the new live fleet keeps the scheduled bounds the previous live fleet
 * had (CloudFormation gave it the template's). Runs on every re-run too; it is idempotent.
 */
export async function carryCapacity(session: Session, stack: StackState, moveId: string, h: StepHandle): Promise<void> {
  const outcome = await carryLiveBounds(fleetCapacity(session.ctx), session.table, stack, moveId, session.ctx.clock.now());
  if (outcome.applied) h.detail(outcome.detail);
  else h.skip(outcome.detail);
}
