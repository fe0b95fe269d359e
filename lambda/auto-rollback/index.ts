import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, waitUntilStackUpdateComplete } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { summarizeWaiterFailure } from '../../src/aws/waiters';
import { carryLiveBounds, FleetCapacity, recordLiveBounds, rollbackMoveId } from '../../src/release/core/capacity';
import type { AutoRollbackResult } from '../../contract';
import { Color, COLORS, colorOfTargetGroup, fleet, forwardTarget, isBusy, previousFleetChanged, requireOutput, StackState } from '../../src/release/core/stack-state';
import { isWindowOpen, ReleaseTable, WindowItem } from '../../src/release/core/table';
import { log, readStackState, serviceCounts, setParameters, settings } from '../shared/stack';

/**
 * Automatic rollback in the cloud: an alarm of the new live fleet that fires while the rollback
 * window is open moves production traffic back to the still-warm previous fleet with one ELB
 * call, records it, and runs the stack update that makes LiveColor agree; once that finished, the
 * fleet now live keeps the scheduled bounds the other had (src/release/core/capacity.ts). No CI job
 * involved.
 */

export interface AlarmStateChange {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string; readonly timestamp?: string };
}

export type AlarmEvent = EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChange>;

export type Decision = { readonly act: true; readonly from: Color; readonly to: Color; readonly window: WindowItem } | { readonly act: false; readonly reason: string };

/** Whether an alarm state change should roll traffic back (pure: the tests drive it directly). */
export function decide(input: { alarmName: string; newState: string; now: Date; state: StackState; window?: WindowItem; traffic?: Color }): Decision {
  const { alarmName, newState, now, state, window, traffic } = input;
  if (newState !== 'ALARM') return { act: false, reason: `alarm ${alarmName} went to ${newState}, not ALARM` };
  const alarmColor = COLORS.find((c) => fleet(state, c).alarmNames.includes(alarmName));
  if (!alarmColor) return { act: false, reason: `alarm ${alarmName} belongs to neither fleet of ${state.name}` };
  if (!window) return { act: false, reason: 'no rollback window was ever opened' };
  if (window.rolledBack) return { act: false, reason: `release ${window.releaseId} was already rolled back at ${window.rolledBackAt}` };
  if (!isWindowOpen(window, now)) return { act: false, reason: `outside the rollback window of release ${window.releaseId} (closed ${window.closesAt})` };
  if (alarmColor !== window.liveColor) return { act: false, reason: `alarm is on the ${alarmColor} fleet; the fleet on probation is ${window.liveColor}` };
  if (traffic !== undefined && traffic !== window.liveColor) return { act: false, reason: `production traffic already goes to the ${traffic} fleet` };
  const changed = previousFleetChanged(state, window);
  if (changed) return { act: false, reason: `${changed}: moving traffic there would release it` };
  return { act: true, from: window.liveColor, to: window.previousColor, window };
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
  const s = settings();
  const now = clock.now();
  const table = new ReleaseTable(doc, s.tableName);
  const state = await readStackState(cfn, s);
  const listenerArn = requireOutput(state, 'ProductionListenerArn', 'to move traffic');
  const listeners = await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const traffic = colorOfTargetGroup(state, forwardTarget(listeners.Listeners?.[0]?.DefaultActions));
  const decision = decide({ alarmName: event.detail.alarmName, newState: event.detail.state.value, now, state, window: await table.readWindow(), traffic });
  if (!decision.act) {
    log({ outcome: 'ignored', alarm: event.detail.alarmName, reason: decision.reason });
    return { outcome: 'ignored', reason: decision.reason };
  }
  const previous = fleet(state, decision.to);
  const counts = await serviceCounts(ecs, previous);
  if (counts.running < 1) {
    // Flipping to a fleet with no tasks would turn a degraded service into an outage.
    const reason = `the ${decision.to} fleet is cold (${counts.running}/${counts.desired} tasks); traffic stays, a human must decide`;
    log({ outcome: 'ignored', alarm: event.detail.alarmName, reason });
    return { outcome: 'ignored', reason };
  }
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: previous.targetGroupArn }] }));
  const by = `auto-rollback (alarm ${event.detail.alarmName})`;
  await table.markRolledBack(decision.window.releaseId, by, now);
  const from = fleet(state, decision.from);
  await table.putHistory({
    at: decision.window.swappedAt,
    id: `${decision.window.releaseId}.rollback`,
    service: process.env.SERVICE_NAME ?? state.name,
    environment: process.env.ENVIRONMENT_NAME ?? '',
    fromColor: decision.from,
    toColor: decision.to,
    oldImage: from.image,
    newImage: previous.image,
    oldAmi: from.ami,
    newAmi: previous.ami,
    actor: by,
    outcome: 'auto-rolled-back',
    detail: `alarm ${event.detail.alarmName} fired (${event.detail.state.reason ?? 'no reason given'}); traffic moved at ${now.toISOString()}`,
  });
  const remainingMs = () => context?.getRemainingTimeInMillis() ?? 60_000;
  const reconcile = await reconcileLiveColor(state, decision.to, { table, moveId: rollbackMoveId(decision.window.releaseId), remainingMs });
  const reason = `traffic moved from ${decision.from} to ${decision.to}; LiveColor reconcile ${reconcile}`;
  log({ outcome: 'rolled-back', alarm: event.detail.alarmName, releaseId: decision.window.releaseId, reason });
  return { outcome: 'rolled-back', reason };
}

interface Move {
  readonly table: ReleaseTable;
  readonly moveId: string;
  readonly remainingMs: () => number;
}

/**
 * Traffic has already moved; a failed reconcile is reported, not retried (the CLI finishes it).
 * The live fleet's bounds are read before the update and carried to the other fleet after it.
 */
async function reconcileLiveColor(state: StackState, to: Color, move: Move): Promise<string> {
  if (isBusy(state.status)) return `skipped: stack is ${state.status}; \`bluegreen-fleet rollback\` reconciles`;
  const recorded = await recordLiveBounds(capacity, move.table, state, move.moveId, to, clock.now()).catch((error: Error) => `bounds not read (${error.name}: ${error.message})`);
  let update: string;
  try {
    update = await setParameters(cfn, state, { LiveColor: to }, settings().updateRoleArn);
  } catch (error) {
    return `failed (${(error as Error).name}: ${(error as Error).message}); \`bluegreen-fleet rollback\` reconciles`;
  }
  return `${update}; scheduled capacity: ${recorded}; ${await carryAfterUpdate(state.name, move)}`;
}

async function carryAfterUpdate(stackName: string, move: Move): Promise<string> {
  const later = '`bluegreen-fleet rollback` carries it';
  const seconds = Math.floor((move.remainingMs() - stackWait.reserveMs) / 1000);
  if (seconds <= stackWait.minDelaySeconds) return `not carried: no time left to wait for the stack update; ${later}`;
  try {
    await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: seconds, minDelay: stackWait.minDelaySeconds, maxDelay: stackWait.maxDelaySeconds }, { StackName: stackName });
    const outcome = await carryLiveBounds(capacity, move.table, await readStackState(cfn, settings()), move.moveId, clock.now());
    return outcome.detail;
  } catch (error) {
    const e = error as Error;
    const why = e.name === 'TimeoutError' ? 'the stack update did not finish in time' : summarizeWaiterFailure(e.message).slice(0, 300);
    return `not carried (${why}); ${later}`;
  }
}
