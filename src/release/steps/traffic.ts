import { productionTraffic } from '../core/traffic';
import { Color, StackState } from '../core/stack-state';
import { call, ReleaseContext } from '../runtime/context';

/** Which fleet the production listener really sends traffic to (the truth, whatever LiveColor says). */
export function trafficColor(ctx: ReleaseContext, state: StackState): Promise<Color | undefined> {
  return productionTraffic(ctx.clients.elb, state, (operation, resource, fn) => call(ctx, operation, resource, fn));
}
