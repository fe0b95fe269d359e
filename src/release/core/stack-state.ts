import type { Capability, Parameter, Stack, UpdateStackCommandInput } from '@aws-sdk/client-cloudformation';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { amiParameter, Color, COLORS, fleetOutput, imageParameter, isColor, OutputName, otherColor, ParameterName, parseFleetOutputs, WindowItem } from '../../../constructs/contract';
import { ExitCode, ReleaseError } from './outcome';

/**
 * The service stack as the release tool sees it: the contract's parameters and outputs
 * (docs/contracts.md), read from one DescribeStacks answer. Pure, so the CLI and the Lambdas
 * share it (type-only SDK import: bundles and `--help` do not load the SDK for it).
 */

export { amiParameter, COLORS, imageParameter, isColor, otherColor, titleCase } from '../../../constructs/contract';
export type { Color, ParameterName } from '../../../constructs/contract';

export interface FleetRefs {
  readonly color: Color;
  readonly targetGroupArn: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly autoScalingGroupName?: string;
  readonly alarmNames: readonly string[];
  readonly image: string;
  readonly ami: string;
}

export interface StackState {
  readonly name: string;
  readonly id: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly lastChange?: Date;
  /** The parameterPrefix of the BlueGreenService (empty by default). */
  readonly prefix: string;
  /** All parameters of the stack, by full logical id. */
  readonly parameters: Readonly<Record<string, string>>;
  /** All outputs of the stack, by full output key. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  /** The service role CloudFormation keeps for updates that name none (the last one passed). */
  readonly roleArn?: string;
  readonly liveColor: Color;
  readonly standbyColor: Color;
  readonly standbyMinTasks: number;
}

/** `*_IN_PROGRESS`: CloudFormation is changing the stack; a release must not start. */
export function isBusy(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}

/** States a release can update from. */
export function isUpdatable(status: string): boolean {
  return ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'].includes(status);
}

export function parseStack(stack: Stack, prefixHint?: string): StackState {
  const name = stack.StackName ?? '(unnamed stack)';
  const parameters: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey) parameters[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? '';
  }
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) {
    if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  }
  const prefix = detectPrefix(name, Object.keys(parameters), prefixHint);
  const live = parameters[`${prefix}LiveColor`];
  if (!isColor(live)) {
    throw new ReleaseError(ExitCode.Error, `stack ${name}: parameter ${prefix}LiveColor is "${live}", expected blue or green`);
  }
  const standbyMin = Number(parameters[`${prefix}StandbyMinTasks`] ?? '0');
  return {
    name,
    id: stack.StackId ?? name,
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason,
    lastChange: stack.LastUpdatedTime ?? stack.CreationTime,
    prefix,
    parameters,
    outputs,
    capabilities: stack.Capabilities ?? [],
    roleArn: stack.RoleARN,
    liveColor: live,
    standbyColor: otherColor(live),
    standbyMinTasks: Number.isFinite(standbyMin) ? standbyMin : 0,
  };
}

function detectPrefix(stackName: string, keys: readonly string[], hint?: string): string {
  if (hint !== undefined) {
    if (!keys.includes(`${hint}LiveColor`)) {
      throw new ReleaseError(ExitCode.Usage, `stack ${stackName} has no parameter ${hint}LiveColor (--parameter-prefix "${hint}")`);
    }
    return hint;
  }
  const candidates = keys.filter((k) => k.endsWith('LiveColor')).map((k) => k.slice(0, -'LiveColor'.length));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    throw new ReleaseError(ExitCode.Error, `stack ${stackName} has no LiveColor parameter: is it a bluegreen-fleet service stack? (docs/contracts.md)`);
  }
  throw new ReleaseError(ExitCode.Usage, `stack ${stackName} holds several services (prefixes ${candidates.map((c) => `"${c}"`).join(', ')}); pass --parameter-prefix`);
}

export function parameter(state: StackState, name: ParameterName): string {
  return state.parameters[`${state.prefix}${name}`] ?? '';
}

export function output(state: StackState, name: OutputName): string | undefined {
  return state.outputs[`${state.prefix}${name}`];
}

export function requireOutput(state: StackState, name: OutputName, why: string): string {
  const value = output(state, name);
  if (value === undefined || value === '') {
    throw new ReleaseError(ExitCode.Error, `stack ${state.name} has no output ${state.prefix}${name}, needed ${why} (docs/contracts.md)`);
  }
  return value;
}

