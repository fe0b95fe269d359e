import { CfnCondition, Fn, IResolvable, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { Construct } from 'constructs';
import { cronProblem, isKnownTimeZone, toCronExpression } from '../common/schedule-expression';

/** What ScheduledCapacity needs of one fleet. */
export interface ScheduledFleet {
  /** The fleet's name in errors (`blue`, `green`). */
  readonly color: string;
  /** The fleet's ECS service scalable target. */
  readonly scalableTarget: appscaling.ScalableTarget;
  /** True while this fleet is live. */
  readonly isLive: CfnCondition;
}

/** What ScheduledCapacity needs of a blue/green service: its name, fleets and task limit. */
export interface ScheduledServiceParts {
  /** The service's name, for errors. */
  readonly serviceName: string;
  /** Every fleet of the service; the schedules apply to whichever is live. */
  readonly fleets: ScheduledFleet[];
  /**
   * The most tasks a fleet may run (`BlueGreenService.maxTasks`).
   * @default - the smallest literal `MaxCapacity` of the fleets' scalable targets; no limit when
   * they are CloudFormation expressions
   */
  readonly maxTasks?: number;
}

/**
 * A service whose live fleet ScheduledCapacity scales on a schedule. `BlueGreenService` is one;
 * another construct can be by giving the same parts.
 */
export interface IScheduledService {
  /** What ScheduledCapacity works with: the service's fleets and task limit. */
  readonly scheduleParts: ScheduledServiceParts;
}

/** One scheduled change of the live fleet's task bounds, as passed to `addSchedule`. */
export interface ScheduleOptions {
  /**
   * When the bounds change: an AWS six-field cron expression, with or without `cron(...)`,
   * e.g. `50 9 * * ? *` (every day at 09:50).
   */
  readonly cron: string;

  /**
   * IANA time zone the cron expression is evaluated in, e.g. `Asia/Tokyo`.
   * @default - the ScheduledCapacity's `timeZone`
   */
  readonly timeZone?: string;

  /**
   * Minimum tasks of the live fleet from then on. Application Auto Scaling raises the running
   * count to it at once when the action fires (there is no separate desired count to set).
   */
  readonly minTasks: number;

  /** Maximum tasks of the live fleet from then on; at most the service's maximum. */
  readonly maxTasks: number;
}

/** A schedule with its name, as given in `ScheduledCapacityProps.schedules`. */
export interface NamedSchedule extends ScheduleOptions {
  /** Unique per service: the scheduled action's name, and the name errors use. */
  readonly name: string;
}

/** Defaults shared by every schedule of one ScheduledCapacity. */
export interface ScheduledCapacityOptions {
  /**
   * Time zone of schedules that do not name their own.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

export interface ScheduledCapacityProps extends ScheduledCapacityOptions {
  /** The service whose live fleet the schedules apply to (a `BlueGreenService`). */
  readonly service: IScheduledService;

  /**
   * Schedules to start with; more can be added with `addSchedule`.
   * @default - none
   */
  readonly schedules?: NamedSchedule[];
}

const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Time-zone-aware scheduled scale-out and scale-in of a blue/green service's **live** fleet.
 *
 * The schedules are Application Auto Scaling scheduled actions on both fleets' scalable targets,
 * inside an `Fn::If` on each fleet's live-color condition: the live fleet's target carries them,
 * the standby's carries none. A swap (a stack update of `LiveColor`) therefore moves them with
 * the traffic, with no step of its own. The standby is sized by the release tool instead
 * (`StandbyMinTasks`), never by these schedules.
 *
 * ScheduledCapacity owns the targets' `ScheduledActions`: do not also call `scaleOnSchedule` on
 * them (synth fails if both are used).
 */
export class ScheduledCapacity extends Construct {
  /** The largest task count a schedule may set: the smallest maximum of the fleets' targets. */
  public readonly serviceMaxTasks?: number;
  private readonly service: ScheduledServiceParts;
  private readonly timeZone: string;
  private readonly schedules: NamedSchedule[] = [];

  constructor(scope: Construct, id: string, props: ScheduledCapacityProps) {
    super(scope, id);
    const service = props.service.scheduleParts;
    this.service = service;
    this.timeZone = props.timeZone ?? 'UTC';
    if (!isKnownTimeZone(this.timeZone)) {
      throw new Error(`ScheduledCapacity ${service.serviceName}: timeZone "${this.timeZone}" is not an IANA time zone such as Asia/Tokyo or UTC`);
    }
    if (service.fleets.length === 0) throw new Error(`ScheduledCapacity ${service.serviceName}: service has no fleets`);
    const maxima = service.fleets.map((f) => l1(f).maxCapacity).filter((m) => !Token.isUnresolved(m));
    this.serviceMaxTasks = service.maxTasks ?? (maxima.length > 0 ? Math.min(...maxima) : undefined);
    for (const fleet of service.fleets) this.attach(fleet);
    for (const { name, ...options } of props.schedules ?? []) this.addSchedule(name, options);
  }

  /** Names of the schedules, in the order they were added. */
  public get scheduleNames(): string[] {
    return this.schedules.map((s) => s.name);
  }

  /**
   * Adds a schedule that sets the live fleet's task bounds. Throws, naming the schedule, on a
   * bad cron expression, an unknown time zone, a minimum above the maximum, a maximum above the
   * service's, or a name already used.
   */
  public addSchedule(name: string, options: ScheduleOptions): void {
    const at = `ScheduledCapacity ${this.service.serviceName}: schedule "${name}"`;
    if (!ACTION_NAME.test(name)) throw new Error(`${at}: name must be 1-64 letters, digits, "-" or "_", starting with a letter or digit`);
    if (this.schedules.some((s) => s.name === name)) throw new Error(`${at}: name is already used by another schedule of this service`);
    const problem = cronProblem(options.cron);
    if (problem) throw new Error(`${at}: cron "${options.cron}" ${problem}`);
    const timeZone = options.timeZone ?? this.timeZone;
    if (!isKnownTimeZone(timeZone)) throw new Error(`${at}: timeZone "${timeZone}" is not an IANA time zone such as Asia/Tokyo or UTC`);
    const { minTasks, maxTasks } = options;
    if (!Number.isInteger(minTasks) || minTasks < 0) throw new Error(`${at}: minTasks ${minTasks} must be a whole number, 0 or more`);
    if (!Number.isInteger(maxTasks) || maxTasks < 1) throw new Error(`${at}: maxTasks ${maxTasks} must be a whole number, 1 or more`);
    if (minTasks > maxTasks) throw new Error(`${at}: minTasks ${minTasks} is above maxTasks ${maxTasks}`);
    const limit = this.serviceMaxTasks;
    if (limit !== undefined && maxTasks > limit) {
      // The warm standby mirrors the live fleet up to the service's maximum (the clamp of StandbyMinTasks),
      // and the fleets' instances are sized for it: raise the service's maxTasks instead.
      throw new Error(`${at}: maxTasks ${maxTasks} is above the service's maxTasks ${limit}; raise the service's maxTasks instead`);
    }
    this.schedules.push({ name, cron: options.cron, timeZone, minTasks, maxTasks });
  }

  private attach(fleet: ScheduledFleet): void {
    const target = l1(fleet);
    const previous = target.scheduledActions;
    const stack = Stack.of(this);
    const actions = Lazy.any({
      produce: () => {
        const existing = previous === undefined ? [] : stack.resolve(previous);
        if (Array.isArray(existing) && existing.length > 0) {
          throw new Error(`ScheduledCapacity ${this.service.serviceName}: the ${fleet.color} fleet's scalable target already has scheduled actions (scaleOnSchedule); add them to ScheduledCapacity instead, which keeps them on the live fleet`);
        }
        // CloudFormation's own spelling: a token is not passed through the L1's property mapper.
        return this.schedules.map((s) => ({
          ScheduledActionName: s.name,
          Schedule: toCronExpression(s.cron),
          Timezone: s.timeZone,
          ScalableTargetAction: { MinCapacity: s.minTasks, MaxCapacity: s.maxTasks },
        }));
      },
    });
    // Live: the schedules; standby: an explicit empty list, so a swap deletes them there.
    target.scheduledActions = Lazy.any({
      produce: () => (this.schedules.length === 0 ? undefined : Fn.conditionIf(fleet.isLive.logicalId, actions, [])),
    }) as IResolvable;
  }
}

function l1(fleet: ScheduledFleet): appscaling.CfnScalableTarget {
  return fleet.scalableTarget.node.defaultChild as appscaling.CfnScalableTarget;
}
