import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as fs from 'fs';
import * as path from 'path';

const RULES_ROOT = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

interface RuleFile {
  readonly file: string;
  readonly types: ReadonlySet<string>;
}

let index: RuleFile[] | undefined;

function listRules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listRules(full);
    return entry.name.endsWith('.guard') ? [full] : [];
  });
}

/** Each Control Tower rule file with the resource types it inspects. */
export function controlTowerRuleIndex(): readonly RuleFile[] {
  index ??= listRules(RULES_ROOT).map((file) => ({ file, types: new Set(fs.readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? []) }));
  return index;
}

/** The resource types of the templates under validation. */
function templateTypes(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    for (const resource of Object.values(template.Resources ?? {})) if (resource.Type) types.add(resource.Type);
  }
  return types;
}

/** The rule files that inspect at least one resource type present in the templates. */
export function relevantControlTowerRules(templatePaths: readonly string[]): string[] {
  const present = templateTypes(templatePaths);
  return controlTowerRuleIndex()
    .filter((rule) => rule.types.size === 0 || [...rule.types].some((t) => present.has(t)))
    .map((rule) => rule.file);
}

/**
 * The Control Tower proactive controls, run through cfn-guard, but only the rule files that
 * inspect a resource type present in the templates. Every Control Tower rule selects resources
 * by type (`Resources.*[ Type == 'AWS::…' ]`), so a rule whose types are all absent has nothing
 * to check and cannot report: leaving it out changes no result and saves cfn-guard parsing
 * 237 rule files for every synth (about 6 s to 1 s on this app). A rule file that names no
 * resource type is always kept.
 */
export class ScopedControlTowerValidator implements IPolicyValidationPlugin {
  public readonly name = 'cdk-validator-cfnguard';
  public readonly version: string;
  public readonly ruleIds: string[];

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require('@cdklabs/cdk-validator-cfnguard/package.json').version;
    this.ruleIds = controlTowerRuleIndex().map((r) => path.basename(r.file, '.guard').replace('ct-', '').replace(/-/g, ''));
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const rules = relevantControlTowerRules(context.templatePaths);
    if (rules.length === 0) return { success: true, violations: [] };
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context);
  }
}
