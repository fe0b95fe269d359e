import { execFile } from 'child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';

/**
 * Synthesizes the app offline: the working tree as it is, or a git ref in a temporary worktree
 * that reuses this checkout's node_modules (a second `npm ci` would cost minutes). The worktree is
 * removed afterwards, also when the build fails.
 */

const exec = promisify(execFile);

export type Runner = (command: string, args: readonly string[], cwd: string) => Promise<void>;

export const runCommand: Runner = async (command, args, cwd) => {
  try {
    await exec(command, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${output || e.message}`, { cause: error });
  }
};

export interface SynthOptions {
  /** `cdk synth -c key=value` entries, e.g. `env=production`. */
  readonly context?: readonly string[];
  readonly run?: Runner;
}

/** Whether the checkout's cdk.json runs compiled output (older revisions) rather than the sources. */
export function needsBuild(dir: string): boolean {
  const file = path.join(dir, 'cdk.json');
  if (!existsSync(file)) return false;
  const app = (JSON.parse(readFileSync(file, 'utf8')) as { app?: string }).app ?? '';
  return /\bdist\//.test(app);
}

/**
 * Synthesizes the app in `dir` into `outDir` with the project's own cdk. Revisions whose cdk.json
 * runs `dist/` are compiled with tsc first; newer ones run the sources (scripts/app.js).
 */
export async function synthesizeApp(dir: string, outDir: string, modulesDir: string, options: SynthOptions = {}): Promise<string> {
  const run = options.run ?? runCommand;
  const bin = (name: string) => path.join(modulesDir, '.bin', name);
  if (needsBuild(dir)) await run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
  const context = (options.context ?? []).flatMap((c) => ['-c', c]);
  await run(bin('cdk'), ['synth', '--quiet', '--no-notices', '-o', outDir, ...context], dir);
  return outDir;
}

export interface RefSynthOptions extends SynthOptions {
  readonly repoRoot: string;
  readonly ref: string;
  /** Where the assembly goes; it must outlive the worktree. */
  readonly outDir: string;
  /** Replaces synthesizeApp (tests). */
  readonly synth?: (worktree: string, outDir: string) => Promise<void>;
}

export async function synthesizeRef(options: RefSynthOptions): Promise<string> {
  const run = options.run ?? runCommand;
  const scratch = mkdtempSync(path.join(tmpdir(), 'bgf-diff-base-'));
  const worktree = path.join(scratch, 'tree');
  const modules = path.join(options.repoRoot, 'node_modules');
  try {
    await run('git', ['worktree', 'add', '--detach', '--force', worktree, options.ref], options.repoRoot);
    if (existsSync(modules)) symlinkSync(modules, path.join(worktree, 'node_modules'), 'dir');
    if (options.synth) await options.synth(worktree, options.outDir);
    else await synthesizeApp(worktree, options.outDir, modules, options);
    return options.outDir;
  } finally {
    // Unlink the shared node_modules first, so nothing below can ever delete through it.
    const link = path.join(worktree, 'node_modules');
    if (existsSync(link) && lstatSync(link).isSymbolicLink()) unlinkSync(link);
    await run('git', ['worktree', 'remove', '--force', worktree], options.repoRoot).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    await run('git', ['worktree', 'prune'], options.repoRoot).catch(() => undefined);
  }
}
