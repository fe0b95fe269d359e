import { displayPath } from './flags';
import { serviceLabel } from './attribution';
import { CostEstimate, DangerFlag, DiffReport, EnvironmentReport, ResourceChangeReport, StackReport } from './types';

/** The hidden marker that identifies the diff's pull-request comment, so it is updated, not repeated. */
export const COMMENT_MARKER = '<!-- bluegreen-fleet-diff -->';

/** GitHub rejects comments over 65,536 characters; leave room for the marker and a note. */
export const MAX_COMMENT_LENGTH = 65_000;

const CATEGORY: Readonly<Record<DangerFlag['category'], string>> = {
  'stateful-resource': 'Stateful resource',
  iam: 'IAM',
  'security-group': 'Security group',
  'production-listener': 'Production listener',
  'live-color': 'Live color',
  'both-fleets': 'Both fleets',
  'live-fleet': 'Live fleet',
};

const SIGN: Readonly<Record<ResourceChangeReport['kind'], string>> = { added: '+', changed: '~', removed: '-' };

export function usd(n: number): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Hourly prices need more digits than monthly totals ($0.0243/h). */
export function usdHourly(n: number): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

export function signedUsd(n: number): string {
  return `${n >= 0 ? '+' : '-'}${usd(Math.abs(n))}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function fleetText(flag: Pick<DangerFlag, 'fleet' | 'service'>): string {
  if (flag.fleet === 'blue' || flag.fleet === 'green') return ` (${flag.fleet} fleet)`;
  return flag.service ? ' (shared)' : '';
}

function flagLine(flag: DangerFlag): string {
  const icon = flag.severity === 'danger' ? '🔴' : '🟡';
  const where = flag.path ? ` · ${code(displayPath(flag.path, flag.logicalId ?? ''))}` : flag.service ? ` · ${code(serviceLabel(flag.service))}` : '';
  const lines = [`- ${icon} **${CATEGORY[flag.category]}** ${code(flag.stack)}${where}${fleetText(flag)}: ${flag.reason}`];
  for (const d of flag.details.slice(0, 10)) lines.push(`  - ${code(d)}`);
  if (flag.details.length > 10) lines.push(`  - … ${flag.details.length - 10} more`);
  return lines.join('\n');
}

function resourceTable(stack: StackReport): string {
  const rows = stack.resources.map((r) => `| ${SIGN[r.kind]} | ${code(displayPath(r.path, r.logicalId))} | ${r.type} | ${r.service ? `${r.fleet}` : '–'} | ${r.impact} | ${cell(r.properties.join(', '))} |`);
  return [
    `<details><summary>${stack.stackName}: ${stack.added} added, ${stack.changed} changed, ${stack.removed} removed</summary>`,
    '',
    '| | resource | type | fleet | impact | properties |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}

function costTable(env: EnvironmentReport): string {
  const key = (l: { stack: string; item: string }) => `${l.stack}\u0000${l.item}`;
  const before = new Map(env.cost.before.lines.map((l) => [key(l), l]));
  const after = new Map(env.cost.after.lines.map((l) => [key(l), l]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const side = (l?: CostEstimate['lines'][number]) => (l ? `${l.quantity} × ${usdHourly(l.usdPerHour)}/h = ${usd(l.monthlyUsd)}` : '–');
  const rows = keys.map((k) => {
    const b = before.get(k);
    const a = after.get(k);
    const l = (a ?? b)!;
    return `| ${code(l.stack)} | ${cell(l.item)} | ${side(b)} | ${side(a)} |`;
  });
  const warnings = [...new Set([...env.cost.before.warnings, ...env.cost.after.warnings])];
  return [
    `<details><summary>Cost estimate for ${env.environment}: ${usd(env.cost.before.monthlyUsd)} → ${usd(env.cost.after.monthlyUsd)} a month</summary>`,
    '',
    '| stack | item | before (avg count × hourly = monthly) | after |',
    '|---|---|---|---|',
    ...(rows.length ? rows : ['| – | nothing this estimate prices | – | – |']),
    ...(warnings.length ? ['', 'Not priced or approximated:', ...warnings.map((w) => `- ${cell(w)}`)] : []),
    '',
    '</details>',
  ].join('\n');
}

function environmentSection(env: EnvironmentReport, withResources: boolean): string {
  const changed = env.stacks.filter((s) => s.status !== 'unchanged');
  const flags = env.stacks.flatMap((s) => s.flags);
  const out = [`### ${env.environment}${env.production ? ' (production)' : ''}`, ''];
  if (changed.length === 0) out.push('No changes.', '');
  for (const severity of ['danger', 'caution'] as const) {
    const list = flags.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    out.push(severity === 'danger' ? '**Dangerous**' : '**Caution**', '', ...list.map(flagLine), '');
  }
  const services = env.stacks.flatMap((s) => s.services);
  if (services.length > 0) {
    out.push('| service | live fleet | blue | green | shared | what it means |', '|---|---|---|---|---|---|');
    for (const s of services) {
      const mark = (on: boolean) => (on ? 'changed' : '–');
      out.push(`| ${code(s.service)} | ${s.liveColor} | ${mark(s.fleetsTouched.includes('blue'))} | ${mark(s.fleetsTouched.includes('green'))} | ${mark(s.sharedTouched)} | ${cell(s.summary)} |`);
    }
    out.push('');
  }
  if (withResources) for (const s of changed.filter((x) => x.resources.length > 0)) out.push(resourceTable(s), '');
  for (const s of changed.filter((x) => x.status === 'added' || x.status === 'removed')) out.push(`- ${code(s.stackName)} is ${s.status === 'added' ? 'a new stack' : 'no longer in the app'}.`);
  out.push(costTable(env), '');
  return out.join('\n');
}

