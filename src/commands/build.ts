import { ECRClient } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_BUILD_SECRET_PREFIX } from '../../constructs/secrets/placeholder';
import { buildImage, BuildDeps, BuildResult } from '../build/build-image';
import { spawnRunner } from '../build/docker';
import { BuildUsageError, checkBuildOptions, RawBuildOptions } from '../build/options';
import { BuildSecretRef } from '../build/secrets';

/** What commander hands the action (repeatable options arrive as arrays): the checked options, plus the two switches. */
export interface BuildCommandOptions extends RawBuildOptions {
  readonly repository: string;
  readonly tag: readonly string[];
  readonly push?: boolean;
  readonly json?: boolean;
}

/** `--secret git-deploy-key` reads `<prefix>git-deploy-key`; `--secret id=secret-name` names the secret. */
export function parseSecretRefs(values: readonly string[], prefix: string = DEFAULT_BUILD_SECRET_PREFIX): BuildSecretRef[] {
  return values.map((value) => {
    const eq = value.indexOf('=');
    const id = eq < 0 ? value : value.slice(0, eq);
    const secretId = eq < 0 ? `${prefix}${value}` : value.slice(eq + 1);
    if (!id || !secretId) throw new Error(`--secret "${value}" must be <id> or <id>=<secret name or ARN>`);
    return { id, secretId };
  });
}

export function parseBuildArgs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq < 1) throw new Error(`--build-arg "${value.slice(0, 40)}" must be KEY=VALUE`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/**
 * `bluegreen-fleet build`: see docs/images-and-secrets.md. Every option is checked before the
 * first AWS call; a bad one exits 2 with one line naming it.
 */
export async function runBuild(options: BuildCommandOptions, deps?: Partial<BuildDeps>): Promise<number> {
  try {
    checkBuildOptions(options);
  } catch (error) {
    if (!(error instanceof BuildUsageError)) throw error;
    console.error(`error: ${error.message}`);
    if (options.json) console.log(JSON.stringify({ error: error.message, option: error.option, exitCode: error.exitCode }));
    return error.exitCode;
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const result: BuildResult = await buildImage(
    {
      context: options.context ?? '.',
      dockerfile: options.file,
      repository: options.repository,
      tags: options.tag,
      secrets: parseSecretRefs(options.secret ?? [], options.secretPrefix),
      buildArgs: parseBuildArgs(options.buildArg ?? []),
      platform: options.platform,
      target: options.target,
      push: options.push ?? false,
      tmpRoot: options.tmpDir ?? process.env.RUNNER_TEMP,
    },
    {
      secretsManager: deps?.secretsManager ?? new SecretsManagerClient({ region }),
      ecr: deps?.ecr ?? new ECRClient({ region }),
      run: deps?.run ?? spawnRunner,
      log: deps?.log ?? ((line) => console.error(line)),
      signals: deps?.signals,
      env: deps?.env,
    },
  );
  console.log(options.json ? JSON.stringify(result) : (result.pinned ?? result.images.join('\n')));
  return 0;
}
