import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { attribute } from './attribution';
import { CfnTemplate, referencedIds } from './template';
import { DangerFlag, Fleet, ResourceChangeReport } from './types';

/**
 * The danger checks. Each returns flags with the resource, the fleet and the reason, so a reviewer
 * sees why approval is needed without reading the template.
 */

/** Resources whose replacement or deletion loses data, names or traffic. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  'AWS::ECR::Repository': 'ECR repository: its images (and every digest a fleet pins) go with it',
  'AWS::KMS::Key': 'KMS key: data encrypted with it can no longer be decrypted',
  'AWS::SecretsManager::Secret': 'secret: its value is lost and the ARN changes',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'load balancer: DNS name and listeners change, traffic drops',
  'AWS::ElasticLoadBalancingV2::Listener': 'listener: its ARN changes, traffic drops while it is recreated',
  'AWS::Route53::RecordSet': 'DNS record: names stop resolving while it is recreated',
  'AWS::Route53::RecordSetGroup': 'DNS records: names stop resolving while they are recreated',
  'AWS::Route53::HostedZone': 'hosted zone: every record in it goes',
  'AWS::Logs::LogGroup': 'log group: its logs are deleted',
  'AWS::EC2::VPC': 'VPC: everything in it must be recreated',
  'AWS::EC2::Subnet': 'subnet: instances, endpoints and load balancer nodes in it are recreated',
  'AWS::DynamoDB::Table': 'DynamoDB table: its items (release lock and history) are lost',
  'AWS::S3::Bucket': 'S3 bucket: its objects are lost',
};

export interface FlagContext {
  readonly stack: string;
  readonly services: readonly string[];
  readonly pathOf: (logicalId: string) => string | undefined;
}

/** A path without the stack name and the trailing `Resource`, for reading. */
export function displayPath(path: string | undefined, fallback: string): string {
  if (!path) return fallback;
  return path.split('/').slice(1).filter((s, i, all) => !(s === 'Resource' && i === all.length - 1)).join('/') || path;
}

function flagFor(ctx: FlagContext, change: ResourceChangeReport, flag: Omit<DangerFlag, 'stack' | 'logicalId' | 'path' | 'service' | 'fleet'>): DangerFlag {
  return { stack: ctx.stack, logicalId: change.logicalId, path: change.path, service: change.service, fleet: change.fleet, ...flag };
}

export function statefulFlags(ctx: FlagContext, changes: readonly ResourceChangeReport[]): DangerFlag[] {
  const flags: DangerFlag[] = [];
  for (const c of changes) {
    const why = STATEFUL_TYPES[c.type];
    if (!why) continue;
    const verb = { replace: 'replaced', 'may-replace': 'possibly replaced', destroy: 'deleted', orphan: 'removed from the stack (retained)' } as Record<string, string>;
    if (!verb[c.impact]) continue;
    flags.push(flagFor(ctx, c, {
      severity: c.impact === 'orphan' ? 'caution' : 'danger',
      category: 'stateful-resource',
      reason: `${displayPath(c.path, c.logicalId)} (${c.type}) is ${verb[c.impact]}: ${why}`,
      details: c.properties.length > 0 ? [`changed: ${c.properties.join(', ')}`] : [],
    }));
  }
  return flags;
}

/**
 * The production listener: the target of a `*ProductionListenerArn` output (the contract), or a
 * resource whose path has a `ProductionListener` segment; plus the rules attached to it.
 */
export function productionListenerIds(template: CfnTemplate, pathOf: (id: string) => string | undefined): Set<string> {
  const ids = new Set<string>();
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (name.endsWith('ProductionListenerArn')) for (const id of referencedIds(output.Value)) ids.add(id);
  }
  const resources = template.Resources ?? {};
  for (const id of Object.keys(resources)) {
    if ((pathOf(id) ?? '').split('/').some((s) => /^ProductionListener/i.test(s))) ids.add(id);
  }
  for (const [id, r] of Object.entries(resources)) {
    if (!/^AWS::ElasticLoadBalancingV2::Listener(Rule|Certificate)$/.test(r.Type)) continue;
    if ([...referencedIds(r.Properties?.ListenerArn)].some((ref) => ids.has(ref))) ids.add(id);
  }
  return new Set([...ids].filter((id) => id in resources));
}

export function listenerFlags(ctx: FlagContext, changes: readonly ResourceChangeReport[], listenerIds: ReadonlySet<string>): DangerFlag[] {
  return changes.filter((c) => listenerIds.has(c.logicalId)).map((c) => flagFor(ctx, c, {
    severity: 'danger',
    category: 'production-listener',
    reason: `production listener ${displayPath(c.path, c.logicalId)} is ${c.kind === 'changed' ? `updated (${c.impact})` : c.kind}: live traffic goes through it`,
    details: c.properties.map((p) => `changed: ${p}`),
  }));
}

export function liveColorFlags(ctx: FlagContext, changes: readonly ResourceChangeReport[], controlled: ReadonlySet<string>, diff: TemplateDiff): DangerFlag[] {
  const flags = changes.filter((c) => controlled.has(c.logicalId)).map((c) => flagFor(ctx, c, {
    severity: 'danger',
    category: 'live-color',
    reason: `${displayPath(c.path, c.logicalId)} is decided by the live-color parameter and is ${c.kind}: this moves with the traffic`,
    details: c.properties.map((p) => `changed: ${p}`),
  }));
  for (const id of diff.parameters.logicalIds.filter((p) => p.endsWith('LiveColor'))) {
    const p = diff.parameters.get(id);
    const path = ctx.pathOf(id);
    const attr = attribute(path, ctx.services);
    flags.push({
      stack: ctx.stack, logicalId: id, path, service: attr.service, fleet: 'shared',
      severity: 'danger', category: 'live-color',
      reason: `live-color parameter ${id} is ${p.isAddition ? 'added' : p.isRemoval ? 'removed' : 'changed'}: it decides which fleet serves traffic`,
      details: [`before: ${JSON.stringify(p.oldValue ?? null)}`, `after: ${JSON.stringify(p.newValue ?? null)}`],
    });
  }
  return flags;
}

