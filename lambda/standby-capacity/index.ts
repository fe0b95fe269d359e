import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { FleetCapacity } from '../../src/release/core/capacity';
import { COOL_RETRIES, COOL_RETRY_MINUTES, standbyCapacityRequestSchema } from '../../constructs/contract';
import type { StandbyCapacityRequest, StandbyCapacityResult } from '../../constructs/contract';
import { requestToken } from '../../src/release/core/request-token';
import { productionTraffic } from '../../src/release/core/traffic';
import { fleet, isBusy, isColor, StackState } from '../../src/release/core/stack-state';
import { isPendingStale } from '../../src/release/core/pending';
import { isLockActive, PendingRelease, ReleaseTable, WindowItem } from '../../src/release/core/table';
import { warmStandbySize } from '../../src/release/core/standby-size';
import { oneTimeSchedule, stackScheduleName } from '../../src/release/core/one-time-schedule';
import { log, readStackState, serviceCounts, setParameters, settings } from '../shared/stack';

/**
 * Sets the standby fleet's minimum (`StandbyMinTasks`) on a schedule: `warm` before a release
 * window (the live fleet's size), `cool` when a rollback window closes, `cool-if-idle` after a
 * release window in which nothing was released. It never acts while a release holds the lock
 * or the stack is changing, and `cool` only while the live color is still the one it was
 * scheduled for: a later release owns the standby then.
 */

/** A `cool` that fires a little early (schedules have one-second resolution) still counts. */
const WINDOW_GRACE_MS = 60_000;

/** Replaceable in tests. */
export const clock = { now: () => new Date() };

const cfn = new CloudFormationClient({});
const ecs = new ECSClient({});
const elb = new ElasticLoadBalancingV2Client({});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const capacity = new FleetCapacity(new ApplicationAutoScalingClient({}));
const scheduler = new SchedulerClient({});

/**
 * The release a `cool-if-idle` must leave alone (`waiting`): one that warmed the standby with its
 * new image inside the release window (pre-warm included) and waits for its swap. Once swapped,
 * the rollback window's own schedule cools the previous fleet; once rolled back, it is over; once
 * past its `staleAt` (an aborted or abandoned deploy), it is ignored (`stale`, said in the answer).
 */
async function pendingOnStandby(
  table: ReleaseTable,
  state: StackState,
  event: StandbyCapacityRequest,
  window: WindowItem | undefined,
  now: Date,
): Promise<{ waiting?: PendingRelease; stale?: PendingRelease }> {
  if (event.action !== 'cool-if-idle' || typeof event.windowMinutes !== 'number' || !(event.windowMinutes > 0)) return {};
  const pending = await table.readPending();
  if (!pending || pending.toColor !== state.standbyColor) return {};
  if (window?.releaseId === pending.releaseId && window.rolledBack) return {};
  if (isPendingStale(pending, now)) return { stale: pending };
  return Date.parse(pending.startedAt) >= now.getTime() - event.windowMinutes * 60_000 ? { waiting: pending } : {};
}

export async function handler(event: StandbyCapacityRequest): Promise<StandbyCapacityResult> {
  const result = await decideAndAct(event);
  if (result.outcome === 'refused') {
    // Loudly: a function error counts in the Lambda's Errors metric and keeps the event for its retries.
    log({ level: 'ERROR', ...result });
    throw new Error(`standby-capacity ${result.action} refused: ${result.reason}`);
  }
  log({ ...result });
  return result;
}

