import type { Ecs } from './ecs';
import { awsError } from './errors';

/**
 * Application Auto Scaling's scalable targets of the ECS services.
 *
 * Registering (or updating) a target moves the current capacity into the new range, and only
 * into it: a count below the new minimum is raised to it, one above the new maximum lowered to
 * it, and a count inside the range is left alone. So lowering a minimum never lowers the count.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
 * Scheduled actions do the same with their bounds when they run.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 */

export interface ScalableTarget {
  readonly namespace: string;
  readonly resourceId: string;
  readonly dimension: string;
  min: number;
  max: number;
  scheduledActions: any[];
}

export class ApplicationAutoScaling {
  readonly targets = new Map<string, ScalableTarget>();

  constructor(private readonly ecs: Ecs) {}

  private key(ns: string, id: string, dim: string): string {
    return `${ns}|${id}|${dim}`;
  }

  target(resourceId: string, namespace = 'ecs', dimension = 'ecs:service:DesiredCount'): ScalableTarget | undefined {
    return this.targets.get(this.key(namespace, resourceId, dimension));
  }

  /**
   * A new target needs both bounds; an update changes only the bounds it names. A minimum above
   * the maximum is refused.
   */
  register(input: { ServiceNamespace: string; ResourceId: string; ScalableDimension: string; MinCapacity?: number; MaxCapacity?: number }): ScalableTarget {
    const k = this.key(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
    const existing = this.targets.get(k);
    if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
      throw awsError('ValidationException', 'MinCapacity and MaxCapacity are required for registering a new scalable target', 400);
    }
    const min = input.MinCapacity ?? existing!.min;
    const max = input.MaxCapacity ?? existing!.max;
    if (min > max) throw awsError('ValidationException', `Minimum capacity cannot be greater than maximum capacity`, 400);
    const svc = input.ServiceNamespace === 'ecs' ? this.ecs.byResourceId(input.ResourceId) : undefined;
    if (input.ServiceNamespace === 'ecs' && !svc) throw awsError('ValidationException', `ECS service doesn't exist: ${input.ResourceId}`, 400);
    const t: ScalableTarget = existing ?? { namespace: input.ServiceNamespace, resourceId: input.ResourceId, dimension: input.ScalableDimension, min, max, scheduledActions: [] };
    t.min = min;
    t.max = max;
    this.targets.set(k, t);
    this.clampCapacity(t);
    return t;
  }

  /** A scheduled action runs: its bounds become the target's, and the count moves into them. */
  runScheduledAction(t: ScalableTarget, bounds: { min?: number; max?: number }): void {
    if (bounds.min !== undefined) t.min = bounds.min;
    if (bounds.max !== undefined) t.max = bounds.max;
    this.clampCapacity(t);
  }

  /**
   * What a scaling policy would do, within the target's range (the model has no load, so no
   * policy acts on its own: assumed, documented in the README).
   */
  scaleTo(t: ScalableTarget, n: number): void {
    const svc = this.ecs.byResourceId(t.resourceId)!;
    this.ecs.setDesired(svc, Math.min(t.max, Math.max(t.min, n)));
  }

  private clampCapacity(t: ScalableTarget): void {
    const svc = t.namespace === 'ecs' ? this.ecs.byResourceId(t.resourceId) : undefined;
    if (!svc) return;
    const clamped = Math.min(t.max, Math.max(t.min, svc.desiredCount));
    if (clamped !== svc.desiredCount) this.ecs.setDesired(svc, clamped);
  }

  // --- the API ---

  describeScalableTargets(input: { ServiceNamespace: string; ResourceIds?: string[]; ScalableDimension?: string }) {
    const all = [...this.targets.values()].filter(
      (t) => t.namespace === input.ServiceNamespace && (!input.ResourceIds || input.ResourceIds.includes(t.resourceId)) && (!input.ScalableDimension || t.dimension === input.ScalableDimension),
    );
    return { ScalableTargets: all.map((t) => ({ ServiceNamespace: t.namespace, ResourceId: t.resourceId, ScalableDimension: t.dimension, MinCapacity: t.min, MaxCapacity: t.max })) };
  }

  describeScheduledActions(input: { ServiceNamespace: string; ResourceId?: string }) {
    const all = [...this.targets.values()].filter((t) => t.namespace === input.ServiceNamespace && (!input.ResourceId || t.resourceId === input.ResourceId));
    return {
      ScheduledActions: all.flatMap((t) =>
        t.scheduledActions.map((a) => ({
          ScheduledActionName: a.ScheduledActionName,
          ServiceNamespace: t.namespace,
          ResourceId: t.resourceId,
          ScalableDimension: t.dimension,
          Schedule: a.Schedule,
          Timezone: a.Timezone,
          ScalableTargetAction: a.ScalableTargetAction,
        })),
      ),
    };
  }
}
