import { bake, openWindow, recordRelease, rolledBackError } from '../steps/after-swap';
import { resolveAmi } from '../steps/ami';
import { ReleaseContext } from '../runtime/context';
import { AwsAccess, AwsClients } from '../../aws/clients';
import { readService, waitUntilReady, warmSize } from '../steps/fleet';
import { parseImageRef, resolveImage, ResolvedImage } from '../steps/image';
import { carryCapacity, moveLiveColor } from '../steps/live-capacity';
import { planSteps, runSteps, Step } from '../core/steps';
import { liveTag, pointLiveTag } from '../steps/live-tag';
import { ExitCode, ReleaseError } from '../core/outcome';
import { assertNoTrafficDrift, newReleaseId, releaseTable, Session, withSession } from '../state/session';
import { pendingHistory, pendingStaleAt, releaseWindowMinutes } from '../core/pending';
import { schedulePendingExpiry } from '../steps/schedule';
import { runSmokeCheck } from '../steps/smoke';
import { assertUpdatable, readStack, standbySize, templateBody, updateStack } from '../state/stack';
import { amiParameter, Color, fleet, imageParameter, StackState } from '../core/stack-state';
import { PendingRelease, ReleaseTable, WindowItem } from '../core/table';
import { ReleaseTarget, serviceStackName } from '../runtime/target';
import { releaseSettings, ReleaseSettings } from '../core/settings';
import { estimateLeadTime, formatLeadTime, LeadTimeEstimate, leadTimeSettings } from '../core/lead-time';
import type { DeployCommandOptions } from '../../commands/deploy.options';

/**
 * The options `deploy` acts on: a part of its one definition (src/commands/deploy.options.ts).
 * `image` or `imageFrom` (exactly one); `ami`: an id or `latest` (default: the live fleet's, so a
 * release changes only the image); `swap: false` (`--no-swap`) stops once the standby is warm,
 * healthy and smoke-checked; `imageFromStack`/`imageFromRegion`: where `imageFrom` is read;
 * `imageFromProfile`/`imageFromRoleArn`: with whose credentials (another account's).
 */
export type DeployOptions = Pick<
  DeployCommandOptions,
  'image' | 'imageFrom' | 'imageFromStack' | 'imageFromRegion' | 'imageFromProfile' | 'imageFromRoleArn' | 'ami' | 'swap' | 'dryRun' | 'allowUnscanned' | 'breakLock' | 'parameterPrefix'
>;

export type DeployOutcome = 'planned' | 'already-live' | 'ready' | 'released';

export interface DeployResult {
  readonly outcome: DeployOutcome;
  readonly releaseId?: string;
  readonly liveColor: Color;
  readonly image: string;
  readonly ami: string;
  readonly plan?: readonly string[];
  readonly rollbackWindowClosesAt?: string;
  readonly imageSizeBytes?: number;
  /** `--dry-run`: the phases of this release and how long each may take (src/release/core/lead-time.ts). */
  readonly leadTime?: LeadTimeEstimate;
}

/**
 * `--image-from staging`: the exact digest the other environment's live fleet runs, read from its
 * stack (`--image-from-stack`, default `bgf-<env>-<service>` with this stack's service name) in
 * `--image-from-region` (default: this stack's). With this release's credentials, unless
 * `--image-from-profile` or `--image-from-role-arn` names the other account's. CloudFormation has
 * identity-based policies only, no resource-based ones that could let another account read a stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html;
 * assumed from that page's policy types, to confirm in a real account), so an environment in
 * another account is read with that account's credentials. Only
 * DescribeStacks is called with them; the image itself is then resolved and checked in this
 * environment's repository, as for `--image`.
 */
