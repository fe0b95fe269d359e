import { spawn } from 'child_process';

/**
 * Runs a program and resolves with its exit code. Injected so tests see the exact argv and can
 * look at the secret files while "docker" runs. `input` goes to stdin (a registry password never
 * appears in argv, where any user's `ps` could read it).
 */
export type ProcessRunner = (command: string, args: readonly string[], options: { readonly env: NodeJS.ProcessEnv; readonly input?: string }) => Promise<number>;

export const spawnRunner: ProcessRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env: options.env, stdio: [options.input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

export interface DockerBuildSpec {
  readonly context: string;
  readonly dockerfile?: string;
  /** Full image references, `<repository-uri>:<tag>`. */
  readonly images: readonly string[];
  /** BuildKit secret mounts: the Dockerfile reads them with `RUN --mount=type=secret,id=<id>`. */
  readonly secretFiles: ReadonlyArray<{ readonly id: string; readonly path: string }>;
  /** Plain, non-secret build arguments. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly platform?: string;
  readonly target?: string;
}

/** The `docker build` argv. Secrets travel only as `--secret id=…,src=<file>`. */
export function dockerBuildArgs(spec: DockerBuildSpec): string[] {
  const args = ['build'];
  if (spec.dockerfile) args.push('--file', spec.dockerfile);
  for (const secret of spec.secretFiles) args.push('--secret', `id=${secret.id},src=${secret.path}`);
  for (const [key, value] of Object.entries(spec.buildArgs ?? {})) args.push('--build-arg', `${key}=${value}`);
  if (spec.platform) args.push('--platform', spec.platform);
  if (spec.target) args.push('--target', spec.target);
  for (const image of spec.images) args.push('--tag', image);
  args.push(spec.context);
  return args;
}
