import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { alarmStateChangeSchema, AutoRollbackResult, LAMBDA_ENV } from '../../constructs/contract';
import type { AlarmStateChange } from '../../constructs/contract';
import { FleetCapacity, recordLiveBounds } from '../../src/release/core/capacity';
import { ReconcileOutcome, rollBack, RollbackPorts } from '../../src/release/core/rollback';
import { Color, COLORS, fleet, isBusy, previousFleetChanged, StackState } from '../../src/release/core/stack-state';
import { StepRunner } from '../../src/release/core/steps';
import { isWindowOpen, ReleaseTable, WindowItem } from '../../src/release/core/table';
import { requestToken } from '../../src/release/core/request-token';
import { productionTraffic } from '../../src/release/core/traffic';
import { waitFor, WaitAccessError, WaitFailedError, WaitTimeoutError } from '../../src/release/core/wait';
import { log, readStackState, serviceCounts, setParameters, settings } from '../shared/stack';

/**
 * Automatic rollback in the cloud: an alarm of the new live fleet that fires while the rollback
 * window is open moves production traffic back to the still-warm previous fleet, through the same
 * rollback core as `bluegreen-fleet rollback` (src/release/core/rollback.ts): traffic first,
 * then the record, the LiveColor reconcile, a second look at the listener, the scheduled bounds.
 * Invoked asynchronously by EventBridge; when it cannot finish (the stack is busy, no time left,
 * a call failed) it throws, and Lambda's retries of the same event resume where it stopped
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */

export type { AlarmStateChange };
export type AlarmEvent = EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChange>;

export type Decision =
  | { readonly act: true; readonly from: Color; readonly to: Color; readonly window: WindowItem; readonly resume: boolean }
  | { readonly act: false; readonly reason: string };

/** Whether an alarm state change should roll traffic back, or resume an unfinished rollback (pure: the tests drive it directly). */
export function decide(input: { alarmName: string; newState: string; now: Date; state: StackState; window?: WindowItem; traffic?: Color }): Decision {
  const { alarmName, newState, now, state, window } = input;
  // A rollback marked but not finished (an earlier invocation failed after moving traffic): resume it.
  if (window?.rolledBack && !window.rollbackDoneAt) return { act: true, from: window.previousColor, to: window.liveColor, window, resume: true };
  if (newState !== 'ALARM') return { act: false, reason: `alarm ${alarmName} went to ${newState}, not ALARM` };
  const alarmColor = COLORS.find((c) => fleet(state, c).alarmNames.includes(alarmName));
  if (!alarmColor) return { act: false, reason: `alarm ${alarmName} belongs to neither fleet of ${state.name}` };
  if (!window) return { act: false, reason: 'no rollback window was ever opened' };
  if (window.rolledBack) return { act: false, reason: `release ${window.releaseId} was already rolled back at ${window.rolledBackAt}` };
  if (!isWindowOpen(window, now)) return { act: false, reason: `outside the rollback window of release ${window.releaseId} (closed ${window.closesAt})` };
  if (alarmColor !== window.liveColor) return { act: false, reason: `alarm is on the ${alarmColor} fleet; the fleet on probation is ${window.liveColor}` };
  const changed = previousFleetChanged(state, window);
  if (changed) return { act: false, reason: `${changed}: moving traffic there would release it` };
  // Traffic already on the previous fleet (an invocation that moved it and then failed) is not a reason to stop: the core skips the move.
  return { act: true, from: window.liveColor, to: window.previousColor, window, resume: false };
}

/** Replaceable in tests; the decision is about wall-clock time against the window. */
export const clock = { now: () => new Date() };

/**
 * Polling of the LiveColor update, and the time kept back from the function's timeout to carry the
 * capacity and log after it. Replaceable in tests.
 */
export const stackWait = { minDelaySeconds: 5, maxDelaySeconds: 15, reserveMs: 20_000 };

const cfn = new CloudFormationClient({});
const elb = new ElasticLoadBalancingV2Client({});
const ecs = new ECSClient({});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const capacity = new FleetCapacity(new ApplicationAutoScalingClient({}));