async function decideAndAct(event: StandbyCapacityRequest): Promise<StandbyCapacityResult> {
  const action = event?.action;
  const parsed = standbyCapacityRequestSchema.safeParse(event);
  if (!parsed.success) {
    if (action !== 'warm' && action !== 'cool' && action !== 'cool-if-idle') {
      return { action, outcome: 'skipped', reason: `unknown action ${JSON.stringify(action)}; use warm, cool or cool-if-idle` };
    }
    if (action === 'cool') return { action, outcome: 'skipped', reason: `cool needs expectLiveColor blue or green, got ${JSON.stringify((event as { expectLiveColor?: unknown }).expectLiveColor)}` };
    return { action, outcome: 'skipped', reason: `malformed ${action} request: ${parsed.error.issues[0]?.message}` };
  }
  event = parsed.data;
  const s = settings();
  const now = clock.now();
  const table = new ReleaseTable(doc, s.tableName);
  const state = await readStackState(cfn, s);
  const skip = (reason: string): StandbyCapacityResult => ({ action, outcome: 'skipped', reason, standbyMinTasks: state.standbyMinTasks });
  // A busy stack or a held lock passes; the one-time schedule that invoked this run does not come
  // back, so a cool-down schedules itself again (warm needs no retry: a release warms its own).
  const later = (reason: string) => (event.action === 'warm' ? Promise.resolve(skip(reason)) : retryLater(event, state, now, reason));
  if (isBusy(state.status)) return later(`stack ${state.name} is ${state.status}`);
  // The standby is the fleet production traffic does NOT go to. After an auto-rollback whose
  // reconcile failed, LiveColor still names the bad fleet and its "standby" serves production:
  // lowering it would take capacity from live traffic.
  const traffic = await productionTraffic(elb, state);
  if (traffic !== state.liveColor) {
    return {
      action,
      outcome: 'refused',
      reason: `production traffic goes to the ${traffic ?? 'neither'} fleet but LiveColor says ${state.liveColor}: the fleet LiveColor calls standby may be serving; run \`bluegreen-fleet rollback\` to reconcile, nothing changed`,
      standbyMinTasks: state.standbyMinTasks,
    };
  }
  const lock = await table.readLock();
  if (isLockActive(lock, now)) return later(`a release by ${lock.owner} holds the lock since ${lock.acquiredAt}`);
  const window = await table.readWindow();
  const windowOpen = window !== undefined && Date.parse(window.closesAt) - WINDOW_GRACE_MS > now.getTime();

  let target: number;
  let note: string | undefined;
  if (action === 'warm') {
    // Sized to take the live fleet's traffic (warmStandbySize): its desired count and scheduled
    // minimum, within its maximum now. A cold standby's scalable target is 0..0 (BlueGreenService),
    // so its own MaxCapacity says nothing about how far it may warm: ReleaseSupport hands the
    // service's maxTasks over as MAX_TASKS (without it, the live fleet's maximum is the only cap).
    const live = fleet(state, state.liveColor);
    const [counts, bounds] = await Promise.all([serviceCounts(ecs, live), capacity.read(live)]);
    const maxTasks = Number(process.env.MAX_TASKS);
    const warm = warmStandbySize({ desired: counts.desired, bounds }, state.standbyMinTasks, Number.isInteger(maxTasks) && maxTasks > 0 ? maxTasks : undefined);
    target = warm.size;
    note = warm.note;
  } else if (action === 'cool') {
    if (!isColor(event.expectLiveColor)) return skip(`cool needs expectLiveColor blue or green, got ${JSON.stringify(event.expectLiveColor)}`);
    const rolledBackHere = window?.rolledBack === true && window.liveColor === state.liveColor;
    if (state.liveColor !== event.expectLiveColor && !rolledBackHere) {
      return skip(`the live color is ${state.liveColor}, not ${event.expectLiveColor}: a later swap owns the standby`);
    }
    if (windowOpen) return skip(`a rollback window is open until ${window.closesAt}`);
    target = 0;
  } else {
    if (windowOpen) return skip(`a rollback window is open until ${window.closesAt}; its own schedule cools the standby`);
    const { waiting, stale } = await pendingOnStandby(table, state, event, window, now);
    if (waiting) {
      const until = waiting.staleAt ? ` (kept warm until ${waiting.staleAt})` : '';
      return skip(`release ${waiting.releaseId} prepared the ${waiting.toColor} fleet at ${waiting.startedAt}, in this release window, and has not swapped yet${until}`);
    }
    if (stale) note = `ignored release ${stale.releaseId}, which prepared the ${stale.toColor} fleet at ${stale.startedAt} and did not swap: stale since ${stale.staleAt}`;
    target = 0;
  }
  // Scheduler requests carry no event id, and a recurring schedule sends the same input every
  // time: the token names the action, its target and the stack state it was decided on (status
  // and last update). A retry of this invocation that finds the stack as it was sends the same
  // token; once an update ran (or rolled back), the next decision gets a new one.
  const token = requestToken(`standby-${action}-${target}`, [state.name, action, target, state.status, state.lastChange?.toISOString(), event.action === 'warm' ? undefined : event.retriesLeft]);
  const outcome = await setParameters(cfn, state, { StandbyMinTasks: String(target) }, s.updateRoleArn, token);
  const reason = outcome === 'updated' ? `StandbyMinTasks ${state.standbyMinTasks} -> ${target}` : `StandbyMinTasks already ${target}`;
  return { action, outcome, reason: note ? `${reason} (${note})` : reason, standbyMinTasks: target };
}

/**
 * Schedules `event` again COOL_RETRY_MINUTES from now, with one retry fewer. EventBridge Scheduler
 * deletes a one-time schedule once it has invoked its target and invokes a Lambda asynchronously
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html), so a run that
 * returns after a transient skip would otherwise leave the standby warm for good. Out of retries,
 * it refuses (an error in the function's metrics): a person must cool the standby.
 */
async function retryLater(event: Exclude<StandbyCapacityRequest, { action: 'warm' }>, state: StackState, now: Date, reason: string): Promise<StandbyCapacityResult> {
  const left = event.retriesLeft ?? COOL_RETRIES;
  if (left <= 0) {
    return { action: event.action, outcome: 'refused', reason: `${reason}, and no retry is left: set StandbyMinTasks=0 when the stack is idle (docs/release.md)`, standbyMinTasks: state.standbyMinTasks };
  }
  const when = new Date(now.getTime() + COOL_RETRY_MINUTES * 60_000);
  // One name per minute: the schedule that invoked this run may not be deleted yet.
  const name = stackScheduleName(state, `-retry-${when.toISOString().slice(0, 16).replace(/[-:]/g, '')}`);
  const definition = oneTimeSchedule(state, name, when, { ...event, retriesLeft: left - 1 }, `Retry ${event.action} of ${state.name}`);
  try {
    await scheduler.send(new CreateScheduleCommand(definition));
  } catch (error) {
    // A retried invocation of this same run already created it.
    if ((error as { name?: string }).name !== 'ConflictException') throw error;
  }
  return { action: event.action, outcome: 'skipped', reason: `${reason}; runs again at ${when.toISOString()} (schedule ${name}, ${left - 1} retries left)`, standbyMinTasks: state.standbyMinTasks };
}
