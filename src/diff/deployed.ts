import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { AssemblyStack, LoadedAssembly } from './assembly';
import { CfnTemplate, templatePath } from './template';

/**
 * `--deployed`: the head assembly against what is deployed. The resource diff comes from the CDK
 * toolkit (template-only method: read permissions suffice, so the read-only diff role works); the
 * deployed templates themselves are read too, for the "before" cost and the parameter and
 * condition context the classifier needs.
 */

export interface DeployedSources {
  /** Toolkit diffs by the toolkit's stack name (display name, else stack name). */
  toolkitDiff(assemblyDir: string): Promise<Record<string, TemplateDiff>>;
  /** The deployed template, or undefined when the stack is not deployed. */
  deployedTemplate(stack: AssemblyStack): Promise<CfnTemplate | undefined>;
}

export async function toolkitDiff(assemblyDir: string): Promise<Record<string, TemplateDiff>> {
  const { Toolkit, DiffMethod } = await import('@aws-cdk/toolkit-lib');
  // Only errors reach the terminal: the report is this command's output.
  const ioHost = {
    notify: async (msg: { level: string; message: string }) => {
      if (msg.level === 'error') console.error(msg.message);
    },
    requestResponse: async <T>(msg: { defaultResponse: T }) => msg.defaultResponse,
  };
  const toolkit = new Toolkit({ ioHost, emojis: false, color: false });
  const source = await toolkit.fromAssemblyDirectory(assemblyDir);
  return toolkit.diff(source, { method: DiffMethod.TemplateOnly() });
}

export function cloudFormationTemplates(clientFor: (region: string | undefined) => CloudFormationClient = (region) => new CloudFormationClient({ region })) {
  return async (stack: AssemblyStack): Promise<CfnTemplate | undefined> => {
    try {
      const out = await clientFor(stack.region).send(new GetTemplateCommand({ StackName: stack.stackName, TemplateStage: 'Original' }));
      return out.TemplateBody ? (JSON.parse(out.TemplateBody) as CfnTemplate) : undefined;
    } catch (error) {
      if (/does not exist/.test((error as Error).message)) return undefined;
      throw error;
    }
  };
}

export const DEPLOYED_SOURCES: DeployedSources = { toolkitDiff, deployedTemplate: cloudFormationTemplates() };

/** A base "assembly" of the deployed templates, and the toolkit's diffs keyed by stack name. */
export async function deployedBase(head: LoadedAssembly, sources: DeployedSources = DEPLOYED_SOURCES): Promise<{ base: LoadedAssembly; precomputed: Map<string, TemplateDiff> }> {
  const diffs = await sources.toolkitDiff(head.directory);
  const precomputed = new Map<string, TemplateDiff>();
  const stacks: AssemblyStack[] = [];
  for (const stack of head.stacks) {
    const diff = diffs[stack.displayName ?? ''] ?? diffs[stack.stackName];
    if (diff) precomputed.set(stack.stackName, diff);
    const template = await sources.deployedTemplate(stack);
    if (!template) continue;
    const paths = new Map<string, string>();
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      const p = templatePath(r);
      if (p) paths.set(id, p);
    }
    stacks.push({ ...stack, template, paths });
  }
  return { base: { directory: 'deployed stacks', stacks }, precomputed };
}
