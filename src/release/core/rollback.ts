import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Outcome, WindowItem } from '../../../constructs/contract';
import { carryLiveBounds, FleetCapacity, rollbackMoveId } from './capacity';
import { ExitCode, ReleaseError } from './outcome';
import { Color, fleet, StackState } from './stack-state';
import { runSteps, Step, StepRunner } from './steps';
import { ReleaseTable } from './table';
import { Caller, describeTargetStates, moveProductionTraffic, productionTraffic, targetHealth } from './traffic';

/**
 * THE rollback, shared by `bluegreen-fleet rollback`, the bake of `deploy` and the auto-rollback
 * Lambda. Traffic moves first, whatever the stack is doing (a `cdk deploy`, a warm/cool schedule,
 * UPDATE_ROLLBACK_FAILED): that is what on-call needs in seconds. Then the record, then the
 * stack's LiveColor when the stack allows, then a look at the listener again, because a failed
 * reconcile is rolled back by CloudFormation and its rollback restores the listener too, i.e.
 * back to the bad fleet ("CloudFormation rolls back the stack to the last known stable
 * configuration": https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks.html).
 *
 * Every step reads before it writes, and the window's `rollbackDoneAt` is set only at the end, so
 * a retried Lambda invocation (Lambda retries a failed asynchronous invocation twice:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html) or a re-run
 * of the command finishes the job from wherever the last one stopped.
 */

/** What the caller's surroundings provide: the CLI (retries, waits, progress) or a Lambda (time budget, logs). */
export interface RollbackPorts {
  readonly elb: ElasticLoadBalancingV2Client;
  readonly capacity: FleetCapacity;
  readonly table: ReleaseTable;
  readonly call: Caller;
  readonly runner: StepRunner;
  now(): Date;
  readStack(): Promise<StackState>;
  /**
   * Makes the stack's LiveColor `to` (recording the live fleet's scalable-target bounds before)
   * and waits for it as long as the caller can. `deferred`: the stack cannot take the update now
   * (busy, or this caller has no time left to wait); `failed`: CloudFormation refused or rolled it back.
   */
  reconcile(state: StackState, to: Color, moveId: string): Promise<ReconcileOutcome>;
  warn(text: string): void;
}

export type ReconcileOutcome =
  | { readonly kind: 'done'; readonly state: StackState; readonly detail: string }
  | { readonly kind: 'deferred'; readonly state: StackState; readonly detail: string }
  | { readonly kind: 'failed'; readonly state: StackState; readonly detail: string };

export interface RollbackRequest {
  readonly from: Color;
  readonly to: Color;
  /** The rollback window of the release being rolled back; none for a manual rollback outside one. */
  readonly window?: WindowItem;
  readonly actor: string;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly service: string;
  readonly environment: string;
  readonly rollbackWindowMinutes: number;
}

export interface RollbackState {
  readonly request: RollbackRequest;
  readonly stack: StackState;
  readonly window?: WindowItem;
  readonly moveId: string;
  /** When the listener was moved by this run (undefined when it already pointed at `to`). */
  readonly trafficMovedAt?: Date;
  readonly reconcile?: ReconcileOutcome;
  /** What a human must know: the listener had to be repaired, the stack could not be reconciled. */
  readonly problems: readonly string[];
  readonly done: boolean;
}

