import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

/**
 * Every manifest media type an image of ours can have, for BatchGetImage's `acceptedMediaTypes`.
 * Without it ECR answers only single-platform manifests, so an image pushed as an index
 * (multi-architecture, or any BuildKit push with provenance/SBOM attestations, which go into an
 * OCI image index beside the image manifest) fails as `ImageNotFound` (assumed from registry
 * behaviour: the API reference lists only the single-manifest values,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html, while ECR
 * stores and serves manifest lists and OCI indexes,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-multi-architecture-image.html,
 * https://github.com/aws/containers-roadmap/issues/505; BuildKit attestations:
 * https://docs.docker.com/build/metadata/attestations/attestation-storage/). PutImage must then
 * be given the same media type back (`imageManifestMediaType`), or the new tag is a different manifest.
 */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)$/;

export interface RepositoryTarget {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly uri: string;
  readonly registryId: string;
  readonly name: string;
}

/** Accepts a full repository URI, or a name that is looked up in the credentials' registry. */
export async function resolveRepository(ecr: ECRClient, repository: string): Promise<RepositoryTarget> {
  const m = ECR_URI.exec(repository);
  if (m) return { uri: repository, registryId: m[1], name: m[3] };
  if (repository.includes('/') && repository.includes('.')) {
    throw new Error(`--repository "${repository}" is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>) or name`);
  }
  let found;
  try {
    found = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
  } catch (error) {
    if ((error as { name?: string }).name === 'RepositoryNotFoundException') {
      throw new Error(`ECR repository "${repository}" does not exist in this account and region; the shared stack creates bluegreen-fleet/<service>`, { cause: error });
    }
    throw error;
  }
  const repo = found.repositories?.[0];
  if (!repo?.repositoryUri || !repo.registryId || !repo.repositoryName) throw new Error(`ECR returned no URI for repository "${repository}"`);
  return { uri: repo.repositoryUri, registryId: repo.registryId, name: repo.repositoryName };
}

/**
 * Credentials for `docker login` to the repository's registry (an ECR token is good for every
 * registry the caller's IAM identity may use); the password is only ever handed over on stdin.
 */
export async function registryLogin(ecr: ECRClient, target: RepositoryTarget): Promise<{ endpoint: string; username: string; password: string }> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken) throw new Error(`ECR returned no login token for registry ${target.registryId}`);
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new Error('ECR returned a login token in an unknown format');
  return { endpoint: target.uri.slice(0, target.uri.indexOf('/')), username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The digest a pushed tag resolves to: what task definitions pin. */
export async function pushedDigest(ecr: ECRClient, target: RepositoryTarget, tag: string): Promise<string> {
  const out = await ecr.send(new DescribeImagesCommand({ registryId: target.registryId, repositoryName: target.name, imageIds: [{ imageTag: tag }] }));
  const digest = out.imageDetails?.[0]?.imageDigest;
  if (!digest) throw new Error(`ECR has no image tagged ${tag} in ${target.name} after the push`);
  return digest;
}
