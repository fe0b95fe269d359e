import { DescribeListenersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Color, colorOfTargetGroup, fleet, FleetRefs, forwardTarget, requireOutput, StackState } from './stack-state';

/**
 * Where production traffic really goes, and the ONE function that moves it by API (the fast
 * path of every rollback, CLI and Lambda alike). A swap moves it by template (`LiveColor`), which
 * CloudFormation applies to the same listener.
 */

export type Caller = <T>(operation: string, resource: string, fn: () => Promise<T>) => Promise<T>;
const direct: Caller = (_operation, _resource, fn) => fn();

/** The color the production listener forwards to (the truth, whatever LiveColor says); undefined when neither fleet. */
export async function productionTraffic(elb: ElasticLoadBalancingV2Client, state: StackState, call: Caller = direct): Promise<Color | undefined> {
  const listenerArn = requireOutput(state, 'ProductionListenerArn', 'to see where traffic goes');
  const out = await call('DescribeListeners', `production listener ${listenerArn}`, () => elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })));
  return colorOfTargetGroup(state, forwardTarget(out.Listeners?.[0]?.DefaultActions));
}

/**
 * Points the production listener's default action at `color`'s target group: one ModifyListener
 * call, effective for new requests within seconds. Replacing DefaultActions replaces the whole
 * action list (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html).
 */
export async function moveProductionTraffic(elb: ElasticLoadBalancingV2Client, state: StackState, color: Color, call: Caller = direct): Promise<void> {
  const listenerArn = requireOutput(state, 'ProductionListenerArn', 'to move traffic');
  const targetGroupArn = fleet(state, color).targetGroupArn;
  await call('ModifyListener', `production listener ${listenerArn}`, () =>
    elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] })),
  );
}

export interface TargetCounts {
  readonly healthy: number;
  readonly total: number;
  /** Count per state (healthy, initial, unhealthy, draining, unused, ...). */
  readonly states: Readonly<Record<string, number>>;
}

/**
 * The health of a fleet's targets. States per
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 * (initial, healthy, unhealthy, unhealthy.draining, unused, draining, unavailable).
 */
export async function targetHealth(elb: ElasticLoadBalancingV2Client, f: FleetRefs, call: Caller = direct): Promise<TargetCounts> {
  const out = await call('DescribeTargetHealth', `target group ${f.targetGroupArn}`, () => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: f.targetGroupArn })));
  const states: Record<string, number> = {};
  for (const d of out.TargetHealthDescriptions ?? []) {
    const state = d.TargetHealth?.State ?? 'unknown';
    states[state] = (states[state] ?? 0) + 1;
  }
  return { healthy: states.healthy ?? 0, total: out.TargetHealthDescriptions?.length ?? 0, states };
}

export function describeTargetStates(targets: TargetCounts): string {
  return (
    Object.entries(targets.states)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || 'no targets'
  );
}
