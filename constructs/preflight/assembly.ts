import * as fs from 'fs';
import * as path from 'path';

/** A CloudFormation template as JSON (only the parts the rules read are typed). */
export interface TemplateJson {
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

/** One stack of a cloud assembly, with what the manifest says about where and how it deploys. */
export interface AssemblyStack {
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The artifact id (also the template's file name without `.template.json`). */
  readonly artifactId: string;
  readonly templatePath: string;
  readonly template: TemplateJson;
  /** Account from the manifest's `aws://account/region`, or UNKNOWN_ACCOUNT for env-agnostic stacks. */
  readonly account: string;
  readonly region: string;
  /** The CDK deploy role (`assumeRoleArn`) of a stack synthesized by the DefaultStackSynthesizer. */
  readonly deployRoleArn?: string;
  /** The CDK execution role (`cloudFormationExecutionRoleArn`) cdk deploy passes as RoleArn. */
  readonly executionRoleArn?: string;
  /** The SSM parameter holding the bootstrap version, which the deploy role may read. */
  readonly bootstrapVersionParameter?: string;
}

export interface Assembly {
  readonly stacks: readonly AssemblyStack[];
}

/**
 * Placeholders for the account and Region of an env-agnostic stack. Policies of such stacks that
 * say `${AWS::AccountId}` resolve to the same placeholder, so env-agnostic stacks are compared as
 * if they deploy to one account and Region (assumed: that is how an env-agnostic app is deployed
 * with one set of credentials).
 */
export const UNKNOWN_ACCOUNT = '<account>';
export const UNKNOWN_REGION = '<region>';

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly assumeRoleArn?: string;
    readonly cloudFormationExecutionRoleArn?: string;
    readonly bootstrapStackVersionSsmParameter?: string;
    readonly directoryName?: string;
  };
}

interface Manifest {
  readonly artifacts?: Record<string, ManifestArtifact>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function parseEnvironment(environment: string | undefined): { account: string; region: string } {
  // aws://<account>/<region>, with unknown-account / unknown-region for env-agnostic stacks
  // (https://docs.aws.amazon.com/cdk/v2/guide/environments.html).
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  const account = match && match[1] !== 'unknown-account' ? match[1] : UNKNOWN_ACCOUNT;
  const region = match && match[2] !== 'unknown-region' ? match[2] : UNKNOWN_REGION;
  return { account, region };
}

/** The synthesizer writes role ARNs with `${AWS::Partition}` (and, env-agnostic, account/Region) unresolved. */
function substitutePseudo(value: string | undefined, account: string, region: string): string | undefined {
  return value
    ?.replace(/\$\{AWS::Partition\}/g, 'aws')
    .replace(/\$\{AWS::AccountId\}/g, account)
    .replace(/\$\{AWS::Region\}/g, region);
}

function stackFromArtifact(dir: string, id: string, artifact: ManifestArtifact): AssemblyStack | undefined {
  const props = artifact.properties ?? {};
  if (artifact.type !== 'aws:cloudformation:stack' || !props.templateFile) return undefined;
  const { account, region } = parseEnvironment(artifact.environment);
  const templatePath = path.join(dir, props.templateFile);
  return {
    stackName: props.stackName ?? id,
    artifactId: id,
    templatePath,
    template: readJson<TemplateJson>(templatePath),
    account,
    region,
    deployRoleArn: substitutePseudo(props.assumeRoleArn, account, region),
    executionRoleArn: substitutePseudo(props.cloudFormationExecutionRoleArn, account, region),
    bootstrapVersionParameter: props.bootstrapStackVersionSsmParameter,
  };
}

/**
 * Reads every stack of a cloud assembly directory (cdk.out), nested assemblies (stages) included.
 * The manifest format is the cloud assembly schema's
 * (https://github.com/aws/aws-cdk/tree/main/packages/%40aws-cdk/cloud-assembly-schema).
 */
export function readAssembly(dir: string): Assembly {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`preflight: ${dir} is not a cloud assembly (no manifest.json); run cdk synth first or pass --assembly <cdk.out>`);
  }
  const manifest = readJson<Manifest>(manifestPath);
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(dir, artifact.properties.directoryName)).stacks);
      continue;
    }
    const stack = stackFromArtifact(dir, id, artifact);
    if (stack) stacks.push(stack);
  }
  return { stacks };
}

/**
 * The stacks a validation plugin was handed. Validation runs after the assembly is written, so
 * each template's directory holds the manifest that describes it; a template the manifest does
 * not know is read without deployment details.
 */
export function assemblyFromTemplates(templatePaths: readonly string[]): Assembly {
  const byDir = new Map<string, Map<string, AssemblyStack>>();
  const stacks: AssemblyStack[] = [];
  for (const templatePath of templatePaths) {
    const dir = path.dirname(templatePath);
    if (!byDir.has(dir)) {
      const known = new Map<string, AssemblyStack>();
      const manifestPath = path.join(dir, 'manifest.json');
      if (fs.existsSync(manifestPath)) {
        for (const [id, artifact] of Object.entries(readJson<Manifest>(manifestPath).artifacts ?? {})) {
          const stack = artifact.properties?.templateFile && artifact.type === 'aws:cloudformation:stack' ? stackFromArtifact(dir, id, artifact) : undefined;
          if (stack) known.set(path.resolve(stack.templatePath), stack);
        }
      }
      byDir.set(dir, known);
    }
    const known = byDir.get(dir)!.get(path.resolve(templatePath));
    const artifactId = path.basename(templatePath).replace(/\.template\.json$/, '');
    stacks.push(known ?? { stackName: artifactId, artifactId, templatePath, template: readJson<TemplateJson>(templatePath), account: UNKNOWN_ACCOUNT, region: UNKNOWN_REGION });
  }
  return { stacks };
}

/** The construct path CDK records in each resource's metadata, when path metadata is on. */
export function constructPathOf(resource: TemplateResource | undefined): string | undefined {
  const value = resource?.Metadata?.['aws:cdk:path'];
  return typeof value === 'string' ? value : undefined;
}

export function resourcesOfType(stack: AssemblyStack, type: string): [string, TemplateResource][] {
  return Object.entries(stack.template.Resources ?? {}).filter(([, r]) => r.Type === type);
}
