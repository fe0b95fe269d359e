import * as fs from 'fs';
import { scanSecretName, scanSecretValue } from '../../constructs/contract/secret-scan';
import { DEFAULT_BUILD_SECRET_PREFIX } from '../../constructs/secrets/placeholder';
import type { BuildSecretRef } from './secrets';
import { IMAGE_TAG_PATTERN } from '../../constructs/contract/names';

/**
 * A mistake in the `build` command line, found before any AWS call or docker process: the
 * message names the option; the CLI exits 2, as commander does for its own usage errors.
 */
export class BuildUsageError extends Error {
  readonly exitCode = 2;
  constructor(readonly option: string, message: string) {
    super(`${option} ${message}`);
    this.name = 'BuildUsageError';
  }
}

/** Image tag: "up to 128 characters ... [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}"
 * (https://docs.docker.com/reference/cli/docker/image/tag/). */
export const TAG = IMAGE_TAG_PATTERN;
export const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// CreateRepository `repositoryName`: 2-256 characters, lower-case components joined by . _ - and
// separated by / (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html).
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_URI = /^\d{12}\.dkr\.ecr\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?\/(.+)$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** `os/arch[/variant]`, comma-separated for several (https://docs.docker.com/build/building/multi-platform/). */
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?(,[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?)*$/;
/** A Dockerfile stage name (`FROM ... AS <name>`): letters, digits, `_ . -`, starting with a letter or digit. */
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;

export interface RawBuildOptions {
  readonly repository?: string;
  readonly tag?: readonly string[];
  readonly context?: string;
  readonly file?: string;
  readonly secret?: readonly string[];
  readonly secretPrefix?: string;
  readonly buildArg?: readonly string[];
  readonly platform?: string;
  readonly target?: string;
  readonly region?: string;
  readonly tmpDir?: string;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The repeatable options, parsed once by the checks that refuse them. */
export interface CheckedBuildOptions {
  /** `--secret <id>` reads `<prefix><id>` (prefix default bluegreen-fleet/build/); `--secret id=name` names the secret. */
  readonly secrets: BuildSecretRef[];
  /** `--build-arg KEY=VALUE`, "=" kept inside values. */
  readonly buildArgs: Record<string, string>;
}

/** Every check that needs no AWS call, in the order the options appear in `--help`. */
export function checkBuildOptions(o: RawBuildOptions): CheckedBuildOptions {
  const repository = o.repository ?? '';
  const uri = REPOSITORY_URI.exec(repository);
  const name = uri ? uri[3] : repository;
  // Docker reads a first component with "." or ":" (or "localhost") as a registry host
  // (https://docs.docker.com/reference/cli/docker/image/tag/): that is another registry, not an ECR name.
  const first = repository.split('/')[0];
  if (!uri && repository.includes('/') && (/[.:]/.test(first) || first === 'localhost')) {
    throw new BuildUsageError('--repository', `"${repository}" names the registry ${first}; only ECR repositories (a name, or <account>.dkr.ecr.<region>.amazonaws.com/<name>) are built to`);
  }
  if (!REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256) {
    throw new BuildUsageError('--repository', `"${repository}" is not an ECR repository name (e.g. bluegreen-fleet/api) or URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`);
  }
  const tags = o.tag ?? [];
  if (tags.length === 0) throw new BuildUsageError('--tag', 'is required at least once');
  const seenTags = new Set<string>();
  for (const tag of tags) {
    if (!TAG.test(tag)) throw new BuildUsageError('--tag', `"${tag.slice(0, 140)}" is not a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
    if (seenTags.has(tag)) throw new BuildUsageError('--tag', `"${tag}" is given twice`);
    seenTags.add(tag);
  }
  const context = o.context ?? '.';
  if (!isDirectory(context)) throw new BuildUsageError('--context', `"${context}" is not a directory`);
  if (o.file !== undefined && !isFile(o.file)) throw new BuildUsageError('--file', `"${o.file}" is not a file`);
  if (o.secretPrefix !== undefined && !/^[A-Za-z0-9/_+=.@-]*$/.test(o.secretPrefix)) {
    throw new BuildUsageError('--secret-prefix', `"${o.secretPrefix}" may hold only letters, digits and / _ + = . @ -`);
  }
  const ids = new Set<string>();
  const secrets: BuildSecretRef[] = [];
  for (const value of o.secret ?? []) {
    const eq = value.indexOf('=');
    const id = eq < 0 ? value : value.slice(0, eq);
    const secretName = eq < 0 ? `${o.secretPrefix ?? DEFAULT_BUILD_SECRET_PREFIX}${value}` : value.slice(eq + 1);
    if (!id || !SECRET_ID.test(id)) throw new BuildUsageError('--secret', `"${value.slice(0, 60)}" must be <id> or <id>=<secret name or ARN>, the id letters, digits and _ . -`);
    if (!secretName || !SECRET_NAME.test(secretName)) throw new BuildUsageError('--secret', `"${value.slice(0, 60)}" names no valid Secrets Manager secret`);
    if (scanSecretValue(secretName)) throw new BuildUsageError('--secret', `${id}= carries what looks like a secret value; name the secret, the value is read from Secrets Manager`);
    if (ids.has(id)) throw new BuildUsageError('--secret', `${id} is given twice`);
    ids.add(id);
    secrets.push({ id, secretId: secretName });
  }
  const keys = new Set<string>();
  const buildArgs: Record<string, string> = {};
  for (const value of o.buildArg ?? []) {
    const eq = value.indexOf('=');
    // Never echo a build argument's value: it may be the secret being refused.
    if (eq < 1) throw new BuildUsageError('--build-arg', `"${value.slice(0, 40).split('=')[0]}" must be KEY=VALUE`);
    const key = value.slice(0, eq);
    if (!BUILD_ARG_NAME.test(key)) throw new BuildUsageError('--build-arg', `name "${key.slice(0, 40)}" must be letters, digits and underscores, not starting with a digit`);
    if (keys.has(key)) throw new BuildUsageError('--build-arg', `${key} is given twice`);
    keys.add(key);
    buildArgs[key] = value.slice(eq + 1);
    // Build arguments are kept in the image's history for anyone who can pull it
    // (https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/).
    const found = scanSecretName(key) ?? scanSecretValue(value.slice(eq + 1));
    if (found) {
      throw new BuildUsageError('--build-arg', `${key} looks like a secret (${found.what}); build arguments stay in the image history: pass it with --secret and read it with RUN --mount=type=secret`);
    }
  }
  if (o.platform !== undefined && !PLATFORM.test(o.platform)) throw new BuildUsageError('--platform', `"${o.platform}" must be os/arch[/variant], e.g. linux/arm64`);
  if (o.target !== undefined && !STAGE.test(o.target)) throw new BuildUsageError('--target', `"${o.target}" is not a Dockerfile stage name`);
  if (o.region !== undefined && !REGION.test(o.region)) throw new BuildUsageError('--region', `"${o.region}" is not an AWS Region such as ap-northeast-1`);
  if (o.tmpDir !== undefined && !isDirectory(o.tmpDir)) throw new BuildUsageError('--tmp-dir', `"${o.tmpDir}" is not a directory`);
  return { secrets, buildArgs };
}
