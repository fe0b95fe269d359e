/**
 * The report the pull-request diff produces. The JSON output is this object as is, so the shape
 * is a contract with CI scripts: add fields, do not rename them.
 */

export type Color = 'blue' | 'green';
/** `shared` is anything that is not one fleet: the ALB, listeners, DNS, or a resource outside any service. */
export type Fleet = Color | 'shared';
export type ChangeKind = 'added' | 'changed' | 'removed';
export type Impact = 'create' | 'update' | 'replace' | 'may-replace' | 'destroy' | 'orphan' | 'import';

/** `danger` makes the command exit with DANGER_EXIT_CODE; `caution` is reported but does not. */
export type Severity = 'danger' | 'caution';

export type FlagCategory =
  | 'stateful-resource'
  | 'iam'
  | 'security-group'
  | 'production-listener'
  | 'live-color'
  | 'both-fleets'
  | 'live-fleet';

export interface ResourceChangeReport {
  readonly logicalId: string;
  readonly type: string;
  /** Construct path below the stack, when the template or manifest records it. */
  readonly path?: string;
  readonly kind: ChangeKind;
  readonly impact: Impact;
  /** Construct path of the BlueGreenService the resource belongs to. */
  readonly service?: string;
  readonly fleet: Fleet;
  /** Changed property names (updates only). */
  readonly properties: readonly string[];
}

export interface DangerFlag {
  readonly severity: Severity;
  readonly category: FlagCategory;
  readonly stack: string;
  readonly logicalId?: string;
  readonly path?: string;
  readonly service?: string;
  readonly fleet?: Fleet;
  readonly reason: string;
  /** Statements, rules or property names behind the flag. */
  readonly details: readonly string[];
}

export type LiveColor = Color | 'unknown';

export interface ServiceImpact {
  /** Construct path of the BlueGreenService, e.g. `bgf-production-api/Service`. */
  readonly service: string;
  readonly liveColor: LiveColor;
  readonly fleetsTouched: readonly Color[];
  readonly sharedTouched: boolean;
  /** `yes`/`no` when the live color is known, `unknown` when it is not and a fleet is touched. */
  readonly touchesLive: 'yes' | 'no' | 'unknown';
  readonly summary: string;
}

export interface StackReport {
  readonly stackName: string;
  readonly environment: string;
  readonly production: boolean;
  /** `added`/`removed`: the stack exists on one side only. cdk deploy never deletes a removed stack. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly resources: readonly ResourceChangeReport[];
  readonly flags: readonly DangerFlag[];
  readonly services: readonly ServiceImpact[];
}

export interface CostLine {
  readonly stack: string;
  readonly item: string;
  /** Average count over a week (instances can be fractional when schedules change capacity). */
  readonly quantity: number;
  readonly usdPerHour: number;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  readonly monthlyUsd: number;
  readonly lines: readonly CostLine[];
  /** What could not be priced, and why. */
  readonly warnings: readonly string[];
}

export interface EnvironmentReport {
  readonly environment: string;
  readonly production: boolean;
  readonly stacks: readonly StackReport[];
  readonly cost: { readonly before: CostEstimate; readonly after: CostEstimate; readonly deltaUsd: number };
}

export interface DiffReport {
  readonly base: string;
  readonly head: string;
  /** Where the live colors came from. */
  readonly liveColorSource: 'deployed-stacks' | 'unknown';
  readonly priceTable: { readonly region: string; readonly asOf: string; readonly source: string };
  readonly environments: readonly EnvironmentReport[];
  readonly dangerous: boolean;
  readonly counts: { readonly danger: number; readonly caution: number; readonly resources: number };
  readonly warnings: readonly string[];
}

/** Exit codes of `bluegreen-fleet diff` (documented in docs/pr-diff.md). */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const DANGER_EXIT_CODE = 3;
