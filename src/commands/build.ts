import { ECRClient } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { buildImage, BuildDeps, BuildResult } from '../build/build-image';
import { spawnRunner } from '../build/docker';
import { BuildUsageError, checkBuildOptions, CheckedBuildOptions } from '../build/options';
import type { BuildCommandOptions } from './build.options';

/** What commander hands the action (repeatable options arrive as arrays): from its one definition. */
export type { BuildCommandOptions };

/**
 * `bluegreen-fleet build`: see docs/images-and-secrets.md. Every option is checked before the
 * first AWS call; a bad one exits 2 with one line naming it.
 */
export async function runBuild(options: BuildCommandOptions, deps?: Partial<BuildDeps>): Promise<number> {
  let checked: CheckedBuildOptions;
  try {
    checked = checkBuildOptions(options);
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
      secrets: checked.secrets,
      buildArgs: checked.buildArgs,
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
