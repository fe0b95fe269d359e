import { serviceLabel } from './attribution';
import { displayPath } from './flags';
import { signedUsd, usd } from './render-markdown';
import { DiffReport } from './types';

const SIGN = { added: '+', changed: '~', removed: '-' } as const;

/** The terminal view: the same facts as the Markdown, one line each. */
export function renderText(report: DiffReport): string {
  const out: string[] = [];
  out.push(`bluegreen-fleet diff: ${report.base} -> ${report.head}`);
  out.push(report.liveColorSource === 'deployed-stacks' ? 'live fleet: from the deployed stacks' : 'live fleet unknown (no AWS credentials): both fleets shown');
  for (const env of report.environments) {
    out.push('', `== ${env.environment}${env.production ? ' (production)' : ''}`);
    for (const s of env.stacks) {
      if (s.status === 'unchanged') {
        out.push(`  ${s.stackName}: no changes`);
        continue;
      }
      out.push(`  ${s.stackName}: ${s.status}, ${s.added} added, ${s.changed} changed, ${s.removed} removed`);
      for (const r of s.resources) {
        const fleet = r.service ? ` [${serviceLabel(r.service)}:${r.fleet}]` : '';
        out.push(`    ${SIGN[r.kind]} ${displayPath(r.path, r.logicalId)} (${r.type}) ${r.impact}${fleet}${r.properties.length ? `: ${r.properties.join(', ')}` : ''}`);
      }
      for (const svc of s.services) out.push(`    service ${serviceLabel(svc.service)}: live ${svc.liveColor}; ${svc.summary}`);
      for (const f of s.flags) {
        out.push(`    ${f.severity === 'danger' ? 'DANGER ' : 'CAUTION'} [${f.category}] ${f.reason}`);
        for (const d of f.details) out.push(`            ${d}`);
      }
    }
    const { before, after, deltaUsd } = env.cost;
    out.push(`  estimated monthly cost: ${usd(before.monthlyUsd)} -> ${usd(after.monthlyUsd)} (${signedUsd(deltaUsd)})`);
    for (const w of new Set([...before.warnings, ...after.warnings])) out.push(`    not priced: ${w}`);
  }
  out.push('', `cost is an estimate: on-demand list prices of ${report.priceTable.asOf} (${report.priceTable.region}), hourly charges only`);
  for (const w of report.warnings) out.push(`warning: ${w}`);
  const { danger, caution } = report.counts;
  out.push(report.dangerous ? `${danger} dangerous change(s), ${caution} to note: approval needed` : `no dangerous changes${caution ? `, ${caution} to note` : ''}`);
  return `${out.join('\n')}\n`;
}
