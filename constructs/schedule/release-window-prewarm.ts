import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { StandbyCapacityRequest } from '../contract/payloads';
import { cronProblem, isKnownTimeZone } from '../common/schedule-expression';
import { shiftCron } from './cron-shift';

/** One recurring release window, as passed to `addWindow`. */
export interface ReleaseWindowOptions {
  /** When the window opens: an AWS six-field cron expression, e.g. `0 11 ? * MON-THU *`. */
  readonly cron: string;

  /**
   * IANA time zone the cron expression is evaluated in.
   * @default - the ReleaseWindowPrewarm's `timeZone`
   */
  readonly timeZone?: string;

  /** How long the window stays open; the standby is cooled at its end if nothing was released. */
  readonly duration: Duration;

  /**
   * How long before the window opens the standby is warmed (instances boot, tasks start).
   * @default Duration.minutes(30)
   */
  readonly prewarm?: Duration;
}

/** A release window with its name, as given in `ReleaseWindowPrewarmProps.windows`. */
export interface NamedReleaseWindow extends ReleaseWindowOptions {
  /** Unique per service: names the window's construct and the errors. */
  readonly name: string;
}

/** Defaults shared by every window of one ReleaseWindowPrewarm. */
export interface ReleaseWindowPrewarmOptions {
  /**
   * Time zone of windows that do not name their own.
   * @default 'UTC'
   */
  readonly timeZone?: string;

  /**
   * Whether the schedules run. Turn them off to keep the windows defined but idle.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * EventBridge Scheduler group of the schedules.
   * @default - the account's `default` group
   */
  readonly groupName?: string;
}

export interface ReleaseWindowPrewarmProps extends ReleaseWindowPrewarmOptions {
  /** The service's name, for descriptions and errors. */
  readonly serviceName: string;

  /**
   * The Lambda that sets the standby's minimum (`ReleaseSupport.standbyCapacityFunction`): it is
   * invoked with `{"action":"warm"}` and `{"action":"cool-if-idle","windowMinutes":…}`.
   */
  readonly standbyCapacityFunction: lambda.IFunction;

  /**
   * Role EventBridge Scheduler invokes the Lambda with. It is given permission to invoke
   * `standbyCapacityFunction` (and nothing else is added to it).
   * @default - a new role, assumable by EventBridge Scheduler of this account only, that may invoke only `standbyCapacityFunction`
   */
  readonly role?: iam.IRole;

  /**
   * Windows to start with; more can be added with `addWindow`.
   * @default - none
   */
  readonly windows?: NamedReleaseWindow[];
}

/** The two schedules of one window. */
export interface ReleaseWindowSchedules {
  /** Warms the standby `prewarm` before the window opens. */
  readonly warm: scheduler.CfnSchedule;
  /** Cools it when the window closes, unless a release happened in it. */
  readonly coolIfIdle: scheduler.CfnSchedule;
}

const WINDOW_NAME = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;
const DEFAULT_PREWARM = Duration.minutes(30);

/**
 * Warms a blue/green service's standby fleet before each release window and cools it when the
 * window closes if no release happened, with two EventBridge Scheduler schedules per window
 * (cron + time zone) that invoke the standby-capacity Lambda. The Lambda decides with the
 * stack's and the release table's state: it never acts while a release holds the lock, and
 * leaves the standby warm while a rollback window is open or a release prepared in the window
 * waits for its swap. Cooling after a swap is the release's own one-time schedule, not this.
 */
export class ReleaseWindowPrewarm extends Construct {
  /** The role EventBridge Scheduler invokes the Lambda with. */
  public readonly role: iam.IRole;
  private readonly props: ReleaseWindowPrewarmProps;
  private readonly timeZone: string;
  private readonly windows = new Map<string, ReleaseWindowSchedules>();

