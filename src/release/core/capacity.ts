import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { Color, fleet, FleetRefs, StackState } from './stack-state';
import { CapacityCarry, ReleaseTable } from './table';

/**
 * Scheduled capacity across a change of the live color. A swap (or a rollback's LiveColor update)
 * is a stack update, and CloudFormation registers the new live fleet's scalable target with the
 * template's bounds (`minTasks`..`maxTasks`), not with what the last scheduled action set: inside
 * a scheduled period (`morning-push`: min 10) the new live fleet would run at the config minimum
 * until the next action. So the live fleet's bounds are read before the update and recorded
 * (`capacity/carry` item), and applied to the new live fleet after it, each bound only raised,
 * as a scheduled action would; the next scheduled action takes over from there.
 *
 * Shared by the CLI (which passes its retrying caller) and the auto-rollback Lambda.
 */

export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/**
 * How long a reading may be carried. A run resumed later than this finds a reading a scheduled
 * action may have overtaken since; it leaves the bounds to the next action instead (the lock's
 * lease: one run's longest wait).
 */
export const CARRY_VALID_MS = 45 * 60_000;

export type CapacityCaller = <T>(operation: string, resource: string, fn: () => Promise<T>) => Promise<T>;

const direct: CapacityCaller = (_operation, _resource, fn) => fn();
const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

/** The move of a rollback of the release whose window this is (the CLI and the auto-rollback Lambda agree on it). */
export function rollbackMoveId(releaseId: string | undefined): string {
  return `${releaseId ?? 'manual'}.rollback`;
}

/** The Application Auto Scaling resource id of a fleet's ECS service. */
export function scalableTargetId(f: FleetRefs): string {
  return `service/${f.clusterName}/${f.serviceName}`;
}

/** The fleets' scalable targets (ECS desired count). */
export class FleetCapacity {
  constructor(
    private readonly client: ApplicationAutoScalingClient,
    private readonly call: CapacityCaller = direct,
  ) {}

  async read(f: FleetRefs): Promise<Bounds | undefined> {
    const id = scalableTargetId(f);
    const out = await this.call('DescribeScalableTargets', `scalable target ${id}`, () =>
      this.client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [id], ScalableDimension: ECS_DESIRED_COUNT })),
    );
    const target = out.ScalableTargets?.[0];
    if (target?.MinCapacity === undefined || target.MaxCapacity === undefined) return undefined;
    return { min: target.MinCapacity, max: target.MaxCapacity };
  }

  /** Sets the bounds of an existing target (what a scheduled action does). */
  async register(f: FleetRefs, bounds: Bounds): Promise<void> {
    const id = scalableTargetId(f);
    await this.call('RegisterScalableTarget', `scalable target ${id}`, () =>
      this.client.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: ECS_DESIRED_COUNT, MinCapacity: bounds.min, MaxCapacity: bounds.max })),
    );
  }
}

/** The bounds the new live fleet needs: each raised to the old live fleet's, never lowered; undefined when they already hold. */
export function carriedBounds(carried: Bounds, current: Bounds): Bounds | undefined {
  const wanted = { min: Math.max(carried.min, current.min), max: Math.max(carried.max, current.max) };
  return wanted.min === current.min && wanted.max === current.max ? undefined : wanted;
}

function describe(b: Bounds): string {
  return `min ${b.min}, max ${b.max}`;
}

/**
 * Before a stack update that makes `to` live: records the live fleet's current bounds for the
 * move. Nothing to record once `to` is already live (the update happened: the bounds read now
 * would be the template's). Returns what it did, for the step output.
 */
export async function recordLiveBounds(capacity: FleetCapacity, table: ReleaseTable, state: StackState, moveId: string, to: Color, now: Date): Promise<string> {
  if (state.liveColor === to) return `LiveColor is already ${to}`;
  const from = fleet(state, state.liveColor);
  const bounds = await capacity.read(from);
  if (!bounds) return `the ${from.color} fleet has no scalable target (${scalableTargetId(from)})`;
  const carry: CapacityCarry = { moveId, fromColor: from.color, toColor: to, minTasks: bounds.min, maxTasks: bounds.max, readAt: now.toISOString() };
  await table.putCarry(carry);
  return `the ${from.color} fleet's bounds before the move: ${describe(bounds)}`;
}

export type CarryOutcome = { readonly applied: true; readonly detail: string } | { readonly applied: false; readonly detail: string };

/**
 * After the stack update of `moveId` finished: gives the new live fleet the bounds recorded
 * before it, where they are above what CloudFormation set. Idempotent: a re-run finds them set.
 */
export async function carryLiveBounds(capacity: FleetCapacity, table: ReleaseTable, state: StackState, moveId: string, now: Date): Promise<CarryOutcome> {
  const carry = await table.readCarry();
  if (carry?.moveId !== moveId) return { applied: false, detail: 'no bounds recorded for this move' };
  if (state.liveColor !== carry.toColor) return { applied: false, detail: `LiveColor is ${state.liveColor}, not ${carry.toColor}: nothing to carry` };
  const recorded = { min: carry.minTasks, max: carry.maxTasks };
  const age = now.getTime() - Date.parse(carry.readAt);
  if (!(age <= CARRY_VALID_MS)) {
    return { applied: false, detail: `the ${carry.fromColor} fleet's bounds (${describe(recorded)}) were read at ${carry.readAt}, too long ago to be current; the next scheduled action sets them` };
  }
  const to = fleet(state, carry.toColor);
  const current = await capacity.read(to);
  if (!current) return { applied: false, detail: `the ${to.color} fleet has no scalable target (${scalableTargetId(to)})` };
  const wanted = carriedBounds(recorded, current);
  if (!wanted) return { applied: false, detail: `the ${to.color} fleet's ${describe(current)} already cover the ${carry.fromColor} fleet's ${describe(recorded)}` };
  await capacity.register(to, wanted);
  return { applied: true, detail: `the ${to.color} fleet keeps the ${carry.fromColor} fleet's scheduled bounds: ${describe(current)} -> ${describe(wanted)} (RegisterScalableTarget; the next scheduled action takes over)` };
}
