import { openWindow, recordRelease } from '../steps/after-swap';
import { readService, readTargets, assertReady } from '../steps/fleet';
import { carryCapacity, moveLiveColor } from '../steps/live-capacity';
import { ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { planSteps, runSteps, Step } from '../core/steps';
import { assertNoTrafficDrift, newReleaseId, releaseTable, Session, withSession } from '../state/session';
import { assertUpdatable, readStack } from '../state/stack';
import { pendingStaleAt } from '../core/pending';
import { releaseSettings, ReleaseSettings } from '../core/settings';
import { runSmokeCheck } from '../steps/smoke';
import { Color, fleet, StackState } from '../core/stack-state';
import { PendingRelease, WindowItem } from '../core/table';
import { ReleaseTarget } from '../runtime/target';
import type { SwapCommandOptions } from '../../commands/swap.options';

/** The options `swap` acts on: a part of its one definition (src/commands/swap.options.ts). */
export type SwapOptions = Pick<SwapCommandOptions, 'breakLock' | 'parameterPrefix' | 'dryRun'>;

export interface SwapResult {
  readonly outcome: 'planned' | 'swapped' | 'resumed';
  readonly releaseId: string;
  readonly liveColor: Color;
  readonly previousColor: Color;
  /** Unset for a plan. */
  readonly rollbackWindowClosesAt?: string;
  /** `--dry-run`: what would run, one line per step. */
  readonly plan?: readonly string[];
}

/** What the swap steps pass along: the stack as the last step left it, the release, and what each step found. */
export interface SwapState {
  /** Unset for a dry run, which only describes the steps. */
  readonly session?: Session;
  readonly settings: ReleaseSettings;
  readonly stack: StackState;
  readonly pending: PendingRelease;
  /** The pending release is already in the table (a re-run of the same swap). */
  readonly recorded: boolean;
  /** Traffic already moved to `pending.toColor` before this run: only the steps after the flip remain. */
  readonly swapped: boolean;
  readonly window?: WindowItem;
}

/**
 * Where a swap starts, from the stack and the release in flight: a release already swapped to the
 * live fleet is finished (not flipped back); else the standby becomes live, as the release
 * prepared for it or as a new one.
 */
function swapStart(ctx: ReleaseContext, settings: ReleaseSettings, stack: StackState, inFlight: PendingRelease | undefined): Omit<SwapState, 'session'> {
  const live = fleet(stack, stack.liveColor);
  if (inFlight && inFlight.toColor === stack.liveColor && inFlight.newImage === live.image && inFlight.newAmi === live.ami) {
    return { settings, stack, pending: inFlight, recorded: true, swapped: true };
  }
  const standby = fleet(stack, stack.standbyColor);
  if (inFlight && inFlight.toColor === standby.color && inFlight.newImage === standby.image && inFlight.newAmi === standby.ami) {
    return { settings, stack, pending: inFlight, recorded: true, swapped: false };
  }
  const now = ctx.clock.now();
  const pending: PendingRelease = {
    releaseId: newReleaseId(now),
    kind: 'swap',
    fromColor: live.color,
    toColor: standby.color,
    oldImage: live.image,
    newImage: standby.image,
    oldAmi: live.ami,
    newAmi: standby.ami,
    startedAt: now.toISOString(),
    staleAt: pendingStaleAt(settings, now),
    actor: ctx.actor,
  };
  return { settings, stack, pending, recorded: false, swapped: false };
}

function sessionOf(s: SwapState): Session {
  if (!s.session) throw new Error('a swap step ran without a session (dry run?)');
  return s.session;
}

const beforeFlip = (s: SwapState) => !s.swapped;

/**
 * The swap as a list of steps: `--dry-run` prints their descriptions, the run executes them in
 * order, the progress output and the test hooks name them. Each reads before it writes, so a
 * re-run after an interruption finishes the swap instead of flipping traffic back.
 */
export const SWAP_STEPS: readonly Step<SwapState>[] = [
  {
    id: 'check-standby',
    applies: beforeFlip,
    describe: (s) => `check the ${s.pending.toColor} fleet`,
    run: async (s, h) => {
      const { ctx } = sessionOf(s);
      const standby = fleet(s.stack, s.pending.toColor);
      const [service, targets] = [await readService(ctx, standby), await readTargets(ctx, standby)];
      assertReady(standby, service, targets);
      h.detail(`${service.running}/${service.desired} tasks, ${targets.healthy}/${targets.total} targets healthy`);
      return s;
    },
  },
  {
    id: 'smoke-check',
    applies: beforeFlip,
    describe: () => 'smoke check through the test listener',
    run: async (s, h) => {
      const result = await runSmokeCheck(sessionOf(s).ctx, s.stack, s.settings.smokeCheckPath);
      const summary = `${result.url} -> ${result.status ?? result.error ?? 'no answer'} in ${result.latencyMs} ms`;
      if (!result.pass) throw new ReleaseError(ExitCode.Refused, `smoke check failed: ${summary}; traffic untouched`, { smokeCheck: result });
      h.detail(summary);
      return s;
    },
  },
  {
    id: 'record-pending',
    applies: beforeFlip,
    describe: (s) => `record release ${s.pending.releaseId} in flight (${s.pending.fromColor} -> ${s.pending.toColor})`,
    run: async (s, h) => {
      const { table } = sessionOf(s);
      if (s.recorded || (await table.readPending())?.releaseId === s.pending.releaseId) return h.skip(`release ${s.pending.releaseId} already recorded`), s;
      await table.putPending(s.pending);
      h.detail(`release ${s.pending.releaseId}: ${s.pending.fromColor} -> ${s.pending.toColor}`);
      return { ...s, recorded: true };
    },
  },
  {
    id: 'swap',
    applies: beforeFlip,
    describe: (s) => `swap: traffic to the ${s.pending.toColor} fleet`,
    run: async (s, h) => ({ ...s, stack: await moveLiveColor(sessionOf(s), s.stack, s.pending.toColor, s.pending.releaseId, h) }),
  },
  {
    id: 'carry-capacity',
    describe: (s) => `keep the scheduled capacity on the ${s.pending.toColor} fleet`,
    run: async (s, h) => (await carryCapacity(sessionOf(s), s.stack, s.pending.releaseId, h), s),
  },
  {
    id: 'open-window',
    describe: () => 'open the rollback window',
    run: async (s, h) => ({ ...s, window: await openWindow(sessionOf(s), s.stack, s.pending, h) }),
  },
  {
    id: 'record-release',
    describe: () => 'record the release',
    run: async (s, h) => (await recordRelease(sessionOf(s), s.pending, s.window!, `swapped by \`swap\`; rollback window until ${s.window!.closesAt}`, h), s),
  },
];

/**
 * `swap`: traffic to the standby fleet, only when it is healthy now (all desired tasks running,
 * every target healthy, the smoke check passing). A re-run after an interrupted swap finishes it
 * instead of flipping traffic back. `steps` is replaceable so a test can add one.
 */
export async function swap(ctx: ReleaseContext, target: ReleaseTarget, options: SwapOptions, steps: readonly Step<SwapState>[] = SWAP_STEPS): Promise<SwapResult> {
  if (options.dryRun) {
    const stack = await readStack(ctx, target.stackName, options.parameterPrefix);
    assertUpdatable(stack);
    const start = swapStart(ctx, releaseSettings(stack), stack, await releaseTable(ctx, stack).readPending());
    const plan = planSteps(steps, start).map((p) => p.description);
    for (const step of plan) ctx.reporter.note(`plan: ${step}`);
    return { outcome: 'planned', releaseId: start.pending.releaseId, liveColor: stack.liveColor, previousColor: start.pending.fromColor, plan };
  }
  return withSession(ctx, target, 'swap', options, async (session) => {
    await assertNoTrafficDrift(session, session.opened);
    const start = swapStart(ctx, session.settings, session.opened, await session.table.readPending());
    if (start.swapped) ctx.reporter.note(`release ${start.pending.releaseId} already swapped to ${start.pending.toColor}; finishing it`);
    const done = await runSteps(steps, { ...start, session }, session.runner);
    return {
      outcome: start.swapped ? 'resumed' : 'swapped',
      releaseId: done.pending.releaseId,
      liveColor: done.pending.toColor,
      previousColor: done.pending.fromColor,
      rollbackWindowClosesAt: done.window!.closesAt,
    };
  });
}