function render(report: DiffReport, withResources: boolean): string {
  const { danger, caution } = report.counts;
  const title = report.dangerous
    ? `## 🔴 Infrastructure diff: ${danger} dangerous change${danger === 1 ? '' : 's'} need${danger === 1 ? 's' : ''} approval`
    : `## ✅ Infrastructure diff: no dangerous changes${caution ? ` (${caution} to note)` : ''}`;
  const live = report.liveColorSource === 'deployed-stacks'
    ? 'Live fleet: read from the deployed stacks.'
    : 'Live fleet: **unknown** (no AWS credentials); changes to both fleets are shown.';
  const rows = report.environments.map((e) => {
    const count = (k: 'added' | 'changed' | 'removed') => e.stacks.reduce((n, s) => n + s[k], 0);
    const flags = e.stacks.flatMap((s) => s.flags);
    const d = flags.filter((f) => f.severity === 'danger').length;
    return `| ${e.environment} | ${count('added')} | ${count('changed')} | ${count('removed')} | ${d ? `🔴 ${d}` : '0'} | ${flags.length - d} | ${usd(e.cost.before.monthlyUsd)} → ${usd(e.cost.after.monthlyUsd)} (${signedUsd(e.cost.deltaUsd)}) |`;
  });
  return [
    COMMENT_MARKER,
    title,
    '',
    `Base ${code(report.base)} → head ${code(report.head)}. ${live}`,
    `Cost is an **estimate**: on-demand list prices of ${report.priceTable.asOf} (${report.priceTable.region}), hourly charges only.`,
    '',
    '| environment | added | changed | removed | dangerous | caution | est. monthly cost |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...report.environments.map((e) => environmentSection(e, withResources)),
    ...(report.warnings.length ? ['', ...report.warnings.map((w) => `> ${cell(w)}`)] : []),
    '',
  ].join('\n');
}

/** The pull-request comment. Over GitHub's limit, resource tables are dropped first, then the text is cut. */
export function renderMarkdown(report: DiffReport, maxLength = MAX_COMMENT_LENGTH): string {
  const full = render(report, true);
  if (full.length <= maxLength) return full;
  const short = `${render(report, false)}\n_Resource tables left out to fit a comment; run \`npm run diff\` or see the job summary for all of them._\n`;
  if (short.length <= maxLength) return short;
  return `${short.slice(0, maxLength - 80)}\n\n_… cut to fit a comment; see the job summary._\n`;
}