export async function handler(event: AlarmEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<AutoRollbackResult> {
  const parsed = alarmStateChangeSchema.safeParse(event?.detail);
  if (!parsed.success) {
    const reason = `not a CloudWatch alarm state change: ${parsed.error.issues[0]?.message ?? 'malformed detail'}`;
    log({ outcome: 'ignored', reason });
    return { outcome: 'ignored', reason };
  }
  const detail = parsed.data;
  const s = settings();
  const table = new ReleaseTable(doc, s.tableName);
  const state = await readStackState(cfn, s);
  const traffic = await productionTraffic(elb, state);
  const decision = decide({ alarmName: detail.alarmName, newState: detail.state.value, now: clock.now(), state, window: await table.readWindow(), traffic });
  if (!decision.act) {
    log({ outcome: 'ignored', alarm: detail.alarmName, reason: decision.reason });
    return { outcome: 'ignored', reason: decision.reason };
  }
  if (!decision.resume && traffic !== decision.to) {
    const counts = await serviceCounts(ecs, fleet(state, decision.to));
    if (counts.running < 1) {
      // Flipping to a fleet with no tasks would turn a degraded service into an outage.
      const reason = `the ${decision.to} fleet is cold (${counts.running}/${counts.desired} tasks); traffic stays, a human must decide`;
      log({ outcome: 'ignored', alarm: detail.alarmName, reason });
      return { outcome: 'ignored', reason };
    }
  }
  const steps: string[] = [];
  const remainingMs = () => context?.getRemainingTimeInMillis() ?? 60_000;
  const result = await rollBack(lambdaPorts(s, table, steps, remainingMs, event.id), {
    from: decision.from,
    to: decision.to,
    window: decision.window,
    actor: decision.resume ? (decision.window.rolledBackBy ?? 'auto-rollback') : `auto-rollback (alarm ${detail.alarmName})`,
    outcome: 'auto-rolled-back',
    reason: `alarm ${detail.alarmName} fired (${detail.state.reason ?? 'no reason given'})`,
    service: process.env[LAMBDA_ENV.serviceName] ?? state.name,
    environment: process.env[LAMBDA_ENV.environmentName] ?? '',
    rollbackWindowMinutes: 0,
  }, state);
  const reason = `traffic on the ${decision.to} fleet (from ${decision.from}); ${steps.join('; ')}`;
  log({ outcome: result.done ? 'rolled-back' : 'unfinished', alarm: detail.alarmName, releaseId: decision.window.releaseId, reason, problems: result.problems });
  if (!result.done) {
    // A function error: Lambda retries the same event (one and two minutes later), which resumes here.
    throw new Error(`rollback of release ${decision.window.releaseId} not finished: ${result.problems.join('; ') || reason}`);
  }
  return { outcome: decision.resume ? 'resumed' : 'rolled-back', reason };
}

/** The Lambda's side of the rollback core: the SDK's own retries, the function's time budget, one log line. */
function lambdaPorts(s: ReturnType<typeof settings>, table: ReleaseTable, steps: string[], remainingMs: () => number, eventId: string | undefined): RollbackPorts {
  const runner: StepRunner = async (id, _description, body) => {
    let note = 'done';
    const result = await body({ detail: (t) => (note = t), skip: (t) => (note = `skipped (${t})`) });
    steps.push(`${id}: ${note}`);
    return result;
  };
  return {
    elb,
    capacity,
    table,
    call: (_operation, _resource, fn) => fn(),
    runner,
    now: () => clock.now(),
    readStack: () => readStackState(cfn, s),
    warn: (text) => log({ level: 'ERROR', problem: text }),
    reconcile: async (state, to, moveId) => reconcileLiveColor(s, table, state, to, moveId, remainingMs, eventId),
  };
}

/** LiveColor=to as the narrow parameter-update role, waited for as long as this invocation can. */
async function reconcileLiveColor(
  s: ReturnType<typeof settings>,
  table: ReleaseTable,
  state: StackState,
  to: Color,
  moveId: string,
  remainingMs: () => number,
  eventId: string | undefined,
): Promise<ReconcileOutcome> {
  // UpdateStack is refused while the stack is *_IN_PROGRESS; the retry (or the CLI) reconciles later.
  if (isBusy(state.status)) return { kind: 'deferred', state, detail: `stack is ${state.status}` };
  if (state.status === 'UPDATE_ROLLBACK_FAILED') return { kind: 'failed', state, detail: 'stack is UPDATE_ROLLBACK_FAILED: ContinueUpdateRollback first' };
  const recorded = await recordLiveBounds(capacity, table, state, moveId, to, clock.now()).catch((error: Error) => `bounds not read (${error.name}: ${error.message})`);
  try {
    // One token per alarm event and target color: Lambda retries the same event (same id) after a
    // function error, and that retry must not start a second LiveColor update
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html: `id`, unique
    // per event). Without an id, the rollback move stands for the intent.
    await setParameters(cfn, state, { LiveColor: to }, s.updateRoleArn, requestToken(`auto-rollback-LiveColor-${to}`, [state.name, eventId ?? moveId]));
  } catch (error) {
    return { kind: 'failed', state, detail: `UpdateStack failed (${(error as Error).name}: ${(error as Error).message})` };
  }
  const seconds = Math.floor((remainingMs() - stackWait.reserveMs) / 1000);
  if (seconds <= stackWait.minDelaySeconds) return { kind: 'deferred', state, detail: `update started; scheduled capacity: ${recorded}; no time left to wait for it` };
  try {
    // waitFor stops at the first denied poll (the SDK waiter alone polls on until the time is up).
    const timing = { maxWaitSeconds: seconds, minDelaySeconds: stackWait.minDelaySeconds, maxDelaySeconds: stackWait.maxDelaySeconds };
    await waitFor(`stack ${state.name} to finish the LiveColor update`, timing, undefined, cfn, (cfg) => waitUntilStackUpdateComplete(cfg, { StackName: state.name }));
  } catch (error) {
    // A denied poll: reading the stack again would be denied too; a retry of the event tries again.
    if (error instanceof WaitAccessError) return { kind: 'failed', state, detail: error.message.slice(0, 300) };
    const after = await readStackState(cfn, s);
    if (error instanceof WaitTimeoutError) return { kind: 'deferred', state: after, detail: 'the stack update did not finish in time' };
    const e = error as Error;
    return { kind: 'failed', state: after, detail: (error instanceof WaitFailedError ? error.reason : e.message).slice(0, 300) };
  }
  return { kind: 'done', state: await readStackState(cfn, s), detail: `LiveColor=${to}; scheduled capacity: ${recorded}` };
}