async function liveImageOf(ctx: ReleaseContext, settings: ReleaseSettings, environment: string, options: DeployOptions): Promise<string> {
  const stackName = options.imageFromStack ?? serviceStackName(environment, settings.service);
  const region = options.imageFromRegion ?? ctx.clients.region;
  const other = options.imageFromProfile !== undefined || options.imageFromRoleArn !== undefined;
  const clients = other
    ? (ctx.clientsFor ?? ((r: string, a: AwsAccess) => new AwsClients(r, a)))(region, {
        profile: options.imageFromProfile ?? ctx.clients.access.profile,
        roleArn: options.imageFromRoleArn,
        sessionName: ctx.clients.access.sessionName,
      })
    : ctx.clients.forRegion(region);
  const state = await readStack(ctx, stackName, undefined, clients);
  const image = fleet(state, state.liveColor).image;
  if (!parseImageRef(image).digest) throw new ReleaseError(ExitCode.Refused, `${environment}'s live image "${image}" (stack ${stackName}) is not pinned by digest`);
  return image;
}

interface Plan {
  readonly phase: 'already-live' | 'after-swap' | 'prepare';
  readonly pending: PendingRelease;
  readonly warmTo: number;
  /** Why `warmTo` is less than the live fleet's size. */
  readonly warmNote?: string;
  /** Only for already-live: what to say. */
  readonly note?: string;
}

async function makePlan(ctx: ReleaseContext, settings: ReleaseSettings, state: StackState, table: ReleaseTable, image: string, ami: string): Promise<Plan> {
  const [inFlight, window] = [await table.readPending(), await table.readWindow()];
  // A release whose window was rolled back is over, whatever its pending item says.
  const pendingNow = inFlight && !(window?.releaseId === inFlight.releaseId && window.rolledBack) ? inFlight : undefined;
  const live = fleet(state, state.liveColor);
  const standby = fleet(state, state.standbyColor);
  const now = ctx.clock.now();
  if (live.image === image && live.ami === ami) {
    const resuming = pendingNow !== undefined && pendingNow.toColor === state.liveColor && pendingNow.newImage === image && pendingNow.newAmi === ami;
    return {
      phase: resuming ? 'after-swap' : 'already-live',
      pending: resuming ? pendingNow : { ...describe(settings, state, standby.color, image, ami, ctx, now), releaseId: 'none' },
      warmTo: state.standbyMinTasks,
      note: `nothing to do: the ${live.color} fleet already runs ${image} on ${ami}`,
    };
  }
  const sameRelease = pendingNow && pendingNow.toColor === standby.color && pendingNow.newImage === image && pendingNow.newAmi === ami;
  const pending = sameRelease ? pendingNow : { ...describe(settings, state, standby.color, image, ami, ctx, now), releaseId: newReleaseId(now) };
  const warm = await standbySize(ctx, state, Math.max(warmSize(await readService(ctx, live)), state.standbyMinTasks));
  const warmTo = warm.size;
  return { phase: 'prepare', pending, warmTo, warmNote: warm.note };
}

function describe(settings: ReleaseSettings, state: StackState, to: Color, image: string, ami: string, ctx: ReleaseContext, now: Date): Omit<PendingRelease, 'releaseId'> {
  const from = fleet(state, state.liveColor);
  return {
    kind: 'deploy',
    fromColor: from.color,
    toColor: to,
    oldImage: from.image,
    newImage: image,
    oldAmi: from.ami,
    newAmi: ami,
    startedAt: now.toISOString(),
    staleAt: pendingStaleAt(settings, now),
    actor: ctx.actor,
  };
}

/**
 * `deploy`: a reconciler. It reads the real state, works out which steps are still needed for
 * `image` (and AMI) to be live, and does only those; an interrupted deploy is finished by running
 * the same command again. Live traffic changes at exactly one point (the swap), and only after
 * the standby is warm, healthy and smoke-checked.
 */
