import type { Timeline } from './clock';
import type { ModelStack, Operation, StackResource } from './cfn-stack';
import { Completion, kindOf } from './resources';

/**
 * How CloudFormation carries out an update, on the model's clock.
 *
 * UPDATE_IN_PROGRESS: resources whose resolved properties changed are updated one after another
 * in dependency order (each UPDATE_IN_PROGRESS then UPDATE_COMPLETE, or replaced: a new physical
 * resource, the old one deleted in cleanup); then UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; then
 * UPDATE_COMPLETE. When a resource fails (UPDATE_FAILED with the root cause, visible only in the
 * stack events), the stack goes UPDATE_ROLLBACK_IN_PROGRESS with the generic reason
 * "The following resource(s) failed to update: [X].", restores every resource it had changed, in
 * reverse order, to its previous properties (a listener gets its previous target group back),
 * then UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS and UPDATE_ROLLBACK_COMPLETE. A restore that
 * fails leaves UPDATE_ROLLBACK_FAILED, from which only ContinueUpdateRollback moves on.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#stack-status-codes
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ContinueUpdateRollback.html
 */

export interface CfnTimings {
  /** assumed: between one resource finishing and CloudFormation starting the next. */
  stepMs: number;
  /** assumed: the cleanup phase of an update or a rollback. */
  cleanupMs: number;
  /** assumed: a resource update that nothing waits for. */
  defaultResourceMs: number;
}

/** An injected resource failure: the update (or the restore) of matching resources fails. */
export interface ResourceFailure {
  readonly stack: string;
  readonly matches: (logicalId: string, type: string) => boolean;
  readonly reason: string;
  readonly phase: 'update' | 'rollback';
  times: number;
}

export interface RoleDenial {
  readonly roleArn: string;
  readonly types: readonly string[];
  readonly action: string;
}

export class CfnEngine {
  readonly failures: ResourceFailure[] = [];
  readonly denials: RoleDenial[] = [];

  constructor(
    private readonly timeline: Timeline,
    readonly timings: CfnTimings,
  ) {}

  /** Starts an update the API already validated; the stack's template and parameters are the new ones. */
  start(stack: ModelStack, op: Operation): void {
    stack.operation = op;
    if (op.token) stack.tokens.push(op.token);
    stack.lastUpdatedTime = new Date(stack.world.now());
    stack.setStatus('UPDATE_IN_PROGRESS', 'User Initiated');
    this.timeline.after(this.timings.stepMs, `${stack.name}: update`, () => this.next(stack, op, stack.order(), 0));
  }

  /**
   * CancelUpdateStack: only while UPDATE_IN_PROGRESS; the resource in progress is marked
   * "Resource update cancelled" and the stack rolls back what it changed.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CancelUpdateStack.html
   */
  cancel(stack: ModelStack): void {
    const op = stack.operation!;
    op.cancelled = true;
    const r = op.current ? stack.resources.get(op.current) : undefined;
    if (r) stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_FAILED', reason: 'Resource update cancelled' });
    this.rollback(stack, op, r?.logicalId ?? stack.name, 'Resource update cancelled');
  }

  private failure(stack: ModelStack, id: string, type: string, phase: ResourceFailure['phase']): string | undefined {
    const f = this.failures.find((x) => x.stack === stack.name && x.phase === phase && x.times > 0 && x.matches(id, type));
    if (f) {
      f.times--;
      return f.reason;
    }
    if (phase !== 'update') return undefined;
    const d = this.denials.find((x) => x.roleArn === stack.roleArn && x.types.includes(type));
    if (d) {
      const role = d.roleArn.split('/').pop();
      return `Resource handler returned message: "User: arn:aws:sts::${stack.world.account}:assumed-role/${role}/AWSCloudFormation is not authorized to perform: ${d.action} on resource: * because no identity-based policy allows the ${d.action} action (Service: ${type.split('::')[1]}, Status Code: 400)" (HandlerErrorCode: AccessDenied)`;
    }
    return undefined;
  }

