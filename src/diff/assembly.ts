import { existsSync, readFileSync, realpathSync } from 'fs';
import * as path from 'path';
import { CfnTemplate } from './template';

/**
 * Reads the stacks of a cloud assembly folder (`cdk.out`) straight from manifest.json: the diff
 * needs templates, stack names, environments, tags and construct paths, nothing the CDK CLI must
 * load. Nested assemblies (stages) are followed.
 */

export const ENVIRONMENT_TAG = 'bluegreen-fleet:environment';

export interface AssemblyStack {
  readonly stackName: string;
  readonly artifactId: string;
  /** How the CDK CLI and toolkit name the stack (the construct path for stacks in stages). */
  readonly displayName?: string;
  readonly account?: string;
  readonly region?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly terminationProtection: boolean;
  readonly template: CfnTemplate;
  /** Logical id to construct path (without a leading slash), for resources, parameters, outputs. */
  readonly paths: ReadonlyMap<string, string>;
}

export interface LoadedAssembly {
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: Record<string, unknown>;
  readonly metadata?: Record<string, ReadonlyArray<{ type: string; data?: unknown }>>;
  readonly additionalMetadataFile?: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A path the manifest names, resolved inside the assembly directory. A manifest is input (an
 * assembly may come from a cache or an artifact of an untrusted build), so a path that leaves
 * the directory, by `..`, an absolute path or a symbolic link, is refused rather than read.
 */
export function insideAssembly(directory: string, relative: unknown, what: string): string {
  if (typeof relative !== 'string' || relative === '') throw new Error(`${path.join(directory, 'manifest.json')}: ${what} is missing`);
  const root = realpathSync(directory);
  const resolved = path.resolve(root, relative);
  const real = existsSync(resolved) ? realpathSync(resolved) : resolved;
  const rel = path.relative(root, real);
  if (path.isAbsolute(relative) || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new Error(`${path.join(directory, 'manifest.json')}: ${what} "${relative}" points outside the assembly directory; refusing to read it`);
  }
  return real;
}

export function loadAssembly(directory: string): LoadedAssembly {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`${directory} is not a cloud assembly: manifest.json is missing (synthesize with cdk synth -o ${directory})`);
  }
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: AssemblyStack[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const nested = insideAssembly(directory, artifact.properties?.directoryName, `artifact ${artifactId} directoryName`);
      stacks.push(...loadAssembly(nested).stacks);
    } else if (artifact.type === 'aws:cloudformation:stack') {
      stacks.push(readStack(directory, artifactId, artifact));
    }
  }
  return { directory, stacks };
}

function readStack(directory: string, artifactId: string, artifact: ManifestArtifact): AssemblyStack {
  const props = artifact.properties ?? {};
  const template = readJson(insideAssembly(directory, props.templateFile, `artifact ${artifactId} templateFile`)) as CfnTemplate;
  const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
  const known = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
  const metadata = { ...(artifact.metadata ?? {}) };
  if (artifact.additionalMetadataFile) {
    const extra = insideAssembly(directory, artifact.additionalMetadataFile, `artifact ${artifactId} additionalMetadataFile`);
    if (existsSync(extra)) Object.assign(metadata, readJson(extra));
  }
  const paths = new Map<string, string>();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, constructPath.replace(/^\//, ''));
    }
  }
  // The template's own path metadata wins: it is what a deployed template carries too.
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const p = resource.Metadata?.['aws:cdk:path'];
    if (typeof p === 'string') paths.set(id, p);
  }
  return {
    stackName: String(props.stackName ?? artifact.displayName ?? artifactId),
    artifactId,
    displayName: artifact.displayName,
    account: known(env?.[1]),
    region: known(env?.[2]),
    tags: (props.tags as Record<string, string> | undefined) ?? {},
    terminationProtection: props.terminationProtection === true,
    template,
    paths,
  };
}

/**
 * The environment a stack belongs to: its `bluegreen-fleet:environment` tag, else the name
 * (`bgf-shared`, `bgf-<env>-network`, or `bgf-<env>-<service>` where `<env>` is the longest
 * environment that has a network stack in the same assembly).
 */
export function environmentOf(stack: Pick<AssemblyStack, 'stackName' | 'tags'>, knownEnvironments: readonly string[]): string {
  const tagged = stack.tags[ENVIRONMENT_TAG];
  if (tagged) return tagged;
  const m = /^bgf-(.+)$/.exec(stack.stackName);
  if (!m) return 'other';
  const rest = m[1];
  if (rest === 'shared') return 'shared';
  const network = /^(.+)-network$/.exec(rest);
  if (network) return network[1];
  const candidates = knownEnvironments.filter((e) => rest.startsWith(`${e}-`)).sort((a, b) => b.length - a.length);
  if (candidates.length > 0) return candidates[0];
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? rest.slice(0, dash) : rest;
}

/** Environment names that have a network stack (or a tag) in any of the given stacks. */
export function knownEnvironments(stacks: readonly AssemblyStack[]): string[] {
  const names = new Set<string>();
  for (const s of stacks) {
    if (s.tags[ENVIRONMENT_TAG]) names.add(s.tags[ENVIRONMENT_TAG]);
    const network = /^bgf-(.+)-network$/.exec(s.stackName);
    if (network) names.add(network[1]);
  }
  return [...names];
}

export function isProductionEnvironment(environment: string): boolean {
  return environment === 'production';
}
