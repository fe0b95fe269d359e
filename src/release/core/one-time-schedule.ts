import type { CreateScheduleCommandInput, Target } from '@aws-sdk/client-scheduler';
import type { StandbyCapacityRequest } from '../../../constructs/contract';
import { requireOutput, StackState } from './stack-state';

/**
 * One-time EventBridge Scheduler schedules that invoke the stack's standby-capacity Lambda, as the
 * CLI (the rollback window's cool-down, a prepared release's expiry) and the Lambda itself (a
 * cool-down retried after a busy stack) create them. Pure (type-only SDK import), so the CLI and
 * the Lambda build the same definition.
 */

/** `<stack name, cut to fit><suffix>`: schedule names are at most 64 characters (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html). */
export function stackScheduleName(state: StackState, suffix: string): string {
  const full = `${state.prefix ? `-${state.prefix.toLowerCase()}` : ''}${suffix}`;
  return `${state.name.slice(0, 64 - full.length)}${full}`;
}

/** EventBridge Scheduler's one-time expression, in UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/**
 * The schedule: at `when`, `request` to the standby-capacity Lambda with ReleaseSupport's scheduler
 * role; it deletes itself after running (ActionAfterCompletion DELETE).
 */
export function oneTimeSchedule(state: StackState, name: string, when: Date, request: StandbyCapacityRequest, description: string): Omit<CreateScheduleCommandInput, 'Name' | 'ScheduleExpression' | 'Target'> & { Name: string; ScheduleExpression: string; Target: Target } {
  const why = `to schedule ${name}`;
  return {
    Name: name,
    ScheduleExpression: atExpression(when),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Description: description,
    Target: {
      Arn: requireOutput(state, 'StandbyCapacityFunctionArn', why),
      RoleArn: requireOutput(state, 'ReleaseSchedulerRoleArn', why),
      Input: JSON.stringify(request),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
}
