import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';
import type { ReleaseSettings } from '../contract/settings';
import { RELEASE_SETTINGS_MAX_LENGTH, RELEASE_SETTINGS_VERSION } from '../contract/settings-names';

/** The scan finding severity at or above which the release CLI refuses an image. */
export enum ScanSeverity {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
  /** Refuse an image with any finding. */
  NONE = 'NONE',
}

/** How long one release window of the service lasts (as given to `ReleaseWindowPrewarm`). */
export interface ReleaseWindowTiming {
  /** The window's name. */
  readonly name: string;
  /** How long the window stays open. */
  readonly duration: Duration;
  /**
   * How long before the window opens the standby is warmed.
   * @default Duration.minutes(30) - ReleaseWindowPrewarm's default
   */
  readonly prewarm?: Duration;
}

/**
 * The release settings the stack publishes for the release CLI (the `ReleaseSettings` output,
 * docs/contracts.md): the CLI reads them from the deployed stack, not from any app's config.
 */
export interface ReleaseSettingsInput {
  /**
   * After a swap, how long the release CLI watches the new live fleet's alarms before it records
   * the release (an alarm rolls back). Whole minutes; `Duration.minutes(0)` for no bake.
   * @default Duration.minutes(10)
   */
  readonly bake?: Duration;

  /**
   * After a swap, how long the previous fleet stays warm, so that a rollback is one listener
   * change; then a one-time schedule cools it. Whole minutes, longer than `bake`.
   * @default Duration.minutes(60)
   */
  readonly rollbackWindow?: Duration;

  /**
   * The service's release windows, the same list given to `ReleaseWindowPrewarm`: a release in
   * flight keeps the standby warm for at most the longest window (pre-warm included) plus the
   * rollback window.
   * @default - no release windows
   */
  readonly releaseWindows?: ReleaseWindowTiming[];

  /**
   * The release CLI refuses an image with scan findings at or above this severity.
   * @default ScanSeverity.HIGH
   */
  readonly maxScanSeverity?: ScanSeverity;

  /**
   * The release CLI warns about an image larger than this (MiB): every scale-out pulls it.
   * @default 500
   */
  readonly imageSizeBudgetMiB?: number;

  /**
   * The path the smoke check calls through the test listener before a swap.
   * @default '/'
   */
  readonly smokeCheckPath?: string;
}

export const SETTINGS_DEFAULTS = {
  bake: Duration.minutes(10),
  rollbackWindow: Duration.minutes(60),
  maxScanSeverity: ScanSeverity.HIGH,
  imageSizeBudgetMiB: 500,
  smokeCheckPath: '/',
  prewarm: Duration.minutes(30),
} as const;

function wholeMinutes(what: string, d: Duration): number {
  const m = d.toMinutes({ integral: false });
  if (!Number.isInteger(m) || m < 0) throw new Error(`ReleaseSupport: ${what} ${d.toHumanString()} must be a whole number of minutes, at least 0`);
  return m;
}

/** Checks the settings props in the constructor; each error names the prop and the value. */
export function validateReleaseSettings(props: ReleaseSettingsInput): void {
  const bake = wholeMinutes('bake', props.bake ?? SETTINGS_DEFAULTS.bake);
  const window = wholeMinutes('rollbackWindow', props.rollbackWindow ?? SETTINGS_DEFAULTS.rollbackWindow);
  if (window < 1) throw new Error('ReleaseSupport: rollbackWindow must be at least 1 minute');
  if (bake >= window) throw new Error(`ReleaseSupport: bake (${bake} min) must be shorter than rollbackWindow (${window} min): the bake rolls back inside the window`);
  const budget = props.imageSizeBudgetMiB;
  if (budget !== undefined && !Token.isUnresolved(budget) && !(Number.isFinite(budget) && budget >= 1)) {
    throw new Error(`ReleaseSupport: imageSizeBudgetMiB ${budget} must be a number of MiB, at least 1`);
  }
  const path = props.smokeCheckPath;
  if (path !== undefined && !Token.isUnresolved(path) && !/^\/[^\s]*$/.test(path)) {
    throw new Error(`ReleaseSupport: smokeCheckPath "${path}" must be a URL path starting with / (no spaces)`);
  }
  const names = new Set<string>();
  for (const w of props.releaseWindows ?? []) {
    if (names.has(w.name)) throw new Error(`ReleaseSupport: releaseWindows names "${w.name}" twice`);
    names.add(w.name);
    wholeMinutes(`releaseWindows "${w.name}" duration`, w.duration);
    wholeMinutes(`releaseWindows "${w.name}" prewarm`, w.prewarm ?? SETTINGS_DEFAULTS.prewarm);
  }
}

