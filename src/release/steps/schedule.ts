import { CreateScheduleCommand, GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { AwsCallError } from '../../aws/errors';
import { call, ReleaseContext } from '../runtime/context';
import { StandbyCapacityRequest } from '../../../constructs/contract';
import { Color, StackState } from '../core/stack-state';
import { atExpression, oneTimeSchedule, stackScheduleName } from '../core/one-time-schedule';

/**
 * The release CLI's one-time schedules, one of each per service stack (a later release moves it):
 * `cool-down` cools the previous fleet when a rollback window closes; `pending-expiry` runs
 * `cool-if-idle` when a prepared release goes stale. The CI deploy roles may manage exactly these
 * names (constructs/ci/release-permissions.ts).
 */
export type ReleaseSchedule = 'cool-down' | 'pending-expiry';

export function releaseScheduleName(state: StackState, schedule: ReleaseSchedule): string {
  return stackScheduleName(state, `-${schedule}`);
}

export function coolDownScheduleName(state: StackState): string {
  return releaseScheduleName(state, 'cool-down');
}

export { atExpression };

export type ScheduleResult = 'created' | 'updated' | 'unchanged';

/**
 * Makes sure a one-time schedule invokes the standby-capacity Lambda with `request` at `when`; it
 * deletes itself after running. Reads first, so a re-run changes nothing.
 */
async function ensureOneTimeSchedule(ctx: ReleaseContext, state: StackState, schedule: ReleaseSchedule, when: Date, request: StandbyCapacityRequest, description: string): Promise<ScheduleResult> {
  const name = releaseScheduleName(state, schedule);
  const definition = oneTimeSchedule(state, name, when, request, description);
  const resource = `schedule ${name}`;
  let existing: { ScheduleExpression?: string; Target?: { Arn?: string; RoleArn?: string; Input?: string } } | undefined;
  try {
    existing = await call(ctx, 'GetSchedule', resource, () => ctx.clients.scheduler.send(new GetScheduleCommand({ Name: name })));
  } catch (error) {
    if (!(error instanceof AwsCallError && error.awsErrorName === 'ResourceNotFoundException')) throw error;
  }
  if (!existing) {
    await call(ctx, 'CreateSchedule', resource, () => ctx.clients.scheduler.send(new CreateScheduleCommand(definition)));
    return 'created';
  }
  // The target and role are compared too: a replaced scheduler role would leave the schedule unable to run.
  const target = existing.Target;
  if (
    existing.ScheduleExpression === definition.ScheduleExpression &&
    target?.Input === definition.Target.Input &&
    target?.Arn === definition.Target.Arn &&
    target?.RoleArn === definition.Target.RoleArn
  ) {
    return 'unchanged';
  }
  await call(ctx, 'UpdateSchedule', resource, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(definition)));
  return 'updated';
}

/** `{ action: 'cool', expectLiveColor }` when the rollback window closes. */
export async function scheduleCoolDown(ctx: ReleaseContext, state: StackState, closesAt: Date, expectLiveColor: Color): Promise<ScheduleResult> {
  return ensureOneTimeSchedule(ctx, state, 'cool-down', closesAt, { action: 'cool', expectLiveColor }, `Cool the standby fleet of ${state.name} when the rollback window closes`);
}

/**
 * `{ action: 'cool-if-idle', windowMinutes }` when the release in flight goes stale: if it has not
 * swapped by then, the standby it warmed is cooled, not kept warm until the next window's end.
 */
export async function schedulePendingExpiry(ctx: ReleaseContext, state: StackState, staleAt: Date, windowMinutes: number): Promise<ScheduleResult> {
  return ensureOneTimeSchedule(ctx, state, 'pending-expiry', staleAt, { action: 'cool-if-idle', windowMinutes }, `Cool the standby fleet of ${state.name} if the release prepared on it has not swapped by then`);
}
