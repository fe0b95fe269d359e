import { DescribeListenersCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { call, ReleaseContext } from '../runtime/context';
import { Color, colorOfTargetGroup, fleet, forwardTarget, requireOutput, StackState } from '../core/stack-state';

/** Which fleet the production listener really sends traffic to (the truth, whatever LiveColor says). */
export async function trafficColor(ctx: ReleaseContext, state: StackState): Promise<Color | undefined> {
  const listenerArn = requireOutput(state, 'ProductionListenerArn', 'to see where traffic goes');
  const out = await call(ctx, 'DescribeListeners', `production listener ${listenerArn}`, () =>
    ctx.clients.elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
  );
  return colorOfTargetGroup(state, forwardTarget(out.Listeners?.[0]?.DefaultActions));
}

/**
 * The fast path: one ModifyListener call points the production listener at `color`'s target
 * group. The stack's LiveColor must be reconciled afterwards (its template says the same thing,
 * so the next stack update sees no drift).
 */
export async function pointProductionAt(ctx: ReleaseContext, state: StackState, color: Color): Promise<void> {
  const listenerArn = requireOutput(state, 'ProductionListenerArn', 'to move traffic');
  const targetGroupArn = fleet(state, color).targetGroupArn;
  await call(ctx, 'ModifyListener', `production listener ${listenerArn}`, () =>
    ctx.clients.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] })),
  );
}
