import type { DiffCommandOptions } from './diff.options';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { loadAssembly, LoadedAssembly } from '../diff/assembly';
import { DEPLOYED_SOURCES, deployedBase, DeployedSources } from '../diff/deployed';
import { diffAssemblies } from '../diff/engine';
import { CloudFormationLiveColors, FileLiveColors, hasAwsCredentials, LiveColorLookup, UNKNOWN_LIVE_COLORS } from '../diff/live-color';
import { defaultPriceTables, readPriceTable } from '../diff/prices';
import { renderMarkdown } from '../diff/render-markdown';
import { renderText } from '../diff/render-text';
import { resolveCommit, synthesizeApp, synthesizeRef } from '../diff/synth';
import { DANGER_EXIT_CODE, EXIT_OK } from '../diff/types';

/** Options of `bluegreen-fleet diff` as commander parses them: from its one definition. */
export type { DiffCommandOptions };

/** What the command reaches outside itself; tests replace parts of it. */
export interface DiffDependencies {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly write: (text: string) => void;
  readonly liveColors: () => LiveColorLookup;
  readonly deployed: DeployedSources;
  readonly synthHead: (repoRoot: string, outDir: string, context: readonly string[]) => Promise<string>;
  /** The base side: a verified commit id, synthesized without the policy gates. */
  readonly synthRef: (repoRoot: string, commit: string, outDir: string, context: readonly string[]) => Promise<string>;
  /** `--base-ref` to a commit id, or an error naming the option (src/diff/synth.ts). */
  readonly resolveCommit: (repoRoot: string, ref: string) => Promise<string>;
}

export const DEFAULT_DEPENDENCIES: DiffDependencies = {
  cwd: process.cwd(),
  env: process.env,
  write: (text) => process.stdout.write(text),
  liveColors: () => new CloudFormationLiveColors(),
  deployed: DEPLOYED_SOURCES,
  synthHead: (repoRoot, outDir, context) => synthesizeApp(repoRoot, outDir, path.join(repoRoot, 'node_modules'), { context }),
  synthRef: (repoRoot, commit, outDir, context) => synthesizeRef({ repoRoot, ref: commit, outDir, context, withoutPolicyGates: true }),
  resolveCommit: (repoRoot, ref) => resolveCommit(repoRoot, ref),
};

/** An assembly the user named, with the option in any error about it. */
function loadNamed(option: string, dir: string): LoadedAssembly {
  try {
    return loadAssembly(dir);
  } catch (error) {
    throw new Error(`${option} ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

function writeOut(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

/**
 * Runs the diff and returns the exit code: 0 nothing dangerous, 3 a dangerous change (CI asks for
 * an approval). Errors are thrown; the CLI turns them into exit code 1.
 */
export async function runDiffCommand(options: DiffCommandOptions, deps: DiffDependencies = DEFAULT_DEPENDENCIES): Promise<number> {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!['text', 'markdown', 'json'].includes(format)) throw new Error(`--format must be text, markdown or json, not "${format}"`);
  if (options.deployed && (options.baseRef || options.baseAssembly)) throw new Error('--deployed compares with the deployed stacks; it cannot be combined with --base-ref or --base-assembly');
  if (options.baseRef && options.baseAssembly) throw new Error('give either --base-ref or --base-assembly, not both');
  if (options.liveState && options.liveColor === false) throw new Error('--live-state gives the live colors; it cannot be combined with --no-live-color');
  const fileColors = options.liveState ? new FileLiveColors(options.liveState) : undefined;
  const credentials = hasAwsCredentials(deps.env);
  if (options.deployed && !credentials) throw new Error('--deployed needs AWS credentials (AWS_PROFILE, access keys or a web identity token); without them, diff two assemblies or a git ref');
  const needsSynth = !options.headAssembly || (!options.baseAssembly && !options.deployed);
  if (needsSynth && !existsSync(path.join(deps.cwd, 'cdk.json'))) throw new Error(`${deps.cwd} has no cdk.json: run the diff from the project root, or pass --base-assembly and --head-assembly`);

  const context = options.context ?? [];
  for (const c of context) if (!/^[^=\s]+=/.test(c)) throw new Error(`--context "${c}" must be key=value, e.g. env=production`);
  const baseRef = !options.deployed && !options.baseAssembly ? (options.baseRef ?? 'HEAD') : undefined;
  // Verified before anything is synthesized, so a bad ref costs nothing.
  const baseCommit = baseRef !== undefined ? await deps.resolveCommit(deps.cwd, baseRef) : undefined;
  const scratch = mkdtempSync(path.join(tmpdir(), 'bgf-diff-'));
  try {
    // The head (with its gates) and the base (without) synthesize side by side; both finish
    // (and clean up their worktree) before an error of either is reported.
    const [headSide, baseSide] = await Promise.allSettled([
      options.headAssembly ?? deps.synthHead(deps.cwd, path.join(scratch, 'head.out'), context),
      baseCommit !== undefined ? deps.synthRef(deps.cwd, baseCommit, path.join(scratch, 'base.out'), context) : undefined,
    ]);
    if (headSide.status === 'rejected') throw headSide.reason;
    if (baseSide.status === 'rejected') throw baseSide.reason;
    const headDir = headSide.value;
    const baseDir = baseSide.value;
    const head = options.headAssembly ? loadNamed('--head-assembly', headDir) : loadAssembly(headDir);
    let base: LoadedAssembly;
    let precomputed;
    let baseLabel: string;
    if (options.deployed) {
      ({ base, precomputed } = await deployedBase(head, deps.deployed));
      baseLabel = 'deployed stacks';
    } else if (options.baseAssembly) {
      base = loadNamed('--base-assembly', options.baseAssembly);
      baseLabel = options.baseAssembly;
    } else {
      base = loadAssembly(baseDir as string);
      baseLabel = baseRef as string;
    }
    const lookUp = options.liveColor !== false && credentials;
    const report = await diffAssemblies(base, head, {
      baseLabel,
      headLabel: options.headAssembly ?? 'working tree',
      liveColors: fileColors ?? (lookUp ? deps.liveColors() : UNKNOWN_LIVE_COLORS),
      liveColorsDeployed: !!fileColors || lookUp,
      priceTables: options.prices ? [readPriceTable(options.prices)] : defaultPriceTables(),
      precomputed,
    });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (options.markdownOut) writeOut(options.markdownOut, renderMarkdown(report));
    if (options.jsonOut) writeOut(options.jsonOut, json);
    deps.write(format === 'json' ? json : format === 'markdown' ? renderMarkdown(report) : renderText(report));
    return report.dangerous ? DANGER_EXIT_CODE : EXIT_OK;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
