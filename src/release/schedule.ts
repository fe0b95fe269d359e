import { CreateScheduleCommand, GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { AwsCallError } from '../aws/errors';
import { call, ReleaseContext } from './context';
import { StandbyCapacityRequest } from './payloads';
import { Color, requireOutput, StackState } from './stack-state';

/** One cool-down schedule per service stack; a later swap moves it. */
export function coolDownScheduleName(state: StackState): string {
  const suffix = `${state.prefix ? `-${state.prefix.toLowerCase()}` : ''}-cool-down`;
  return `${state.name.slice(0, 64 - suffix.length)}${suffix}`;
}

/** EventBridge Scheduler's one-time expression, in UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/**
 * Makes sure a one-time schedule invokes the standby-capacity Lambda with
 * `{ action: 'cool', expectLiveColor }` when the rollback window closes; it deletes itself after
 * running. Reads first, so a re-run changes nothing.
 */
export async function scheduleCoolDown(ctx: ReleaseContext, state: StackState, closesAt: Date, expectLiveColor: Color): Promise<'created' | 'updated' | 'unchanged'> {
  const name = coolDownScheduleName(state);
  const request: StandbyCapacityRequest = { action: 'cool', expectLiveColor };
  const definition = {
    Name: name,
    ScheduleExpression: atExpression(closesAt),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Description: `Cool the standby fleet of ${state.name} when the rollback window closes`,
    Target: {
      Arn: requireOutput(state, 'StandbyCapacityFunctionArn', 'to schedule the end of the rollback window'),
      RoleArn: requireOutput(state, 'ReleaseSchedulerRoleArn', 'to schedule the end of the rollback window'),
      Input: JSON.stringify(request),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
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
    target.Arn === definition.Target.Arn &&
    target.RoleArn === definition.Target.RoleArn
  ) {
    return 'unchanged';
  }
  await call(ctx, 'UpdateSchedule', resource, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(definition)));
  return 'updated';
}