export async function deploy(ctx: ReleaseContext, target: ReleaseTarget, options: DeployOptions, deploySteps: readonly Step<DeployState>[] = DEPLOY_STEPS): Promise<DeployResult> {
  if (!options.image === !options.imageFrom) throw new ReleaseError(ExitCode.Usage, 'give exactly one of --image and --image-from');
  if ((options.imageFromProfile !== undefined || options.imageFromRoleArn !== undefined) && !options.imageFrom) {
    throw new ReleaseError(ExitCode.Usage, '--image-from-profile and --image-from-role-arn need --image-from');
  }
  const first = await ctx.reporter.step('read the stack', async (h) => {
    const s = await readStack(ctx, target.stackName, options.parameterPrefix);
    h.detail(`${s.name} ${s.status}, live ${s.liveColor}`);
    return s;
  });
  const settings = releaseSettings(first);
  const live = fleet(first, first.liveColor);
  const image = await ctx.reporter.step('resolve the image', async (h) => {
    const requested = options.image ?? (await liveImageOf(ctx, settings, options.imageFrom!, options));
    const resolved = await resolveImage(ctx, requested, { base: parseImageRef(live.image), settings, allowUnscanned: options.allowUnscanned });
    h.detail(`${resolved.reference}${resolved.sizeBytes !== undefined ? ` (${(resolved.sizeBytes / 1024 / 1024).toFixed(0)} MiB)` : ''}, scan ${resolved.scanStatus}`);
    return resolved;
  });
  const ami = await ctx.reporter.step('resolve the AMI', async (h) => {
    const id = options.ami ? await resolveAmi(ctx, options.ami, { stack: first.name, color: first.standbyColor, architecture: settings.architectures[first.standbyColor] }) : live.ami;
    h.detail(options.ami ? id : `${id} (the live fleet's)`);
    return id;
  });

  if (options.dryRun) {
    assertUpdatable(first);
    const table = releaseTable(ctx, first);
    const plan = await makePlan(ctx, settings, first, table, image.reference, ami);
    const steps = plan.phase === 'already-live' ? [plan.note ?? 'nothing to do'] : planSteps(deploySteps, deployState(settings, target, first, plan, image, options)).map((p) => p.description);
    for (const step of steps) ctx.reporter.note(`plan: ${step}`);
    let leadTime: LeadTimeEstimate | undefined;
    if (plan.phase !== 'already-live') {
      // The template makePlan read for the standby's MaxValue (templateBody reads it once).
      const lead = { settings: leadTimeSettings(await templateBody(ctx, first), { prefix: first.prefix, color: first.standbyColor, bakeMinutes: settings.bakeMinutes }), start: first.standbyMinTasks > 0 ? 'pre-warmed' : 'cold', amiChange: ami !== fleet(first, first.standbyColor).ami } as const;
      for (const line of formatLeadTime(lead.settings, lead.start, lead)) ctx.reporter.note(`lead time: ${line}`);
      leadTime = estimateLeadTime(lead.settings, lead.start, lead);
    }
    return { outcome: 'planned', liveColor: first.liveColor, image: image.reference, ami, plan: steps, imageSizeBytes: image.sizeBytes, leadTime };
  }

  return withSession(ctx, target, `deploy ${image.digest}`, options, async (session) => {
    await assertNoTrafficDrift(session, session.opened);
    const plan = await makePlan(ctx, session.settings, session.opened, session.table, image.reference, ami);
    if (plan.phase === 'already-live') {
      ctx.reporter.note(plan.note ?? 'nothing to do');
      return { outcome: 'already-live', liveColor: session.opened.liveColor, image: image.reference, ami, imageSizeBytes: image.sizeBytes };
    }
    const initial = { ...deployState(session.settings, target, session.opened, plan, image, options), session };
    let done: DeployState;
    let last: DeployState = initial;
    try {
      done = await runSteps(deploySteps, initial, session.runner, (s) => (last = s));
    } catch (error) {
      // Before the swap live traffic was never touched: say so, and keep a record.
      if (!ctx.phase.trafficMovedTo && plan.phase === 'prepare') await recordAbort(session, last.stack, plan.pending, error as Error);
      throw error;
    }
    const { pending } = plan;
    if (options.swap === false) return { outcome: 'ready', releaseId: pending.releaseId, liveColor: done.stack.liveColor, image: image.reference, ami };
    return {
      outcome: 'released',
      releaseId: pending.releaseId,
      liveColor: pending.toColor,
      image: pending.newImage,
      ami: pending.newAmi,
      rollbackWindowClosesAt: done.window?.closesAt,
      imageSizeBytes: image.sizeBytes,
    };
  });
}

/**
 * With release windows, the standby this release warms is kept warm by `cool-if-idle` until the
 * release is stale; a one-time schedule runs `cool-if-idle` then, so a release that never swaps
 * does not keep it warm until the next window's end. Without windows nothing cools a standby on
 * its own schedule, and nothing is scheduled.
 */
