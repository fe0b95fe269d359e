import { BatchGetImageCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { accessDenied, awsError } from './errors';

/**
 * ECR repositories and images: tags, manifests and their media types, tag mutability with
 * exclusion filters, and scans that take time (basic scans end COMPLETE, enhanced scanning with
 * continuous scan stays ACTIVE).
 * Simplification: an image's digest is whatever `addImage` says (the tests' `digestOf(name)`),
 * not the sha256 of its manifest.
 */

export const MEDIA = {
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export interface Repository {
  readonly name: string;
  /** The account of the registry (default: the model's own). */
  readonly registryId: string;
  /**
   * Whether the repository policy lets the model's account (the caller) read it: needed for a
   * repository of another account, whose identity policy alone is not enough.
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html
   */
  crossAccountPull: boolean;
  /** https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html */
  tagMutability: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';
  /** Wildcard filters (`*`) of the tags the mutability setting does not apply to. */
  exclusions: string[];
  /**
   * BASIC: a scan ends COMPLETE. ENHANCED (Amazon Inspector, continuous scan): the status is
   * ACTIVE while the image is monitored; it never becomes COMPLETE.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanStatus.html
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html
   */
  scanning: 'BASIC' | 'ENHANCED';
}

export interface Image {
  readonly registryId: string;
  readonly repository: string;
  readonly digest: string;
  tags: string[];
  readonly manifest: string;
  readonly mediaType: string;
  sizeBytes: number;
  findings: Record<string, number>;
  /** When the scan started on push finishes; undefined: never scanned. */
  scanDoneAt?: number;
  scanFails?: boolean;
}

/** assumed: how long a scan on push takes. */
export const SCAN_MS = 60_000;

function wildcard(filter: string, tag: string): boolean {
  return new RegExp(`^${filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(tag);
}

export class Ecr {
  readonly repositories = new Map<string, Repository>();
  readonly images: Image[] = [];

  constructor(
    private readonly now: () => number,
    private readonly account: string,
    private readonly region: string,
  ) {}

  putRepository(name: string, settings: Partial<Omit<Repository, 'name'>> = {}): Repository {
    const registryId = settings.registryId ?? this.account;
    const key = `${registryId}/${name}`;
    const r: Repository = { name, registryId, tagMutability: 'IMMUTABLE', exclusions: [], scanning: 'BASIC', crossAccountPull: false, ...this.repositories.get(key), ...settings };
    this.repositories.set(key, r);
    return r;
  }

  /** Pushes an image (scanned on push unless `scanned: false`). */
  push(image: { registryId?: string; repository: string; digest: string; tags: string[]; manifest: string; mediaType?: string; sizeBytes?: number; findings?: Record<string, number>; scanned?: boolean; scanAgeMs?: number }): Image {
    const registryId = image.registryId ?? this.account;
    if (!this.repositories.has(`${registryId}/${image.repository}`)) this.putRepository(image.repository, { registryId });
    const img: Image = {
      registryId,
      repository: image.repository,
      digest: image.digest,
      tags: [...image.tags],
      manifest: image.manifest,
      mediaType: image.mediaType ?? (JSON.parse(image.manifest).mediaType as string | undefined) ?? MEDIA.ociManifest,
      sizeBytes: image.sizeBytes ?? 200 * 1024 * 1024,
      findings: image.findings ?? { LOW: 3 },
      scanDoneAt: image.scanned === false ? undefined : this.now() + SCAN_MS - (image.scanAgeMs ?? 3_600_000),
    };
    for (const t of img.tags) this.untag(registryId, image.repository, t);
    this.images.push(img);
    return img;
  }

  scanStatus(img: Image): string {
    const repo = this.repositories.get(`${img.registryId}/${img.repository}`)!;
    if (img.scanDoneAt === undefined) return repo.scanning === 'ENHANCED' ? 'PENDING' : 'NONE';
    if (this.now() < img.scanDoneAt) return repo.scanning === 'ENHANCED' ? 'PENDING' : 'IN_PROGRESS';
    if (img.scanFails) return repo.scanning === 'ENHANCED' ? 'FINDINGS_UNAVAILABLE' : 'FAILED';
    return repo.scanning === 'ENHANCED' ? 'ACTIVE' : 'COMPLETE';
  }

  private repository(name: string, registryId = this.account, operation = 'DescribeImages'): Repository {
    const r = this.repositories.get(`${registryId}/${name}`);
    if (registryId !== this.account && !r?.crossAccountPull) {
      throw accessDenied('ecr', operation, `arn:aws:sts::${this.account}:assumed-role/release/alice`, `arn:aws:ecr:${this.region}:${registryId}:repository/${name}`);
    }
    if (!r) throw awsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`, 400);
    return r;
  }

  private find(i: { registryId?: string; repositoryName: string }, id: { imageTag?: string; imageDigest?: string }, operation: string): Image | undefined {
    const repo = this.repository(i.repositoryName, i.registryId, operation);
    return this.images.find(
      (x) => x.registryId === repo.registryId && x.repository === repo.name && (id.imageDigest ? x.digest === id.imageDigest : x.tags.includes(id.imageTag!)) && (!id.imageTag || !id.imageDigest || x.tags.includes(id.imageTag)),
    );
  }

  private untag(registryId: string, repo: string, tag: string): void {
    for (const i of this.images) if (i.registryId === registryId && i.repository === repo) i.tags = i.tags.filter((t) => t !== tag);
  }

  /**
   * Whether the repository's setting makes this tag immutable: the exclusion filters (WILDCARD,
   * `[0-9a-zA-Z._*-]`, `*` for any run of characters) name the tags the setting does not apply
   * to: mutable ones under IMMUTABLE_WITH_EXCLUSION, immutable ones under MUTABLE_WITH_EXCLUSION.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
   */
  immutable(repo: Repository, tag: string): boolean {
    const excluded = repo.exclusions.some((f) => wildcard(f, tag));
    switch (repo.tagMutability) {
      case 'IMMUTABLE':
        return true;
      case 'MUTABLE':
        return false;
      case 'IMMUTABLE_WITH_EXCLUSION':
        return !excluded;
      default:
        return excluded;
    }
  }

  install(serve: (client: any, service: string, command: any, handle: (input: any) => any) => void): void {
    serve(ECRClient, 'ecr', DescribeRepositoriesCommand, (i) => ({
      repositories: (i.repositoryNames ?? [...this.repositories.values()].filter((r) => r.registryId === (i.registryId ?? this.account)).map((r) => r.name)).map((n: string) => {
        const r = this.repository(n, i.registryId, 'DescribeRepositories');
        return {
          repositoryName: r.name,
          repositoryArn: `arn:aws:ecr:${this.region}:${r.registryId}:repository/${r.name}`,
          registryId: r.registryId,
          repositoryUri: `${r.registryId}.dkr.ecr.${this.region}.amazonaws.com/${r.name}`,
          imageTagMutability: r.tagMutability,
          imageTagMutabilityExclusionFilters: r.exclusions.map((filter) => ({ filterType: 'WILDCARD', filter })),
        };
      }),
    }));
    serve(ECRClient, 'ecr', DescribeImagesCommand, (i) => ({
      imageDetails: (i.imageIds ?? [{}]).map((id: any) => {
        const img = this.find(i, id, 'DescribeImages');
        if (!img) throw awsError('ImageNotFoundException', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${i.repositoryName}' in the registry with id '${i.registryId ?? this.account}'`, 400);
        const status = this.scanStatus(img);
        const done = status === 'COMPLETE' || status === 'ACTIVE';
        return {
          registryId: img.registryId,
          repositoryName: img.repository,
          imageDigest: img.digest,
          imageTags: [...img.tags],
          imageSizeInBytes: img.sizeBytes,
          imageManifestMediaType: img.mediaType,
          imageScanStatus: { status },
          imageScanFindingsSummary: done ? { findingSeverityCounts: { ...img.findings } } : undefined,
        };
      }),
    }));
    serve(ECRClient, 'ecr', DescribeImageScanFindingsCommand, (i) => {
      const img = this.find(i, i.imageId, 'DescribeImageScanFindings');
      if (!img) throw awsError('ImageNotFoundException', 'The image does not exist', 400);
      const status = this.scanStatus(img);
      if (status === 'NONE') throw awsError('ScanNotFoundException', `Image scan does not exist for the image with '{imageDigest:'${img.digest}'}' in the repository with name '${img.repository}'`, 400);
      return { imageScanStatus: { status }, imageScanFindings: status === 'COMPLETE' || status === 'ACTIVE' ? { findingSeverityCounts: { ...img.findings } } : undefined };
    });
    // An image whose manifest's media type the caller does not accept is not returned (assumed:
    // as ImageNotFound, the way registries answer 404 to an Accept they cannot serve:
    // https://github.com/sigstore/sigstore-js/pull/1162). Image indexes and attestations need
    // their media types in acceptedMediaTypes.
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html
    serve(ECRClient, 'ecr', BatchGetImageCommand, (i) => {
      const accepted: string[] = i.acceptedMediaTypes ?? [MEDIA.dockerV2, MEDIA.ociManifest];
      const images: any[] = [];
      const failures: any[] = [];
      for (const id of i.imageIds) {
        const img = this.find(i, id, 'BatchGetImage');
        if (img && accepted.includes(img.mediaType)) images.push({ registryId: img.registryId, repositoryName: img.repository, imageId: { imageDigest: img.digest, imageTag: id.imageTag }, imageManifest: img.manifest, imageManifestMediaType: img.mediaType });
        else failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      }
      return { images, failures };
    });
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
    serve(ECRClient, 'ecr', PutImageCommand, (i) => {
      const repo = this.repository(i.repositoryName, i.registryId, 'PutImage');
      const img = this.images.find((x) => x.registryId === repo.registryId && x.repository === repo.name && (i.imageDigest ? x.digest === i.imageDigest : x.manifest === i.imageManifest));
      if (!img || img.manifest !== i.imageManifest) throw awsError('InvalidParameterException', 'Invalid parameter at \'ImageManifest\' failed to satisfy constraint: \'the manifest does not match the digest\'', 400);
      if (i.imageManifestMediaType && i.imageManifestMediaType !== img.mediaType) throw awsError('InvalidParameterException', `Invalid parameter: imageManifestMediaType ${i.imageManifestMediaType} does not match the manifest's ${img.mediaType}`, 400);
      if (img.tags.includes(i.imageTag)) throw awsError('ImageAlreadyExistsException', `Image with digest '${img.digest}' and tag '${i.imageTag}' already exists in the repository with name '${repo.name}' in registry with id '${this.account}'`, 400);
      const holder = this.images.find((x) => x.registryId === repo.registryId && x.repository === repo.name && x.tags.includes(i.imageTag));
      if (holder && this.immutable(repo, i.imageTag)) throw awsError('ImageTagAlreadyExistsException', `The image tag '${i.imageTag}' already exists in the '${repo.name}' repository and cannot be overwritten because the tag is immutable.`, 400);
      this.untag(repo.registryId, repo.name, i.imageTag);
      img.tags.push(i.imageTag);
      return { image: { registryId: this.account, repositoryName: repo.name, imageId: { imageDigest: img.digest, imageTag: i.imageTag }, imageManifest: img.manifest, imageManifestMediaType: img.mediaType } };
    });
    serve(ECRClient, 'ecr', GetAuthorizationTokenCommand, () => ({
      authorizationData: [{ authorizationToken: Buffer.from('AWS:model-token').toString('base64'), expiresAt: new Date(this.now() + 12 * 3_600_000), proxyEndpoint: `https://${this.account}.dkr.ecr.${this.region}.amazonaws.com` }],
    }));
  }
}
