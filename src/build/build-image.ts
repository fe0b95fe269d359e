import type { ECRClient } from '@aws-sdk/client-ecr';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dockerBuildArgs, ProcessRunner } from './docker';
import { pushedDigest, registryLogin, resolveRepository } from './ecr';
import { BuildSecretRef, fetchBuildSecrets, FetchedSecret } from './secrets';
import { createPrivateWorkspace, PrivateWorkspace } from './workspace';
import { scanVariable } from '../../constructs/contract/secret-scan';
import { IMAGE_TAG_PATTERN as TAG } from '../../constructs/contract/names';

const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Shorter values (`1`, `true`) would match innocent build arguments by chance. */
const MIN_COMPARABLE_SECRET = 8;

export interface BuildImageOptions {
  /** Build context directory. */
  readonly context: string;
  /** Dockerfile path; docker's default (`<context>/Dockerfile`) when unset. */
  readonly dockerfile?: string;
  /** ECR repository URI, or a repository name looked up in the credentials' registry. */
  readonly repository: string;
  /** Tags to give the image (release tags are immutable in the repository). */
  readonly tags: readonly string[];
  readonly secrets: readonly BuildSecretRef[];
  /** Non-secret build arguments. A value that contains a build secret is refused. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly platform?: string;
  readonly target?: string;
  /** Log in to ECR, push every tag, and report the digest. */
  readonly push: boolean;
  /** Where the private directory for the secret files is made (a RAM-backed one is best). */
  readonly tmpRoot?: string;
}

export interface SignalHooks {
  on(signal: NodeJS.Signals, handler: () => void): void;
  off(signal: NodeJS.Signals, handler: () => void): void;
  /** Ends the process with the signal it received, once the secret files are gone. */
  raise(signal: NodeJS.Signals): void;
}

export const processSignals: SignalHooks = {
  on: (signal, handler) => process.on(signal, handler),
  off: (signal, handler) => process.off(signal, handler),
  raise: (signal) => process.kill(process.pid, signal),
};

export interface BuildDeps {
  readonly secretsManager: SecretsManagerClient;
  readonly ecr: ECRClient;
  readonly run: ProcessRunner;
  readonly log: (line: string) => void;
  readonly signals?: SignalHooks;
  /** Environment the docker processes inherit. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface BuildResult {
  /** `<repository-uri>:<tag>` for each tag. */
  readonly images: readonly string[];
  /** Set after a push: the digest every tag resolves to, and the reference task definitions pin. */
  readonly digest?: string;
  readonly pinned?: string;
}

/**
 * Builds (and optionally pushes) an image with the build secrets as BuildKit secret mounts: each
 * value is written to a 0600 file in a fresh 0700 directory, handed to `docker build` as
 * `--secret id=<id>,src=<file>`, and the directory is removed afterwards, whether the build
 * succeeded, failed, threw, or the process was interrupted. No value is ever a build argument,
 * an environment variable, a build-context file or a log line.
 */
export async function buildImage(options: BuildImageOptions, deps: BuildDeps): Promise<BuildResult> {
  validate(options);
  const target = await resolveRepository(deps.ecr, options.repository);
  const images = options.tags.map((tag) => `${target.uri}:${tag}`);
  const secrets = await fetchBuildSecrets(deps.secretsManager, options.secrets);
  for (const s of secrets) deps.log(`build secret ${s.id}: ${s.secretId} (${s.value.length} bytes)`);
  refuseSecretsInBuildArgs(secrets, options.buildArgs ?? {});
  // Library callers get the CLI's scan too (after the exact match above, whose message is sharper).
  for (const [key, value] of Object.entries(options.buildArgs ?? {})) {
    const found = scanVariable(key, value);
    if (found) throw new Error(`--build-arg ${key} looks like a secret (${found.what}); build arguments stay in the image history: pass it as a build secret`);
  }

  const workspace = await createPrivateWorkspace(options.tmpRoot);
  const detach = removeOnSignal(workspace, deps.signals ?? processSignals);
  const env = { ...(deps.env ?? process.env), DOCKER_BUILDKIT: '1' };
  try {
    const secretFiles = [];
    for (const s of secrets) secretFiles.push({ id: s.id, path: await workspace.writeSecret(s.id, s.value) });
    if (options.push) {
      // Before the build too, so a FROM in the same private registry can be pulled.
      const login = await registryLogin(deps.ecr, target);
      await runOrThrow(deps, 'docker login', ['login', '--username', login.username, '--password-stdin', login.endpoint], env, login.password);
    }
    const args = dockerBuildArgs({ ...options, images, secretFiles });
    // Build-argument values are the caller's, not secrets (refused above when they carry one),
    // but logs outlive builds: show their names only.
    deps.log(`docker ${args.map((a, i) => (args[i - 1] === '--build-arg' ? `${a.split('=')[0]}=***` : a)).join(' ')}`);
    await runOrThrow(deps, 'docker build', args, env);
    if (!options.push) return { images };
    for (const image of images) await runOrThrow(deps, `docker push ${image}`, ['push', image], env);
    const digest = await pushedDigest(deps.ecr, target, options.tags[0]);
    const pinned = `${target.uri}@${digest}`;
    deps.log(`pushed ${pinned}`);
    return { images, digest, pinned };
  } finally {
    detach();
    workspace.remove();
  }
}

async function runOrThrow(deps: BuildDeps, what: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<void> {
  const code = await deps.run('docker', args, { env, input });
  if (code !== 0) throw new Error(`${what} failed (exit ${code})`);
}

function removeOnSignal(workspace: PrivateWorkspace, signals: SignalHooks): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      workspace.remove();
      detachAll();
      signals.raise(signal);
    };
    signals.on(signal, handler);
    return { signal, handler };
  });
  const detachAll = (): void => handlers.forEach(({ signal, handler }) => signals.off(signal, handler));
  return detachAll;
}

function refuseSecretsInBuildArgs(secrets: readonly FetchedSecret[], buildArgs: Readonly<Record<string, string>>): void {
  for (const secret of secrets) {
    const text = Buffer.from(secret.value).toString('utf8').trim();
    if (text.length < MIN_COMPARABLE_SECRET) continue;
    for (const [key, value] of Object.entries(buildArgs)) {
      if (value.includes(text)) {
        throw new Error(`--build-arg ${key} carries the value of build secret "${secret.id}"; build arguments end up in the image history. Read it in the Dockerfile with RUN --mount=type=secret,id=${secret.id}`);
      }
    }
  }
}

function validate(options: BuildImageOptions): void {
  if (options.tags.length === 0) throw new Error('at least one --tag is required');
  for (const tag of options.tags) if (!TAG.test(tag)) throw new Error(`--tag "${tag}" is not a valid image tag`);
  const ids = new Set<string>();
  for (const s of options.secrets) {
    if (ids.has(s.id)) throw new Error(`--secret ${s.id} is given twice`);
    ids.add(s.id);
  }
  for (const key of Object.keys(options.buildArgs ?? {})) {
    if (!BUILD_ARG.test(key)) throw new Error(`--build-arg name "${key}" must be letters, digits and underscores`);
  }
}