type Statement = TemplateDiff['iamChanges']['statements']['additions'][number];

function idsInText(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)].map((m) => m[1]);
}

function readable(text: string, ctx: FlagContext): string {
  return text.replace(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g, (whole, id: string) => {
    const p = ctx.pathOf(id);
    return p ? displayPath(p, id) : whole;
  });
}

function ownerOf(ctx: FlagContext, texts: readonly string[]): { logicalId?: string; path?: string; service?: string; fleet: Fleet } {
  for (const text of texts) {
    for (const id of idsInText(text)) {
      const path = ctx.pathOf(id);
      if (path) return { logicalId: id, path, ...attribute(path, ctx.services) };
    }
  }
  return { fleet: 'shared' };
}

export function iamFlags(ctx: FlagContext, diff: TemplateDiff): DangerFlag[] {
  const flags: DangerFlag[] = [];
  const describe = (s: Statement, added: boolean) => {
    const r = s.render();
    const wildcards = [
      s.actions.values.some((a) => a.includes('*')) ? 'wildcard action' : '',
      s.resources.values.some((v) => v.includes('*')) ? 'wildcard resource' : '',
    ].filter(Boolean);
    const broadens = added !== s.isNegativeStatement;
    const owner = ownerOf(ctx, [r.principal, r.resource]);
    // `AWS:${Role}` is how the diff library names an identity policy's principal; the path says more.
    const who = readable(r.principal, ctx).split('\n').map((p) => p.replace(/^AWS:(?=[^:]*\/)/, '')).join(', ');
    flags.push({
      stack: ctx.stack, ...owner,
      severity: broadens ? 'danger' : 'caution',
      category: 'iam',
      reason: `IAM permissions ${broadens ? 'broadened' : 'narrowed'}: ${added ? 'adds' : 'removes'} ${r.effect} for ${who}${wildcards.length ? ` (${wildcards.join(', ')})` : ''}`,
      details: [`${added ? '+' : '-'} ${r.effect} ${r.action.replace(/\n/g, ', ')} on ${readable(r.resource, ctx).replace(/\n/g, ', ')}${r.condition ? ` when ${r.condition.replace(/\s+/g, ' ')}` : ''}`],
    });
  };
  diff.iamChanges.statements.additions.forEach((s) => describe(s, true));
  diff.iamChanges.statements.removals.forEach((s) => describe(s, false));
  for (const [list, added] of [[diff.iamChanges.managedPolicies.additions, true], [diff.iamChanges.managedPolicies.removals, false]] as const) {
    for (const m of list) {
      const owner = ownerOf(ctx, [m.identityArn]);
      flags.push({
        stack: ctx.stack, ...owner,
        severity: added ? 'danger' : 'caution',
        category: 'iam',
        reason: `IAM permissions ${added ? 'broadened' : 'narrowed'}: managed policy ${added ? 'attached to' : 'detached from'} ${readable(m.identityArn, ctx)}`,
        details: [`${added ? '+' : '-'} ${readable(String(m.managedPolicyArn), ctx)}`],
      });
    }
  }
  return flags;
}

export function securityGroupFlags(ctx: FlagContext, diff: TemplateDiff): DangerFlag[] {
  const flags: DangerFlag[] = [];
  const sg = diff.securityGroupChanges;
  const groups = [['ingress', sg.ingress.additions, true], ['ingress', sg.ingress.removals, false], ['egress', sg.egress.additions, true], ['egress', sg.egress.removals, false]] as const;
  for (const [direction, rules, added] of groups) {
    for (const rule of rules) {
      const peer = rule.describePeer();
      const open = /^Everyone/.test(peer);
      const owner = ownerOf(ctx, [rule.groupId]);
      flags.push({
        stack: ctx.stack, ...owner,
        severity: added ? 'danger' : 'caution',
        category: 'security-group',
        reason: `security group ${added ? 'opened' : 'closed'}: ${direction} ${rule.describeProtocol()} ${direction === 'ingress' ? 'from' : 'to'} ${readable(peer, ctx)} on ${readable(rule.groupId, ctx)}${open && added ? ' (open to everyone)' : ''}`,
        details: [`${added ? '+' : '-'} ${direction} ${rule.describeProtocol()} ${readable(peer, ctx)}`],
      });
    }
  }
  return flags;
}

/**
 * A new stack adds every statement and rule at once; one flag per category, with all of them as
 * details (wildcards first), tells a reviewer more than hundreds of lines.
 */
export function summarizeNewStack(stack: string, flags: readonly DangerFlag[]): DangerFlag[] {
  const out: DangerFlag[] = [];
  for (const category of ['iam', 'security-group'] as const) {
    const mine = flags.filter((f) => f.category === category);
    if (mine.length === 0) continue;
    const wide = mine.filter((f) => /wildcard|open to everyone/.test(f.reason));
    const details = [...wide, ...mine.filter((f) => !wide.includes(f))].flatMap((f) => f.details);
    const what = category === 'iam' ? 'IAM grants' : 'security group rules';
    const note = category === 'iam' ? 'with a wildcard' : 'open to everyone';
    out.push({
      stack, fleet: 'shared', category,
      severity: mine.some((f) => f.severity === 'danger') ? 'danger' : 'caution',
      reason: `new stack: ${details.length} ${what}${wide.length ? ` (${wide.length} ${note})` : ''}; review them before the first deploy`,
      details,
    });
  }
  return out;
}
