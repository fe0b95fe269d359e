import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { Timeline } from './clock';
import { awsError } from './errors';
import type { Lambda } from './lambda';

/**
 * EventBridge Scheduler one-time schedules (`at(...)`): a schedule fires at its time in its time
 * zone, invokes its Lambda target with its Input, and with ActionAfterCompletion DELETE deletes
 * itself after that invocation.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html
 * UpdateSchedule replaces the whole definition (fields left out take their defaults).
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html
 * Not modelled: rate() and cron() schedules (they are stored, never fire), flexible windows,
 * the target's retry policy.
 */

export interface Schedule {
  readonly Name: string;
  readonly GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Target: { Arn: string; RoleArn: string; Input?: string };
  FlexibleTimeWindow: { Mode: string };
  Description?: string;
  /** Bumped by every update, so a superseded firing does nothing. */
  version: number;
  fired?: Date;
}

/** The UTC instant of `at(yyyy-mm-ddThh:mm:ss)` in `timeZone`. */
export function atInstant(expression: string, timeZone = 'UTC'): number | undefined {
  const m = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (!m) return undefined;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // The zone's offset at that wall time (twice, to land right next to a DST change).
  const offset = (t: number) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - t;
  };
  const first = wall - offset(wall);
  return wall - offset(first);
}

export class Scheduler {
  readonly schedules = new Map<string, Schedule>();
  /** Every firing: which schedule, when, with what input. */
  readonly fired: { name: string; at: Date; input: any }[] = [];

  constructor(
    private readonly timeline: Timeline,
    private readonly now: () => number,
    private readonly lambda: Lambda,
    private readonly region: string,
    private readonly account: string,
  ) {}

  private key(name: string, group = 'default'): string {
    return `${group}/${name}`;
  }

  get(name: string, group = 'default'): Schedule | undefined {
    return this.schedules.get(this.key(name, group));
  }

  private put(input: any, version: number): Schedule {
    if (!input.FlexibleTimeWindow) throw awsError('ValidationException', '1 validation error detected: Value null at \'flexibleTimeWindow\' failed to satisfy constraint: Member must not be null', 400);
    const s: Schedule = {
      Name: input.Name,
      GroupName: input.GroupName ?? 'default',
      ScheduleExpression: input.ScheduleExpression,
      ScheduleExpressionTimezone: input.ScheduleExpressionTimezone,
      State: input.State ?? 'ENABLED',
      ActionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      Target: structuredClone(input.Target),
      FlexibleTimeWindow: structuredClone(input.FlexibleTimeWindow),
      Description: input.Description,
      version,
    };
    this.schedules.set(this.key(s.Name, s.GroupName), s);
    const at = atInstant(s.ScheduleExpression, s.ScheduleExpressionTimezone);
    // assumed: a one-time schedule whose time has passed fires at once.
    if (at !== undefined) this.timeline.at(Math.max(at, this.now()), `schedule ${s.Name}`, () => this.fire(s.Name, s.GroupName, version), {});
    return s;
  }

  private fire(name: string, group: string, version: number): void {
    const s = this.get(name, group);
    if (!s || s.version !== version || s.State !== 'ENABLED') return;
    const input = s.Target.Input === undefined ? {} : JSON.parse(s.Target.Input);
    s.fired = new Date(this.now());
    this.fired.push({ name, at: s.fired, input });
    // assumed: Scheduler's Lambda target invokes the function asynchronously (InvocationType
    // Event), so Lambda's asynchronous retries apply.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
    if (s.Target.Arn.includes(':lambda:')) this.lambda.deliver(s.Target.Arn, input);
    if (s.ActionAfterCompletion === 'DELETE') this.schedules.delete(this.key(name, group));
  }

  private notFound(name: string): Error {
    return awsError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
  }

  install(serve: (client: any, service: string, command: any, handle: (input: any) => any) => void): void {
    const arn = (s: Schedule) => `arn:aws:scheduler:${this.region}:${this.account}:schedule/${s.GroupName}/${s.Name}`;
    serve(SchedulerClient, 'scheduler', CreateScheduleCommand, (i) => {
      // A name already taken in its group: ConflictException, HTTP 409
      // (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html, Errors).
      if (this.get(i.Name, i.GroupName)) throw awsError('ConflictException', `Schedule ${i.Name} already exists.`, 409);
      return { ScheduleArn: arn(this.put(i, 1)) };
    });
    serve(SchedulerClient, 'scheduler', UpdateScheduleCommand, (i) => {
      const old = this.get(i.Name, i.GroupName);
      if (!old) throw this.notFound(i.Name);
      return { ScheduleArn: arn(this.put(i, old.version + 1)) };
    });
    serve(SchedulerClient, 'scheduler', GetScheduleCommand, (i) => {
      const s = this.get(i.Name, i.GroupName);
      if (!s) throw this.notFound(i.Name);
      const out: Partial<Schedule> = structuredClone(s);
      delete out.version;
      delete out.fired;
      return { ...out, Arn: arn(s) };
    });
    serve(SchedulerClient, 'scheduler', DeleteScheduleCommand, (i) => {
      if (!this.schedules.delete(this.key(i.Name, i.GroupName))) throw this.notFound(i.Name);
      return {};
    });
    serve(SchedulerClient, 'scheduler', ListSchedulesCommand, (i) => ({
      Schedules: [...this.schedules.values()].filter((s) => !i.NamePrefix || s.Name.startsWith(i.NamePrefix)).map((s) => ({ Name: s.Name, GroupName: s.GroupName, State: s.State, Arn: arn(s), Target: { Arn: s.Target.Arn } })),
    }));
  }
}
