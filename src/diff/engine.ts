import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { AssemblyStack, environmentOf, isProductionEnvironment, knownEnvironments, LoadedAssembly } from './assembly';
import { classifyStack } from './classify';
import { estimateCost, round2 } from './cost';
import { LiveColorLookup } from './live-color';
import { PriceTable } from './prices';
import { DiffReport, EnvironmentReport, StackReport } from './types';

export interface DiffOptions {
  /** How the two sides are named in the report (a git ref, a folder, "deployed stacks"). */
  readonly baseLabel: string;
  readonly headLabel: string;
  readonly liveColors: LiveColorLookup;
  /** Whether `liveColors` reads deployed stacks (for the report's wording). */
  readonly liveColorsDeployed: boolean;
  readonly priceTables: readonly PriceTable[];
  /** Diffs computed by the CDK toolkit against deployed stacks, by stack name (`--deployed`). */
  readonly precomputed?: ReadonlyMap<string, TemplateDiff>;
}

const ORDER = ['production', 'shared', 'staging', 'load', 'dev'];

function environmentRank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

/**
 * Compares two cloud assemblies stack by stack (matched by stack name), classifies and attributes
 * every change, and estimates each environment's monthly cost on both sides.
 */
export async function diffAssemblies(base: LoadedAssembly, head: LoadedAssembly, options: DiffOptions): Promise<DiffReport> {
  const baseByName = new Map(base.stacks.map((s) => [s.stackName, s]));
  const headByName = new Map(head.stacks.map((s) => [s.stackName, s]));
  const names = [...new Set([...headByName.keys(), ...baseByName.keys()])];
  const known = knownEnvironments([...base.stacks, ...head.stacks]);
  const lookupStacks = names.map((n) => headByName.get(n) ?? baseByName.get(n)).filter((s): s is AssemblyStack => !!s);
  const { colors, warnings } = await options.liveColors.lookup(lookupStacks);

  const byEnvironment = new Map<string, { reports: StackReport[]; before: AssemblyStack[]; after: AssemblyStack[] }>();
  for (const name of names) {
    const oldStack = baseByName.get(name);
    const newStack = headByName.get(name);
    const environment = environmentOf((newStack ?? oldStack)!, known);
    const entry = byEnvironment.get(environment) ?? { reports: [], before: [], after: [] };
    byEnvironment.set(environment, entry);
    if (oldStack) entry.before.push(oldStack);
    if (newStack) entry.after.push(newStack);
    entry.reports.push(classifyStack({
      stackName: name,
      environment,
      production: isProductionEnvironment(environment),
      oldTemplate: oldStack?.template,
      newTemplate: newStack?.template,
      paths: new Map([...(oldStack?.paths ?? []), ...(newStack?.paths ?? [])]),
      diff: options.precomputed?.get(name),
      liveColors: colors,
    }));
  }

  const costInputs = (stacks: readonly AssemblyStack[]) => stacks.map((s) => ({ stackName: s.stackName, region: s.region, template: s.template, paths: s.paths, liveColors: colors }));
  const environments: EnvironmentReport[] = [...byEnvironment.entries()]
    .sort(([a], [b]) => environmentRank(a) - environmentRank(b) || a.localeCompare(b))
    .map(([environment, entry]) => {
      const before = estimateCost(costInputs(entry.before), options.priceTables);
      const after = estimateCost(costInputs(entry.after), options.priceTables);
      return {
        environment,
        production: isProductionEnvironment(environment),
        stacks: entry.reports.sort((a, b) => a.stackName.localeCompare(b.stackName)),
        cost: { before, after, deltaUsd: round2(after.monthlyUsd - before.monthlyUsd) },
      };
    });

  const flags = environments.flatMap((e) => e.stacks.flatMap((s) => s.flags));
  const danger = flags.filter((f) => f.severity === 'danger').length;
  const table = options.priceTables[0];
  return {
    base: options.baseLabel,
    head: options.headLabel,
    liveColorSource: options.liveColorsDeployed ? 'deployed-stacks' : 'unknown',
    priceTable: { region: table?.region ?? 'none', asOf: table?.asOf ?? 'none', source: table?.source ?? 'none' },
    environments,
    dangerous: danger > 0,
    counts: {
      danger,
      caution: flags.length - danger,
      resources: environments.reduce((n, e) => n + e.stacks.reduce((m, s) => m + s.resources.length, 0), 0),
    },
    warnings,
  };
}
