import { call, ReleaseContext } from '../runtime/context';
import { acquireLock, HeldLock, LockOptions } from './lock';
import { ExitCode, ReleaseError } from '../core/outcome';
import type { StepHandle, StepRunner } from '../core/steps';
import { assertUpdatable, readStack } from './stack';
import { requireOutput, StackState } from '../core/stack-state';
import { ReleaseTable } from '../core/table';
import { releaseSettings, ReleaseSettings } from '../core/settings';
import { ReleaseTarget } from '../runtime/target';
import { trafficColor } from '../steps/traffic';

/** The release table of a stack, with the CLI's retries. */
export function releaseTable(ctx: ReleaseContext, state: StackState): ReleaseTable {
  const name = requireOutput(state, 'ReleaseTableName', 'for the release lock and history');
  return new ReleaseTable(ctx.clients.dynamo, name, (operation, fn) => call(ctx, operation, `release table ${name}`, fn));
}

/** A release in progress: the stack as last read, its table, and the lock held on it. */
export class Session {
  private current: StackState;

  constructor(
    public readonly ctx: ReleaseContext,
    public readonly target: ReleaseTarget,
    state: StackState,
    public readonly table: ReleaseTable,
    public readonly lock: HeldLock,
  ) {
    this.current = state;
  }

  /** The stack as last read. Each StackState is immutable; a step that changes the stack hands the new one over. */
  get state(): StackState {
    return this.current;
  }

  /** The release settings the stack publishes (docs/contracts.md), as last read. */
  get settings(): ReleaseSettings {
    return releaseSettings(this.current);
  }

  replaceState(state: StackState): StackState {
    this.current = state;
    return state;
  }

  /**
   * One reconciler step: renews the lock, runs, then gives tests a point to stop the process.
   * `id` is what hooks and tests name (a step of a list), `name` what the progress output shows.
   */
  async step<T>(name: string, fn: (handle: StepHandle) => Promise<T>, id: string = name): Promise<T> {
    if (this.ctx.signal?.aborted) throw new ReleaseError(ExitCode.Interrupted, `stopped before "${name}"`);
    await this.lock.renew();
    const result = await this.ctx.reporter.step(name, fn);
    await this.ctx.hooks?.afterStep?.(id);
    return result;
  }

  /** The runner for a list of steps (core/steps.ts). */
  readonly runner: StepRunner = (id, description, body) => this.step(description, body, id);

  async refresh(): Promise<StackState> {
    return this.replaceState(await readStack(this.ctx, this.current.name, this.current.prefix));
  }
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
  const lock = await ctx.reporter.step('take the release lock', async (h) => {
    const held = await acquireLock(ctx, table, command, options);
    h.detail(`held by ${held.item.owner} until ${new Date(held.item.expiresAt * 1000).toISOString()}`);
    return held;
  });
  try {
    await ctx.hooks?.afterStep?.('take the release lock');
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

/** Refuses when traffic does not go where LiveColor says (a fast rollback not yet reconciled). */
export async function assertNoTrafficDrift(session: Session): Promise<void> {
  const actual = await trafficColor(session.ctx, session.state);
  if (actual !== undefined && actual !== session.state.liveColor) {
    throw new ReleaseError(
      ExitCode.Refused,
      `production traffic goes to the ${actual} fleet but the stack's LiveColor says ${session.state.liveColor} (a fast rollback not yet reconciled): run \`bluegreen-fleet rollback\` to reconcile first`,
      { trafficColor: actual, liveColor: session.state.liveColor },
    );
  }
}

/** A release id that sorts by time: `20250101T093000Z-1a2b`. */
export function newReleaseId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
