import { call, ReleaseContext } from '../runtime/context';
import { acquireLock, HeldLock, LockOptions } from './lock';
import { ExitCode, ReleaseError } from '../core/outcome';
import type { StepHandle, StepRunner } from '../core/steps';
import { assertUpdatable, readStack } from './stack';
import { fleet, requireOutput, StackState } from '../core/stack-state';
import { ReleaseTable } from '../core/table';
import { releaseSettings, ReleaseSettings } from '../core/settings';
import { ReleaseTarget } from '../runtime/target';
import { trafficColor } from '../steps/traffic';

/** The release table of a stack, with the CLI's retries. */
export function releaseTable(ctx: ReleaseContext, state: StackState): ReleaseTable {
  const name = requireOutput(state, 'ReleaseTableName', 'for the release lock and history');
  return new ReleaseTable(ctx.clients.dynamo, name, (operation, fn) => call(ctx, operation, `release table ${name}`, fn));
}

/** The step every locked command takes first (its id is a point tests can stop at, like a listed step's). */
export const TAKE_LOCK = { id: 'take-lock', description: 'take the release lock' } as const;

/**
 * A release in progress: the stack as read once the lock was held, its table, and the lock.
 * The session never holds a newer stack: a command's steps pass the StackState along (each
 * returns the one it leaves), so no step reads a stale one by accident.
 */
export class Session {
  /** The release settings the stack publishes (docs/contracts.md); an update of parameters does not change them. */
  public readonly settings: ReleaseSettings;

  constructor(
    public readonly ctx: ReleaseContext,
    public readonly target: ReleaseTarget,
    /** The stack as read right after the lock was taken. */
    public readonly opened: StackState,
    public readonly table: ReleaseTable,
    public readonly lock: HeldLock,
  ) {
    this.settings = releaseSettings(opened);
  }

  /**
   * One reconciler step: renews the lock, runs, then gives tests a point to stop the process.
   * `id` is what hooks and tests name (a step of a list), `name` what the progress output shows.
   */
  async step<T>(id: string, name: string, fn: (handle: StepHandle) => Promise<T>): Promise<T> {
    if (this.ctx.signal?.aborted) throw new ReleaseError(ExitCode.Interrupted, `stopped before "${name}"`);
    await this.lock.renew();
    const result = await this.ctx.reporter.step(name, fn);
    await this.ctx.hooks?.afterStep?.(id);
    return result;
  }

  /** The runner for a list of steps (core/steps.ts). */
  readonly runner: StepRunner = (id, description, body) => this.step(id, description, body);
}

export interface OpenOptions extends LockOptions {
  readonly parameterPrefix?: string;
  /**
   * Start whatever the stack is doing (busy, UPDATE_ROLLBACK_FAILED): a rollback moves traffic by
   * API first and reconciles the stack when it allows.
   */
  readonly anyStackStatus?: boolean;
}

/**
 * Reads the stack, takes the service's release lock, re-reads the stack (it may have changed
 * while we waited for the lock), runs `fn`, and always releases the lock.
 */
export async function withSession<T>(
  ctx: ReleaseContext,
  target: ReleaseTarget,
  command: string,
  options: OpenOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const first = await readStack(ctx, target.stackName, options.parameterPrefix);
  if (!options.anyStackStatus) assertUpdatable(first);
  releaseSettings(first);
  const table = releaseTable(ctx, first);
  const lock = await ctx.reporter.step(TAKE_LOCK.description, async (h) => {
    const held = await acquireLock(ctx, table, command, options);
    h.detail(`held by ${held.item.owner} until ${new Date(held.item.expiresAt * 1000).toISOString()}`);
    return held;
  });
  try {
    await ctx.hooks?.afterStep?.(TAKE_LOCK.id);
    const state = await readStack(ctx, target.stackName, first.prefix);
    if (!options.anyStackStatus) assertUpdatable(state);
    return await fn(new Session(ctx, target, state, table, lock));
  } finally {
    try {
      await lock.release();
    } catch (error) {
      ctx.reporter.warn(`could not release the lock of ${table.tableName} (${(error as Error).message}); it expires by itself at ${new Date(lock.item.expiresAt * 1000).toISOString()}`);
    }
  }
}

/**
 * Refuses when traffic does not go where LiveColor says: a fast rollback not yet reconciled, or
 * a production listener changed by hand to forward to neither fleet (a fixed response during an
 * incident, another target group). A release would overwrite that listener at its swap (the
 * listener's properties change with LiveColor), so it stops first, as the standby-capacity
 * handler does. A change made outside CloudFormation is drift; CloudFormation compares a stack
 * update with the template, not with the resource as it is
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html).
 * assumed: an update that changes the listener's DefaultActions in the template writes them over
 * whatever the listener holds (a real deploy should confirm it).
 */
export async function assertNoTrafficDrift(session: Session, stack: StackState): Promise<void> {
  const actual = await trafficColor(session.ctx, stack);
  if (actual === undefined) {
    throw new ReleaseError(
      ExitCode.Refused,
      `the production listener of ${stack.name} forwards to neither fleet (changed outside a release?) but the stack's LiveColor says ${stack.liveColor}: point its default action back at the ${stack.liveColor} fleet's target group (${fleet(stack, stack.liveColor).targetGroupArn}), then release; nothing was changed`,
      { trafficColor: 'neither', liveColor: stack.liveColor },
    );
  }
  if (actual !== stack.liveColor) {
    throw new ReleaseError(
      ExitCode.Refused,
      `production traffic goes to the ${actual} fleet but the stack's LiveColor says ${stack.liveColor} (a fast rollback not yet reconciled): run \`bluegreen-fleet rollback\` to reconcile first`,
      { trafficColor: actual, liveColor: stack.liveColor },
    );
  }
}

/** A release id that sorts by time: `20250101T093000Z-1a2b`. */
export function newReleaseId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