  /** The next resource (from index i) whose resolved properties differ from what was applied. */
  private next(stack: ModelStack, op: Operation, order: string[], i: number): void {
    if (op.cancelled) return;
    for (; i < order.length; i++) {
      const id = order[i];
      const r = stack.resources.get(id);
      const props = stack.resolveProperties(id);
      if (!r) throw new Error(`model: ${stack.name}: an update that adds ${id} is not modelled (only updates of existing resources)`);
      if (JSON.stringify(props) === JSON.stringify(r.properties)) continue;
      this.update(stack, op, order, i, r, props);
      return;
    }
    this.cleanup(stack, op, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE');
  }

  private update(stack: ModelStack, op: Operation, order: string[], i: number, r: StackResource, props: unknown): void {
    const kind = kindOf(r.type);
    const ctx = stack.context(r.logicalId);
    const before: StackResource = structuredClone(r);
    op.current = r.logicalId;
    stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_IN_PROGRESS' });
    const failed = this.failure(stack, r.logicalId, r.type, 'update');
    if (failed) {
      this.timeline.after(kind.ms ?? this.timings.defaultResourceMs, `${stack.name}: ${r.logicalId} fails`, () => {
        if (op.cancelled) return;
        stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_FAILED', reason: failed });
        this.rollback(stack, op, r.logicalId);
      });
      return;
    }
    const replaced = kind.replaces?.(r.properties, props) ?? false;
    if (replaced) {
      stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_IN_PROGRESS', reason: 'Requested update requires the creation of a new physical resource; hence creating one.' });
      op.obsolete.push(before);
      r.physicalId = kind.physicalId(ctx, props);
      r.attributes = kind.attributes?.(ctx, r.physicalId, props) ?? {};
    } else if (kind.attributes) r.attributes = kind.attributes(ctx, r.physicalId, props, r.attributes);
    const completion = kind.apply?.(ctx, r.physicalId, props, r.properties, false);
    for (const l of stack.world.listeners) l({ type: r.type, physicalId: r.physicalId, props, stack: stack.name, logicalId: r.logicalId, change: 'update', settled: false });
    r.properties = props;
    op.changed.push({ logicalId: r.logicalId, before, replaced });
    this.whenDone(stack, r, completion ?? { ms: kind.ms ?? this.timings.defaultResourceMs }, (reason) => {
      if (op.cancelled) return;
      if (reason) {
        stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_FAILED', reason });
        this.rollback(stack, op, r.logicalId);
        return;
      }
      stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_COMPLETE' });
      this.timeline.after(this.timings.stepMs, `${stack.name}: update`, () => this.next(stack, op, order, i + 1));
    });
  }

  private whenDone(stack: ModelStack, r: StackResource, c: Completion, done: (failure?: string) => void): void {
    if ('ms' in c) {
      this.timeline.after(c.ms, `${stack.name}: ${r.logicalId}`, () => done());
      return;
    }
    const poll = () => {
      const v = c.until();
      if (v === true) done();
      else if (typeof v === 'string') done(v);
      else this.timeline.after(c.pollMs, `${stack.name}: ${r.logicalId} stabilizing`, poll);
    };
    this.timeline.after(c.pollMs, `${stack.name}: ${r.logicalId} stabilizing`, poll);
  }

  private rollback(stack: ModelStack, op: Operation, failedId: string, reason = `The following resource(s) failed to update: [${failedId}]. `): void {
    stack.setStatus('UPDATE_ROLLBACK_IN_PROGRESS', reason);
    // The rollback goes back to the previous template and parameter values.
    stack.template = op.previous.template;
    stack.parameters = op.previous.parameters;
    stack.resolvedParameters = op.previous.resolved;
    op.toRestore = [...op.changed].reverse();
    this.timeline.after(this.timings.stepMs, `${stack.name}: rollback`, () => this.restoreNext(stack, op, []));
  }

  /** Continues a rollback from UPDATE_ROLLBACK_FAILED; skipped resources are marked done, not restored. */
  continueRollback(stack: ModelStack, skip: string[]): void {
    const op = stack.operation!;
    stack.setStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    this.timeline.after(this.timings.stepMs, `${stack.name}: rollback`, () => this.restoreNext(stack, op, skip));
  }

  private restoreNext(stack: ModelStack, op: Operation, skip: string[]): void {
    const item = op.toRestore!.shift();
    if (!item) {
      this.cleanup(stack, op, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE');
      return;
    }
    const r = stack.resources.get(item.logicalId)!;
    if (skip.includes(item.logicalId)) {
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ContinueUpdateRollback.html#API_ContinueUpdateRollback_RequestParameters
      stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_COMPLETE', reason: 'Resource skipped during rollback' });
      this.timeline.after(this.timings.stepMs, `${stack.name}: rollback`, () => this.restoreNext(stack, op, skip));
      return;
    }
    const kind = kindOf(r.type);
    stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_IN_PROGRESS' });
    const failed = this.failure(stack, r.logicalId, r.type, 'rollback');
    if (failed) {
      this.timeline.after(kind.ms ?? this.timings.defaultResourceMs, `${stack.name}: ${r.logicalId} restore fails`, () => {
        stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_FAILED', reason: failed });
        op.toRestore!.unshift(item);
        stack.setStatus('UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${r.logicalId}]. `);
      });
      return;
    }
    if (item.replaced) {
      // The replacement is deleted in cleanup; the old physical resource is current again.
      op.obsolete.push({ ...structuredClone(r) });
      const idx = op.obsolete.findIndex((o) => o.physicalId === item.before.physicalId);
      if (idx >= 0) op.obsolete.splice(idx, 1);
    }
    const current = r.properties;
    Object.assign(r, structuredClone(item.before));
    const completion = item.replaced ? undefined : kind.apply?.(stack.context(r.logicalId), r.physicalId, r.properties, current, false);
    for (const l of stack.world.listeners) l({ type: r.type, physicalId: r.physicalId, props: r.properties, stack: stack.name, logicalId: r.logicalId, change: 'update', settled: false });
    this.whenDone(stack, r, completion ?? { ms: kind.ms ?? this.timings.defaultResourceMs }, (reason) => {
      if (reason) {
        stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_FAILED', reason });
        stack.setStatus('UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${r.logicalId}]. `);
        return;
      }
      stack.event({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: 'UPDATE_COMPLETE' });
      this.timeline.after(this.timings.stepMs, `${stack.name}: rollback`, () => this.restoreNext(stack, op, skip));
    });
  }

  private cleanup(stack: ModelStack, op: Operation, cleaning: string, final: string): void {
    // assumed: after a rollback DescribeStacks keeps the rollback's generic reason.
    const reason = final === 'UPDATE_ROLLBACK_COMPLETE' ? stack.statusReason : undefined;
    stack.setStatus(cleaning);
    stack.statusReason = reason;
    for (const o of op.obsolete) {
      stack.event({ logicalId: o.logicalId, physicalId: o.physicalId, type: o.type, status: 'DELETE_IN_PROGRESS' });
      kindOf(o.type).remove?.(stack.context(o.logicalId), o.physicalId, o.properties);
      for (const l of stack.world.listeners) l({ type: o.type, physicalId: o.physicalId, props: o.properties, stack: stack.name, logicalId: o.logicalId, change: 'delete', settled: false });
      stack.event({ logicalId: o.logicalId, physicalId: o.physicalId, type: o.type, status: 'DELETE_COMPLETE' });
    }
    this.timeline.after(this.timings.cleanupMs, `${stack.name}: cleanup`, () => {
      stack.setStatus(final);
      stack.statusReason = reason;
    });
  }
}