/**
 * A fleet's CPU architecture, from the instance types of its Auto Scaling group (the launch
 * template overrides of its mixed instances policy, as `Fleet` sets them); undefined when they
 * cannot be read at synth or mix architectures.
 */
function architectureOf(group: autoscaling.IAutoScalingGroup | undefined): ReleaseSettings['architectures']['blue'] {
  const cfn = group?.node.defaultChild as autoscaling.CfnAutoScalingGroup | undefined;
  const policy = cfn?.mixedInstancesPolicy as autoscaling.CfnAutoScalingGroup.MixedInstancesPolicyProperty | undefined;
  const overrides = (policy?.launchTemplate as autoscaling.CfnAutoScalingGroup.LaunchTemplateProperty | undefined)?.overrides;
  if (!Array.isArray(overrides) || overrides.length === 0) return undefined;
  const types = (overrides as autoscaling.CfnAutoScalingGroup.LaunchTemplateOverridesProperty[]).map((o) => o.instanceType);
  if (types.some((t) => typeof t !== 'string' || Token.isUnresolved(t))) return undefined;
  const archs = new Set(types.map((t) => new ec2.InstanceType(t!).architecture));
  if (archs.size !== 1) return undefined;
  return [...archs][0] === ec2.InstanceArchitecture.ARM_64 ? 'arm64' : 'x86_64';
}

/** What the CLI needs of the service to describe it. */
interface DescribedService {
  readonly serviceName: string;
  readonly blue: { readonly fleet?: { readonly autoScalingGroup: autoscaling.IAutoScalingGroup } };
  readonly green: { readonly fleet?: { readonly autoScalingGroup: autoscaling.IAutoScalingGroup } };
}

/** The `ReleaseSettings` output's value: JSON, with any token resolved by CloudFormation. */
export function releaseSettingsDocument(scope: IConstruct, props: ReleaseSettingsInput & { readonly environmentName?: string; readonly service: DescribedService }): string {
  const stack = Stack.of(scope);
  const settings: ReleaseSettings = {
    version: RELEASE_SETTINGS_VERSION,
    environment: props.environmentName ?? stack.stackName,
    service: props.service.serviceName,
    bakeMinutes: wholeMinutes('bake', props.bake ?? SETTINGS_DEFAULTS.bake),
    rollbackWindowMinutes: wholeMinutes('rollbackWindow', props.rollbackWindow ?? SETTINGS_DEFAULTS.rollbackWindow),
    releaseWindows: (props.releaseWindows ?? []).map((w) => ({
      name: w.name,
      prewarmMinutes: wholeMinutes('prewarm', w.prewarm ?? SETTINGS_DEFAULTS.prewarm),
      durationMinutes: wholeMinutes('duration', w.duration),
    })),
    maxScanSeverity: props.maxScanSeverity ?? SETTINGS_DEFAULTS.maxScanSeverity,
    imageSizeBudgetMiB: props.imageSizeBudgetMiB ?? SETTINGS_DEFAULTS.imageSizeBudgetMiB,
    smokeCheckPath: props.smokeCheckPath ?? SETTINGS_DEFAULTS.smokeCheckPath,
    architectures: {
      blue: architectureOf(props.service.blue.fleet?.autoScalingGroup),
      green: architectureOf(props.service.green.fleet?.autoScalingGroup),
    },
  };
  const plain = JSON.stringify(settings);
  // A token (an environment name from a parameter) is resolved by CloudFormation; else the text is final.
  if (Token.isUnresolved(plain)) return stack.toJsonString(settings);
  const text = plain;
  if (text.length > RELEASE_SETTINGS_MAX_LENGTH) {
    throw new Error(`ReleaseSupport ${props.service.serviceName}: the ReleaseSettings output is ${text.length} characters, above ${RELEASE_SETTINGS_MAX_LENGTH}; use fewer or shorter release window names`);
  }
  return text;
}