export const ROLLBACK_STEPS: readonly Step<RollbackState>[] = [
  {
    id: 'check-destination',
    describe: (s) => `check the ${s.request.to} fleet's targets are healthy`,
    run: async (s, h) => {
      const ports = portsOf(s);
      if ((await productionTraffic(ports.elb, s.stack, ports.call)) === s.request.to) return h.skip(`production traffic already goes to the ${s.request.to} fleet`), s;
      const targets = await targetHealth(ports.elb, fleet(s.stack, s.request.to), ports.call);
      // A fleet with no healthy target would turn a degraded service into an outage.
      if (targets.healthy === 0) {
        throw new ReleaseError(
          ExitCode.Refused,
          `the ${s.request.to} fleet has no healthy target (${describeTargetStates(targets)}): traffic stays on the ${s.request.from} fleet; a human must decide`,
          { targets },
        );
      }
      h.detail(`${targets.healthy}/${targets.total} targets healthy${targets.healthy < targets.total ? ` (${describeTargetStates(targets)})` : ''}`);
      return s;
    },
  },
  {
    id: 'move-traffic',
    describe: (s) => `move production traffic to the ${s.request.to} fleet (one ModifyListener call, whatever the stack is doing)`,
    run: async (s, h) => {
      const ports = portsOf(s);
      if ((await productionTraffic(ports.elb, s.stack, ports.call)) === s.request.to) return h.skip(`the production listener already forwards to the ${s.request.to} fleet`), s;
      await moveProductionTraffic(ports.elb, s.stack, s.request.to, ports.call);
      h.detail(`production listener forwards to the ${s.request.to} fleet`);
      return { ...s, trafficMovedAt: ports.now() };
    },
  },
  {
    id: 'mark-window',
    describe: (s) => (s.request.window ? `mark the rollback window of release ${s.request.window.releaseId} rolled back` : 'open a rollback window for this rollback'),
    run: async (s, h) => {
      const ports = portsOf(s);
      const now = ports.now();
      const existing = s.request.window;
      if (existing) {
        const marked = await ports.table.markRolledBack(existing.releaseId, s.request.actor, now);
        if (!marked) h.skip('already marked');
      } else {
        const closesAt = new Date(now.getTime() + s.request.rollbackWindowMinutes * 60_000);
        await ports.table.putWindow({
          previousColor: s.request.from,
          liveColor: s.request.to,
          swappedAt: now.toISOString(),
          closesAt: closesAt.toISOString(),
          releaseId: s.moveId.replace(/\.rollback$/, ''),
          rolledBack: true,
          rolledBackAt: now.toISOString(),
          rolledBackBy: s.request.actor,
        });
      }
      return { ...s, window: await ports.table.readWindow() };
    },
  },
  {
    id: 'record-history',
    describe: () => 'record the rollback in the release history',
    run: async (s, h) => {
      const ports = portsOf(s);
      const from = fleet(s.stack, s.request.from);
      const to = fleet(s.stack, s.request.to);
      const at = s.request.window?.swappedAt ?? s.window?.swappedAt ?? ports.now().toISOString();
      const written = await ports.table.putHistory({
        at,
        id: s.moveId,
        service: s.request.service,
        environment: s.request.environment,
        fromColor: s.request.from,
        toColor: s.request.to,
        oldImage: from.image,
        newImage: to.image,
        oldAmi: from.ami,
        newAmi: to.ami,
        actor: s.request.actor,
        outcome: s.request.outcome,
        detail: `${s.request.reason} (at ${ports.now().toISOString()})`.slice(0, 1000),
      });
      if (!written) h.skip('already recorded');
      return s;
    },
  },
  {
    id: 'reconcile-live-color',
    describe: (s) => `reconcile the stack: LiveColor=${s.request.to} (when the stack can take an update)`,
    run: async (s, h) => {
      const ports = portsOf(s);
      const stack = await ports.readStack();
      if (stack.liveColor === s.request.to && !stack.status.endsWith('_IN_PROGRESS')) {
        h.skip(`LiveColor is already ${s.request.to}`);
        return { ...s, stack, reconcile: { kind: 'done', state: stack, detail: 'LiveColor already agrees' } };
      }
      const outcome = await ports.reconcile(stack, s.request.to, s.moveId);
      h.detail(`${outcome.kind}: ${outcome.detail}`);
      const problems = outcome.kind === 'done' ? s.problems : [...s.problems, `LiveColor not reconciled (${outcome.kind}: ${outcome.detail})`];
      return { ...s, stack: outcome.state, reconcile: outcome, problems };
    },
  },
  {
    id: 'verify-traffic',
    describe: (s) => `verify production traffic goes to the ${s.request.to} fleet; repair the listener if not`,
    run: async (s, h) => {
      const ports = portsOf(s);
      const actual = await productionTraffic(ports.elb, s.stack, ports.call);
      if (actual === s.request.to) return h.detail(`the production listener forwards to the ${s.request.to} fleet`), s;
      // CloudFormation's rollback of a failed LiveColor update restored the listener of the old template.
      await moveProductionTraffic(ports.elb, s.stack, s.request.to, ports.call);
      const problem = `the production listener forwarded to the ${actual ?? 'neither'} fleet after the reconcile; moved it to the ${s.request.to} fleet again`;
      ports.warn(problem);
      h.detail(problem);
      return { ...s, problems: [...s.problems, problem] };
    },
  },
  {
    id: 'carry-capacity',
    applies: (s) => s.reconcile?.kind === 'done',
    describe: (s) => `keep the scheduled capacity on the ${s.request.to} fleet`,
    run: async (s, h) => {
      const ports = portsOf(s);
      const outcome = await carryLiveBounds(ports.capacity, ports.table, s.stack, s.moveId, ports.now());
      if (outcome.applied) h.detail(outcome.detail);
      else h.skip(outcome.detail);
      return s;
    },
  },
  {
    id: 'finish',
    describe: () => 'mark the rollback finished',
    run: async (s, h) => {
      const ports = portsOf(s);
      const releaseId = s.window?.releaseId;
      if (s.reconcile?.kind !== 'done' || !releaseId) {
        h.skip('not finished: a re-run (or the next retry) completes it');
        return s;
      }
      await ports.table.markRollbackDone(releaseId, ports.now());
      return { ...s, done: true };
    },
  },
];

/** The ports ride along in the state, outside the data the steps describe. */
const PORTS = new WeakMap<RollbackRequest, RollbackPorts>();
function portsOf(s: RollbackState): RollbackPorts {
  const ports = PORTS.get(s.request);
  if (!ports) throw new Error('rollback state without ports');
  return ports;
}

/** Runs (or resumes) a rollback; `steps` is replaceable so a test can add one. */
export async function rollBack(ports: RollbackPorts, request: RollbackRequest, stack: StackState, steps: readonly Step<RollbackState>[] = ROLLBACK_STEPS): Promise<RollbackState> {
  const frozen = Object.freeze({ ...request });
  PORTS.set(frozen, ports);
  const initial: RollbackState = { request: frozen, stack, window: request.window, moveId: rollbackMoveId(request.window?.releaseId ?? `manual-${ports.now().toISOString()}`), problems: [], done: false };
  return runSteps(steps, initial, ports.runner);
}

/** A rollback that moved traffic but did not finish: the message says where traffic is and what to do. */
export function unfinishedError(s: RollbackState): ReleaseError {
  return new ReleaseError(
    ExitCode.Error,
    `traffic is on the ${s.request.to} fleet (verified), but the rollback is not finished: ${s.problems.join('; ')}. ` +
      (s.stack.status === 'UPDATE_ROLLBACK_FAILED'
        ? `The stack is UPDATE_ROLLBACK_FAILED: run \`aws cloudformation continue-update-rollback --stack-name ${s.stack.name}\`, then re-run \`bluegreen-fleet rollback\`.`
        : 'Re-run `bluegreen-fleet rollback` once the stack is idle.'),
    { liveColor: s.stack.liveColor, trafficColor: s.request.to, problems: s.problems },
  );
}