  constructor(scope: Construct, id: string, props: ReleaseWindowPrewarmProps) {
    super(scope, id);
    this.props = props;
    this.timeZone = props.timeZone ?? 'UTC';
    if (!isKnownTimeZone(this.timeZone)) {
      throw new Error(`ReleaseWindowPrewarm ${props.serviceName}: timeZone "${this.timeZone}" is not an IANA time zone such as Asia/Tokyo or UTC`);
    }
    const invoke = new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.standbyCapacityFunction.functionArn] });
    if (props.role) {
      props.role.addToPrincipalPolicy(invoke);
      this.role = props.role;
    } else {
      const role = new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
        description: `${props.serviceName}: EventBridge Scheduler warms and cools the standby around release windows`,
      });
      // Not grantInvoke: it also allows `<arn>:*` (every version); the schedules call $LATEST only.
      role.addToPolicy(invoke);
      this.role = role;
    }
    for (const { name, ...options } of props.windows ?? []) this.addWindow(name, options);
  }

  /** Names of the windows, in the order they were added. */
  public get windowNames(): string[] {
    return [...this.windows.keys()];
  }

  /** The schedules of a window added earlier. */
  public schedulesOf(name: string): ReleaseWindowSchedules | undefined {
    return this.windows.get(name);
  }

  /**
   * Adds a window: a schedule `prewarm` before it opens that warms the standby, and one when it
   * closes that cools it if nothing was released. Throws, naming the window, on a bad cron
   * expression or time zone, a duration or pre-warm out of range, a name already used, or a
   * cron expression the pre-warm or end time cannot be derived from.
   */
  public addWindow(name: string, options: ReleaseWindowOptions): ReleaseWindowSchedules {
    const at = `ReleaseWindowPrewarm ${this.props.serviceName}: window "${name}"`;
    if (!WINDOW_NAME.test(name)) throw new Error(`${at}: name must be 1-32 letters, digits or "-", starting with a letter`);
    if (this.windows.has(name)) throw new Error(`${at}: name is already used by another window of this service`);
    const problem = cronProblem(options.cron);
    if (problem) throw new Error(`${at}: cron "${options.cron}" ${problem}`);
    const timeZone = options.timeZone ?? this.timeZone;
    if (!isKnownTimeZone(timeZone)) throw new Error(`${at}: timeZone "${timeZone}" is not an IANA time zone such as Asia/Tokyo or UTC`);
    const duration = wholeMinutes(options.duration, `${at}: duration`, 1, 24 * 60);
    const prewarm = wholeMinutes(options.prewarm ?? DEFAULT_PREWARM, `${at}: prewarm`, 1, 24 * 60);
    const derive = (minutes: number, what: string): string => {
      try {
        return shiftCron(options.cron, minutes);
      } catch (error) {
        // Not `new Error(message, { cause })`: jsii compiles against ES2020's lib, which has no ErrorOptions.
        throw Object.assign(new Error(`${at}: ${what}: ${(error as Error).message}`), { cause: error });
      }
    };
    const warmCron = derive(-prewarm, `the pre-warm time (${prewarm} minutes before the window)`);
    const endCron = derive(duration, `the end of the window (${duration} minutes after it opens)`);

    const scope = new Construct(this, name);
    const schedule = (id: string, cron: string, request: StandbyCapacityRequest, description: string, maxAgeSeconds: number) =>
      new scheduler.CfnSchedule(scope, id, {
        description,
        scheduleExpression: `cron(${cron})`,
        scheduleExpressionTimezone: timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: this.props.enabled === false ? 'DISABLED' : 'ENABLED',
        groupName: this.props.groupName,
        target: {
          arn: this.props.standbyCapacityFunction.functionArn,
          roleArn: this.role.roleArn,
          input: JSON.stringify(request),
          retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: Math.max(60, Math.min(maxAgeSeconds, 86_400)) },
        },
      });
    const service = this.props.serviceName;
    const schedules: ReleaseWindowSchedules = {
      // A warm-up that arrives after the window opened is of no use: the release warms itself then.
      warm: schedule('Warm', warmCron, { action: 'warm' }, `${service}: warm the standby ${prewarm} min before release window ${name} (${options.cron} ${timeZone})`, prewarm * 60),
      coolIfIdle: schedule(
        'CoolIfIdle',
        endCron,
        { action: 'cool-if-idle', windowMinutes: prewarm + duration },
        `${service}: cool the standby after release window ${name} unless a release happened in it`,
        3600,
      ),
    };
    this.windows.set(name, schedules);
    return schedules;
  }
}

function wholeMinutes(duration: Duration, what: string, min: number, max: number): number {
  const minutes = duration.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    throw new Error(`${what} ${duration.toHumanString()} must be whole minutes from ${min} to ${max}`);
  }
  return minutes;
}
