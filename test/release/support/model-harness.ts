import type { CommandDeps } from '../../../src/release/runtime/cli-runtime';
import type { ReleaseHooks, ReleaseTimings } from '../../../src/release/runtime/context';
import { parseReleaseSettings, ReleaseSettings } from '../../../constructs/contract';
import { serviceTemplate } from './aws-model/service-template';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from '../../../constructs/contract/names';
import { clock as autoRollbackClock, handler as autoRollback, stackWait } from '../../../lambda/auto-rollback';
import { clock as standbyCapacityClock, handler as standbyCapacity } from '../../../lambda/standby-capacity';
import { AwsModel, imageRef, REPOSITORY } from './aws-model';

/**
 * The release CLI's dependencies for one run against the AWS model (./aws-model): its fake clock,
 * real-time waits that poll often, no real sleeps. The model moves by `aws.timings.callMs` per API
 * call, so a wait sees the cloud move for as many calls as the waiter makes: the SDK waiter sleeps
 * 1-2 ms of real time between polls (its minimum must be above 0: `validateWaiterOptions` in
 * node_modules/@smithy/core/dist-cjs/submodules/client), and every wait here ends, in fake time,
 * long before its real-time limit. That limit only bounds a wait that is meant never to end
 * (a test of a timeout passes SHORT_WAIT): 10 s, because the SDK waiter measures it with the real
 * `Date.now()`, and a machine under load polls less often; at 1 s, releases that should pass
 * timed out (exit 5) when the two cores were busy.
 */
const wait = { maxWaitSeconds: 10, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 };
/** A wait for a test that expects it to time out: 1 s of real time. */
export const SHORT_WAIT = { maxWaitSeconds: 1, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 };
export const MODEL_TIMINGS: Partial<ReleaseTimings> = { stackUpdate: wait, serviceStable: wait, targetsHealthy: wait, imageScan: wait };
/** Every wait SHORT_WAIT: for `run(aws, { timings: SHORT_WAITS })` in a test of a timeout. */
export const SHORT_WAITS: Partial<ReleaseTimings> = { stackUpdate: SHORT_WAIT, serviceStable: SHORT_WAIT, targetsHealthy: SHORT_WAIT, imageScan: SHORT_WAIT };

export interface Captured {
  text: string;
  write(s: string): boolean;
}

export function capture(): Captured {
  return {
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

export interface Run {
  readonly stdout: Captured;
  readonly stderr: Captured;
  readonly sleeps: number[];
  readonly deps: CommandDeps;
}

export function run(aws: AwsModel, options: { hooks?: ReleaseHooks; actor?: string; timings?: Partial<ReleaseTimings> } = {}): Run {
  const stdout = capture();
  const stderr = capture();
  const sleeps: number[] = [];
  return {
    stdout,
    stderr,
    sleeps,
    deps: {
      clock: aws.clock,
      stdout,
      stderr,
      timings: { ...MODEL_TIMINGS, ...options.timings },
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
      hooks: options.hooks,
      env: { USER: options.actor ?? 'alice', AWS_REGION: 'ap-northeast-1' },
    },
  };
}

export const DEV_STACK = 'bgf-dev-api';

/** The release settings a synthesized stack publishes (its ReleaseSettings output), as the CLI reads them. */
export function templateSettings(env: string, service: string): ReleaseSettings {
  const outputs = serviceTemplate({ env, service }).Outputs as Record<string, { Value: unknown }>;
  const parsed = parseReleaseSettings(outputs.ReleaseSettings?.Value as string, { stack: `bgf-${env}-${service}`, prefix: '' });
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}
/** dev api's bakeMinutes, as its stack publishes it (from lib/config through ReleaseSupport). */
export const DEV_BAKE_MINUTES = templateSettings('dev', 'api').bakeMinutes;
/** dev api's rollback window, as its stack publishes it. */
export const DEV_WINDOW_MINUTES = templateSettings('dev', 'api').rollbackWindowMinutes;
export const V1 = imageRef('v1');
export const V2 = imageRef('v2');

/**
 * dev's api service deployed from the real template, live on blue with v1, standby cold; images v1
 * and v2 pushed and scanned, in a repository set as ImageRepository sets it (immutable tags but the
 * `*-live` pointers). Each API call takes 5 s of fake time (README: what works for a whole release).
 */
export function devWorld(): AwsModel {
  const aws = new AwsModel().install();
  aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...DEFAULT_MUTABLE_TAG_PATTERNS] });
  aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1 });
  withHandlers(aws, DEV_STACK);
  aws.addImage('v1');
  aws.addImage('v2');
  aws.timings.callMs = 5_000;
  return aws;
}

/** The JSON result a `--json` run printed. */
export function json(r: Run): any {
  return JSON.parse(r.stdout.text);
}

/** Hooks that stop the process (as a crash or Ctrl-C would) right after `step`. */
export function stopAfter(step: string | ((name: string) => boolean)): ReleaseHooks {
  const matches = typeof step === 'string' ? (name: string) => name === step : step;
  return {
    afterStep: (name) => {
      if (matches(name)) throw new Error(`process stopped after ${name}`);
    },
  };
}

/** The release table's rollback window item of the dev api stack. */
export function windowItem(aws: AwsModel, stack = DEV_STACK): { swappedAt: string; closesAt: string; [k: string]: unknown } {
  const item = aws.table(stack).get({ pk: 'window', sk: 'current' });
  if (!item) throw new Error(`no rollback window item in the release table of ${stack}`);
  return item as { swappedAt: string; closesAt: string };
}

/**
 * The stack's in-cloud functions run their real code (the cool-down schedule runs the real
 * standby-capacity handler, an alarm the real auto-rollback handler) on the model's clock.
 */
/** What the auto-rollback handler is told is left of its timeout: its 20 s reserve plus 10 s to wait. */
export const AUTO_ROLLBACK_REMAINING_MS = 30_000;

export function withHandlers(aws: AwsModel, stack: string): void {
  autoRollbackClock.now = () => aws.clock.now();
  standbyCapacityClock.now = () => aws.clock.now();
  // The handler's stack wait is an SDK waiter, which polls in real time while the model moves
  // `callMs` per call: poll every 1-2 ms, and leave it 10 s of real time (30 s left minus its
  // 20 s reserve, like the CLI's waits above), which is far more fake time than it needs.
  Object.assign(stackWait, { minDelaySeconds: 0.001, maxDelaySeconds: 0.002 });
  aws.handle(stack, 'AutoRollback', (event) => autoRollback(event, { getRemainingTimeInMillis: () => AUTO_ROLLBACK_REMAINING_MS }));
  aws.handle(stack, 'StandbyCapacity', standbyCapacity);
}

/**
 * The rollback window closes: the cool-down schedule fires, the real standby-capacity handler sets
 * StandbyMinTasks=0, CloudFormation moves the previous fleet to 0..0 and its tasks drain.
 */
export async function windowClosedAndCooled(aws: AwsModel, stack = DEV_STACK): Promise<void> {
  await aws.runFor(Date.parse(windowItem(aws, stack).closesAt) - aws.clock.t + 60_000);
  await aws.settleStack(stack);
  await aws.runFor(5 * 60_000);
}
