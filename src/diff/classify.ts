import { fullDiff, ResourceDifference, ResourceImpact, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { attribute, findServices, serviceLabel } from './attribution';
import { FlagContext, iamFlags, listenerFlags, liveColorFlags, productionListenerIds, securityGroupFlags, statefulFlags, summarizeNewStack } from './flags';
import { CfnTemplate, dropCdkMetadata, EMPTY_TEMPLATE, liveColorControlled, templatePath } from './template';
import { Color, DangerFlag, Impact, LiveColor, ResourceChangeReport, ServiceImpact, StackReport } from './types';

/** One stack on both sides of the diff. A missing template means the stack exists on one side only. */
export interface StackPair {
  readonly stackName: string;
  readonly environment: string;
  readonly production: boolean;
  readonly oldTemplate?: CfnTemplate;
  readonly newTemplate?: CfnTemplate;
  /** Logical id to construct path, from both sides (the new side wins). */
  readonly paths: ReadonlyMap<string, string>;
  /** A diff computed elsewhere (the toolkit, for `--deployed`); otherwise `fullDiff` of the templates. */
  readonly diff?: TemplateDiff;
  /** Live color by service construct path; a service that is missing is "unknown". */
  readonly liveColors: ReadonlyMap<string, Color>;
}

const IMPACTS: Readonly<Record<ResourceImpact, Impact | undefined>> = {
  [ResourceImpact.WILL_CREATE]: 'create',
  [ResourceImpact.WILL_UPDATE]: 'update',
  [ResourceImpact.WILL_REPLACE]: 'replace',
  [ResourceImpact.MAY_REPLACE]: 'may-replace',
  [ResourceImpact.WILL_DESTROY]: 'destroy',
  [ResourceImpact.WILL_ORPHAN]: 'orphan',
  [ResourceImpact.WILL_IMPORT]: 'import',
  [ResourceImpact.NO_CHANGE]: undefined,
};

/** A change to `aws:cdk:path` metadata alone changes nothing in AWS. */
function changesAws(rd: ResourceDifference): boolean {
  if (rd.isAddition || rd.isRemoval || rd.resourceTypeChanged) return true;
  if (Object.keys(rd.propertyUpdates).length > 0) return true;
  return Object.keys(rd.otherChanges).some((k) => k !== 'Metadata');
}

export function resourceChanges(diff: TemplateDiff, pathOf: (id: string) => string | undefined, services: readonly string[]): ResourceChangeReport[] {
  const changes: ResourceChangeReport[] = [];
  for (const id of diff.resources.logicalIds) {
    const rd = diff.resources.get(id);
    if (!changesAws(rd)) continue;
    const path = pathOf(id) ?? templatePath(rd.newValue) ?? templatePath(rd.oldValue);
    const impact = IMPACTS[rd.changeImpact] ?? 'update';
    changes.push({
      logicalId: id,
      type: rd.newResourceType ?? rd.oldResourceType ?? 'unknown',
      path,
      kind: rd.isAddition ? 'added' : rd.isRemoval ? 'removed' : 'changed',
      impact,
      ...attribute(path, services),
      properties: Object.keys(rd.propertyUpdates).sort(),
    });
  }
  return changes;
}

/**
 * Which fleets each service's changes touch, and what that means given the live color. Flags
 * count only updates and removals: an added resource changes nothing a running fleet does.
 */
export function serviceImpacts(
  stack: string,
  production: boolean,
  services: readonly string[],
  changes: readonly ResourceChangeReport[],
  liveColors: ReadonlyMap<string, Color>,
): { impacts: ServiceImpact[]; flags: DangerFlag[] } {
  const impacts: ServiceImpact[] = [];
  const flags: DangerFlag[] = [];
  const colors = ['blue', 'green'] as const;
  for (const service of services) {
    const mine = changes.filter((c) => c.service === service);
    if (mine.length === 0) continue;
    const fleetsTouched = colors.filter((color) => mine.some((c) => c.fleet === color));
    const modifying = mine.filter((c) => c.kind !== 'added' && c.fleet !== 'shared');
    const modified = colors.filter((color) => modifying.some((c) => c.fleet === color));
    const liveColor: LiveColor = liveColors.get(service) ?? 'unknown';
    const label = serviceLabel(service);
    const touchesLive: ServiceImpact['touchesLive'] = fleetsTouched.length === 0 ? 'no' : liveColor === 'unknown' ? 'unknown' : fleetsTouched.includes(liveColor) ? 'yes' : 'no';
    let summary: string;
    if (fleetsTouched.length === 0) summary = 'shared resources only (load balancer, listeners, DNS); no fleet changes';
    else if (fleetsTouched.length === 2) summary = `touches both fleets${liveColor === 'unknown' ? ' (live fleet unknown)' : `, including the live ${liveColor} fleet`}`;
    else if (liveColor === 'unknown') summary = `live fleet unknown: touches the ${fleetsTouched[0]} fleet (live or standby, check before deploying)`;
    else if (touchesLive === 'yes') summary = `touches the live fleet (${liveColor})`;
    else summary = `touches only the standby fleet (${fleetsTouched[0]}); live is ${liveColor}`;
    if (modified.length === 2) {
      summary += ': updating both bypasses blue/green';
      flags.push({
        stack, service, fleet: 'shared', severity: production ? 'danger' : 'caution', category: 'both-fleets',
        reason: `${label} changes both fleets at once: cdk deploy updates the live fleet in place, bypassing blue/green`,
        details: modifying.map((c) => `${c.fleet}: ${c.path ?? c.logicalId} (${c.impact})`),
      });
    } else if (modified.length === 1 && liveColor === 'unknown' && production) {
      flags.push({
        stack, service, fleet: modified[0], severity: 'caution', category: 'live-fleet',
        reason: `${label}: live fleet unknown (no AWS credentials); the ${modified[0]} fleet is changed and may be live`,
        details: modifying.map((c) => `${c.path ?? c.logicalId} (${c.impact})`),
      });
    } else if (modified.length === 1 && modified[0] === liveColor) {
      flags.push({
        stack, service, fleet: liveColor, severity: production ? 'danger' : 'caution', category: 'live-fleet',
        reason: `${label}: the live ${liveColor} fleet is changed in place by cdk deploy; release through the standby fleet instead`,
        details: modifying.map((c) => `${c.path ?? c.logicalId} (${c.impact})`),
      });
    }
    impacts.push({ service, liveColor, fleetsTouched, sharedTouched: mine.some((c) => c.fleet === 'shared'), touchesLive, summary });
  }
  return { impacts, flags };
}

export function classifyStack(pair: StackPair): StackReport {
  const base = { stackName: pair.stackName, environment: pair.environment, production: pair.production };
  if (!pair.newTemplate) {
    const count = Object.keys(dropCdkMetadata(pair.oldTemplate ?? EMPTY_TEMPLATE).Resources ?? {}).length;
    return {
      ...base, status: 'removed', added: 0, changed: 0, removed: count, resources: [], services: [],
      flags: [{
        stack: pair.stackName, fleet: 'shared', severity: 'caution', category: 'stateful-resource',
        reason: `stack is no longer in the app: cdk deploy does not delete it, its ${count} resources stay until the stack is deleted by hand`,
        details: [],
      }],
    };
  }
  const oldTemplate = dropCdkMetadata(pair.oldTemplate ?? EMPTY_TEMPLATE);
  const newTemplate = dropCdkMetadata(pair.newTemplate);
  const diff = pair.diff ?? fullDiff(oldTemplate, newTemplate);
  const pathOf = (id: string) => pair.paths.get(id) ?? templatePath(newTemplate.Resources?.[id]) ?? templatePath(oldTemplate.Resources?.[id]);
  const allPaths = [...pair.paths.values(), ...[oldTemplate, newTemplate].flatMap((t) => Object.values(t.Resources ?? {}).map(templatePath))]
    .filter((p): p is string => typeof p === 'string');
  const services = findServices(allPaths);
  const resources = resourceChanges(diff, pathOf, services);
  const ctx: FlagContext = { stack: pair.stackName, services, pathOf };
  const listenerIds = new Set([...productionListenerIds(oldTemplate, pathOf), ...productionListenerIds(newTemplate, pathOf)]);
  const controlled = new Set([...liveColorControlled(oldTemplate), ...liveColorControlled(newTemplate)]);
  const { impacts, flags: serviceFlags } = serviceImpacts(pair.stackName, pair.production, services, resources, pair.liveColors);
  const access = [...iamFlags(ctx, diff), ...securityGroupFlags(ctx, diff)];
  // A new stack serves no traffic yet: its listener, live color and fleets cannot disturb anything.
  const flags = pair.oldTemplate
    ? [
      ...statefulFlags(ctx, resources),
      ...listenerFlags(ctx, resources, listenerIds),
      ...liveColorFlags(ctx, resources.filter((r) => !listenerIds.has(r.logicalId)), controlled, diff),
      ...access,
      ...serviceFlags,
    ]
    : summarizeNewStack(pair.stackName, access);
  const count = (kind: ResourceChangeReport['kind']) => resources.filter((r) => r.kind === kind).length;
  return {
    ...base,
    status: pair.oldTemplate ? (resources.length > 0 || flags.length > 0 ? 'changed' : 'unchanged') : 'added',
    added: count('added'),
    changed: count('changed'),
    removed: count('removed'),
    resources,
    flags,
    services: impacts,
  };
}