async function scheduleExpiry(session: Session, stack: StackState, pending: PendingRelease): Promise<string> {
  const windowMinutes = releaseWindowMinutes(session.settings);
  if (windowMinutes === 0 || !pending.staleAt) return '';
  const staleAt = new Date(pending.staleAt);
  if (staleAt.getTime() <= session.ctx.clock.now().getTime()) return `; stale since ${pending.staleAt}`;
  await schedulePendingExpiry(session.ctx, stack, staleAt, windowMinutes);
  return `; keeps the standby warm until ${pending.staleAt} unless it swaps (then cool-if-idle, scheduled)`;
}

/** An abort before the swap: live traffic was never touched; say so, and keep a record. */
async function recordAbort(session: Session, state: StackState, pending: PendingRelease, error: Error): Promise<void> {
  const { ctx } = session;
  const live = fleet(state, state.liveColor);
  const standby = fleet(state, state.standbyColor);
  const where = `live traffic untouched: the ${live.color} fleet serves ${live.image}; the ${standby.color} fleet has ${standby.image} with StandbyMinTasks=${state.standbyMinTasks}. Fix the cause and re-run the same command to continue.`;
  ctx.reporter.note(where);
  try {
    const at = ctx.clock.now().toISOString();
    const where = { service: session.settings.service, environment: session.settings.environment };
    await session.table.putHistory(
      pendingHistory(pending, where, { at, id: `${pending.releaseId}.aborted`, actor: ctx.actor, outcome: 'aborted', detail: error.message.slice(0, 500) }),
    );
  } catch (recordError) {
    ctx.reporter.warn(`could not record the abort: ${(recordError as Error).message}`);
  }
  if (error instanceof ReleaseError) Object.assign(error.detail, { state: where });
}

/** What the deploy steps pass along: the session (its stack as last read), the plan, and what each step found. */
export interface DeployState {
  readonly session?: Session;
  readonly target: ReleaseTarget;
  /** The release settings the stack publishes (docs/contracts.md). */
  readonly settings: ReleaseSettings;
  readonly stack: StackState;
  readonly plan: Plan;
  readonly image: ResolvedImage;
  readonly noSwap: boolean;
  readonly window?: WindowItem;
}

function deployState(settings: ReleaseSettings, target: ReleaseTarget, stack: StackState, plan: Plan, image: ResolvedImage, options: DeployOptions): DeployState {
  return { target, settings, stack, plan, image, noSwap: options.swap === false };
}

function sessionOf(s: DeployState): Session {
  if (!s.session) throw new Error('a deploy step ran without a session (dry run?)');
  return s.session;
}

const preparing = (s: DeployState) => s.plan.phase === 'prepare';
const swapping = (s: DeployState) => !s.noSwap;

/**
 * The release as a list of steps: `--dry-run` prints their descriptions, the run executes them in
 * order (each re-reads what it needs, so a re-run skips what is done), the progress output and the
 * test hooks name them. A step added here shows up in all of them.
 */