export function fleet(state: StackState, color: Color): FleetRefs {
  const parsed = parseFleetOutputs(state.outputs, state.prefix, color);
  if ('problem' in parsed) throw new ReleaseError(ExitCode.Error, `stack ${state.name}: ${parsed.problem}, needed to find the ${color} fleet (docs/contracts.md)`);
  return {
    color,
    targetGroupArn: parsed.targetGroupArn,
    clusterName: parsed.clusterName,
    serviceName: parsed.serviceName,
    autoScalingGroupName: parsed.autoScalingGroupName,
    alarmNames: (parsed.alarmNames ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    image: parameter(state, imageParameter(color)),
    ami: parameter(state, amiParameter(color)),
  };
}

/** Which color a target group ARN belongs to, if either. */
export function colorOfTargetGroup(state: StackState, targetGroupArn: string | undefined): Color | undefined {
  return COLORS.find((c) => output(state, fleetOutput(c, 'TargetGroupArn')) === targetGroupArn);
}

/**
 * The UpdateStack parameter list: the given changes, and `UsePreviousValue` for every other
 * parameter, so a release never resets what `cdk deploy` or another release set.
 */
export function updateParameters(state: StackState, changes: Partial<Record<ParameterName, string>>): Parameter[] {
  const byKey = new Map(Object.entries(changes).map(([k, v]) => [`${state.prefix}${k}`, v]));
  for (const key of byKey.keys()) {
    if (!(key in state.parameters)) throw new ReleaseError(ExitCode.Error, `stack ${state.name} has no parameter ${key}`);
  }
  return Object.keys(state.parameters).map((key) =>
    byKey.has(key) ? { ParameterKey: key, ParameterValue: byKey.get(key) } : { ParameterKey: key, UsePreviousValue: true },
  );
}

/** The subset of `changes` that differs from the stack's current values. */
export function effectiveChanges(
  state: StackState,
  changes: Partial<Record<ParameterName, string>>,
): Partial<Record<ParameterName, string>> {
  const out: Partial<Record<ParameterName, string>> = {};
  for (const [k, v] of Object.entries(changes) as [ParameterName, string | undefined][]) {
    if (v !== undefined && parameter(state, k) !== v) out[k] = v;
  }
  return out;
}

/**
 * The one parameter-only stack update the CLI and the Lambdas send: the previous template, the
 * changes that differ from the stack's values (`UsePreviousValue` for the rest), the stack's
 * capabilities passed through, and the role CloudFormation runs it as. `undefined` when nothing
 * differs, so no update is sent.
 */
export function parameterUpdateInput(
  state: StackState,
  changes: Partial<Record<ParameterName, string>>,
  roleArn: string | undefined,
): { input: UpdateStackCommandInput; effective: Partial<Record<ParameterName, string>> } | undefined {
  const effective = effectiveChanges(state, changes);
  if (Object.keys(effective).length === 0) return undefined;
  return {
    effective,
    input: {
      StackName: state.name,
      UsePreviousTemplate: true,
      Parameters: updateParameters(state, effective),
      Capabilities: [...state.capabilities] as Capability[],
      RoleARN: roleArn,
    },
  };
}

/** CloudFormation's answer when the parameters already hold: a re-run, not an error. */
export function isNoUpdatesError(error: unknown): boolean {
  const e = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  const message = e?.cause?.message ?? e?.message ?? '';
  return /No updates are to be performed/i.test(message);
}

/** The target group a listener's default action forwards to (all of it, or the largest weight). */
export function forwardTarget(actions: readonly Action[] | undefined): string | undefined {
  const forward = actions?.find((a) => a.Type === 'forward');
  if (!forward) return undefined;
  if (forward.TargetGroupArn) return forward.TargetGroupArn;
  const groups = [...(forward.ForwardConfig?.TargetGroups ?? [])].sort((a, b) => (b.Weight ?? 1) - (a.Weight ?? 1));
  return groups[0]?.TargetGroupArn;
}

/**
 * Why going "back" to the window's previous fleet would in fact go forward: a release was
 * prepared on it since the swap (`deploy --no-swap`), so it no longer runs what was live before.
 */
export function previousFleetChanged(state: StackState, window: WindowItem | undefined): string | undefined {
  if (!window || window.rolledBack || !window.previousImage) return undefined;
  const previous = fleet(state, window.previousColor);
  if (previous.image === window.previousImage && (!window.previousAmi || previous.ami === window.previousAmi)) return undefined;
  return `the ${window.previousColor} fleet no longer runs what was live before release ${window.releaseId} (${window.previousImage}); it now runs ${previous.image} on ${previous.ami}`;
}
