import { BatchGetImageCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { AwsCallError } from '../../aws/errors';
import { call, ReleaseContext } from '../runtime/context';
import { parseImageRef, registryParts } from '../steps/image';
import { ExitCode, ReleaseError } from '../core/outcome';
import { MANIFEST_MEDIA_TYPES } from '../../build/ecr';
import { IMAGE_TAG_PATTERN as TAG } from '../../../constructs/contract/names';

export interface PromoteOptions {
  /** `<registry>/<repository>@sha256:...`, or a digest with `registry` and `repository`. */
  readonly image: string;
  readonly tag: string;
  readonly registry?: string;
  readonly repository?: string;
  /** Move a tag that points at another digest (release tags are meant to be immutable). */
  readonly force?: boolean;
}

export interface PromoteResult {
  readonly outcome: 'tagged' | 'unchanged' | 'moved';
  readonly repository: string;
  readonly digest: string;
  readonly tag: string;
  readonly previousDigest?: string;
}


/**
 * `promote`: adds a tag to an image already in ECR with BatchGetImage (the manifest only) +
 * PutImage: no layer is pulled or pushed, so it takes a second whatever the image's size.
 */
export async function promote(ctx: ReleaseContext, options: PromoteOptions): Promise<PromoteResult> {
  if (!TAG.test(options.tag)) throw new ReleaseError(ExitCode.Usage, `--tag "${options.tag}" is not a valid image tag`);
  const ref = parseImageRef(options.image);
  const registry = ref.registry ?? options.registry;
  const repository = ref.repository ?? options.repository;
  if (!ref.digest) throw new ReleaseError(ExitCode.Usage, `--image "${options.image}" must name a digest (sha256:...), so the tag lands on exactly what was tested`);
  if (!registry || !repository) throw new ReleaseError(ExitCode.Usage, `--image "${options.image}": give <registry>/<repository>@sha256:... (or --env to take them from the live fleet)`);
  const parts = registryParts(registry);
  if (!parts) throw new ReleaseError(ExitCode.Usage, `${registry} is not an ECR registry`);
  const ecr = ctx.clients.forRegion(parts.region).ecr;
  const resource = `repository ${repository} in ${registry}`;
  const base = { registryId: parts.registryId, repositoryName: repository };

  const got = await call(ctx, 'BatchGetImage', resource, () =>
    ecr.send(new BatchGetImageCommand({ ...base, imageIds: [{ imageDigest: ref.digest }, { imageTag: options.tag }], acceptedMediaTypes: [...MANIFEST_MEDIA_TYPES] })),
  );
  const images = got.images ?? [];
  const source = images.find((i) => i.imageId?.imageDigest === ref.digest && i.imageManifest);
  if (!source) throw new ReleaseError(ExitCode.Refused, `image ${repository}@${ref.digest} does not exist in ${registry}`);
  const tagged = images.find((i) => i.imageId?.imageTag === options.tag);
  const previousDigest = tagged?.imageId?.imageDigest;
  if (previousDigest === ref.digest) {
    ctx.reporter.note(`${repository}:${options.tag} already points at ${ref.digest}`);
    return { outcome: 'unchanged', repository, digest: ref.digest, tag: options.tag };
  }
  if (previousDigest && !options.force) {
    throw new ReleaseError(
      ExitCode.Refused,
      `${repository}:${options.tag} already points at ${previousDigest}; release tags are immutable by convention (a tag that moves is a tag nobody can trust). Pass --force to move it.`,
      { previousDigest },
    );
  }
  try {
    await call(ctx, 'PutImage', resource, () =>
      ecr.send(
        new PutImageCommand({
          ...base,
          imageManifest: source.imageManifest,
          imageManifestMediaType: source.imageManifestMediaType,
          imageTag: options.tag,
          imageDigest: ref.digest,
        }),
      ),
    );
  } catch (error) {
    const name = error instanceof AwsCallError ? error.awsErrorName : '';
    // Another promote of the same digest and tag won the race: the result is what we wanted.
    if (name === 'ImageAlreadyExistsException') return { outcome: 'unchanged', repository, digest: ref.digest, tag: options.tag };
    if (name === 'ImageTagAlreadyExistsException') {
      throw new ReleaseError(ExitCode.Refused, `${repository} has immutable tags: ${options.tag} cannot be moved, even with --force`);
    }
    throw error;
  }
  ctx.reporter.note(`${repository}:${options.tag} -> ${ref.digest}${previousDigest ? ` (was ${previousDigest})` : ''}`);
  return { outcome: previousDigest ? 'moved' : 'tagged', repository, digest: ref.digest, tag: options.tag, previousDigest };
}
