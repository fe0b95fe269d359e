import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StandbyCapacityRequest, StandbyCapacityResult } from '../../src/release/payloads';
import { fleet, isBusy, isColor } from '../../src/release/stack-state';
import { isLockActive, ReleaseTable } from '../../src/release/table';
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
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export async function handler(event: StandbyCapacityRequest): Promise<StandbyCapacityResult> {
  const result = await decideAndAct(event);
  log({ ...result });
  return result;
}

async function decideAndAct(event: StandbyCapacityRequest): Promise<StandbyCapacityResult> {
  const action = event?.action;
  if (action !== 'warm' && action !== 'cool' && action !== 'cool-if-idle') {
    return { action, outcome: 'skipped', reason: `unknown action ${JSON.stringify(action)}; use warm, cool or cool-if-idle` };
  }
  const s = settings();
  const now = clock.now();
  const table = new ReleaseTable(doc, s.tableName);
  const state = await readStackState(cfn, s);
  const skip = (reason: string): StandbyCapacityResult => ({ action, outcome: 'skipped', reason, standbyMinTasks: state.standbyMinTasks });
  if (isBusy(state.status)) return skip(`stack ${state.name} is ${state.status}`);
  const lock = await table.readLock();
  if (isLockActive(lock, now)) return skip(`a release by ${lock.owner} holds the lock since ${lock.acquiredAt}`);
  const window = await table.readWindow();
  const windowOpen = window !== undefined && Date.parse(window.closesAt) - WINDOW_GRACE_MS > now.getTime();

  let target: number;
  if (action === 'warm') {
    const live = await serviceCounts(ecs, fleet(state, state.liveColor));
    target = Math.max(1, live.desired, live.running, state.standbyMinTasks);
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
    target = 0;
  }
  const outcome = await setParameters(cfn, state, { StandbyMinTasks: String(target) });
  return { action, outcome, reason: outcome === 'updated' ? `StandbyMinTasks ${state.standbyMinTasks} -> ${target}` : `StandbyMinTasks already ${target}`, standbyMinTasks: target };
}