export const DEPLOY_STEPS: readonly Step<DeployState>[] = [
  {
    id: 'record-pending',
    applies: preparing,
    describe: (s) => `record release ${s.plan.pending.releaseId} in flight (${s.plan.pending.fromColor} -> ${s.plan.pending.toColor})`,
    run: async (s, h) => {
      const session = sessionOf(s);
      const { pending } = s.plan;
      const current = await session.table.readPending();
      const expiry = await scheduleExpiry(session, s.stack, pending);
      if (current?.releaseId === pending.releaseId) return h.skip(`release ${pending.releaseId} already recorded${expiry}`), s;
      await session.table.putPending(pending);
      h.detail(`release ${pending.releaseId}: ${pending.fromColor} -> ${pending.toColor}${expiry}`);
      return s;
    },
  },
  {
    id: 'prepare-standby',
    applies: preparing,
    describe: (s) => {
      const { pending } = s.plan;
      const standby = fleet(s.stack, pending.toColor);
      const p = s.stack.prefix;
      return `set ${p}${imageParameter(pending.toColor)}=${pending.newImage}${standby.ami !== pending.newAmi ? `, ${p}${amiParameter(pending.toColor)}=${pending.newAmi}` : ''}, ${p}StandbyMinTasks=${s.plan.warmTo}${s.plan.warmNote ? ` (${s.plan.warmNote})` : ''} (UpdateStack, previous template)`;
    },
    run: async (s, h) => {
      const session = sessionOf(s);
      const { pending } = s.plan;
      const { result, state } = await updateStack(session.ctx, s.stack, {
        [imageParameter(pending.toColor)]: pending.newImage,
        [amiParameter(pending.toColor)]: pending.newAmi,
        StandbyMinTasks: String(s.plan.warmTo),
      });
      if (result === 'unchanged') h.skip(`already runs the image with StandbyMinTasks=${state.standbyMinTasks}`);
      else h.detail(`image, AMI set; StandbyMinTasks=${s.plan.warmTo}${s.plan.warmNote ? ` (${s.plan.warmNote})` : ''}`);
      return { ...s, stack: state };
    },
  },
  {
    id: 'wait-standby',
    applies: preparing,
    describe: (s) => `wait for the ${s.plan.pending.toColor} ECS service to be stable and its targets healthy behind the test listener`,
    run: async (s, h) => {
      const { service, targets } = await waitUntilReady(sessionOf(s).ctx, fleet(s.stack, s.plan.pending.toColor));
      h.detail(`${service.running}/${service.desired} tasks, ${targets.healthy}/${targets.total} targets healthy`);
      return s;
    },
  },
  {
    id: 'smoke-check',
    applies: preparing,
    describe: (s) => `smoke check: GET ${s.settings.smokeCheckPath} through the test listener, from inside the VPC`,
    run: async (s, h) => {
      const result = await runSmokeCheck(sessionOf(s).ctx, s.stack, s.settings.smokeCheckPath);
      const summary = `${result.url} -> ${result.status ?? result.error ?? 'no answer'} in ${result.latencyMs} ms`;
      if (!result.pass) throw new ReleaseError(ExitCode.Refused, `smoke check failed: ${summary}`, { smokeCheck: result });
      h.detail(summary);
      return s;
    },
  },
  {
    id: 'swap',
    applies: (s) => preparing(s) && swapping(s),
    describe: (s) => `swap: LiveColor=${s.plan.pending.toColor}`,
    run: async (s, h) => ({ ...s, stack: await moveLiveColor(sessionOf(s), s.stack, s.plan.pending.toColor, s.plan.pending.releaseId, h) }),
  },
  {
    id: 'carry-capacity',
    applies: swapping,
    describe: (s) => `keep the scheduled capacity on the ${s.plan.pending.toColor} fleet`,
    run: async (s, h) => (await carryCapacity(sessionOf(s), s.stack, s.plan.pending.releaseId, h), s),
  },
  {
    id: 'open-window',
    applies: swapping,
    describe: (s) => `keep the ${s.plan.pending.fromColor} fleet warm for the ${s.settings.rollbackWindowMinutes} min rollback window, then cool it (scheduled)`,
    run: async (s, h) => ({ ...s, window: await openWindow(sessionOf(s), s.stack, s.plan.pending, h) }),
  },
  {
    id: 'bake',
    applies: swapping,
    describe: (s) => `bake ${s.settings.bakeMinutes} min watching the ${s.plan.pending.toColor} fleet's alarms`,
    run: async (s, h) => {
      const result = await bake(sessionOf(s), s.stack, s.window!, h);
      if (result !== 'passed') throw rolledBackError(result, s.window!);
      return s;
    },
  },
  {
    id: 'point-live-tag',
    applies: swapping,
    describe: (s) => `point ${liveTag(s.settings.environment)} at the release`,
    run: async (s, h) => (h.detail(await pointLiveTag(sessionOf(s).ctx, s.settings.environment, s.plan.pending.newImage)), s),
  },
  {
    id: 'record-release',
    applies: swapping,
    describe: () => 'record the release',
    run: async (s, h) => {
      await recordRelease(sessionOf(s), s.plan.pending, s.window!, `baked ${s.settings.bakeMinutes} min; rollback window until ${s.window!.closesAt}`, h);
      return s;
    },
  },
];
