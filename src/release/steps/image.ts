import { DescribeImageScanFindingsCommand, DescribeImagesCommand, ImageDetail } from '@aws-sdk/client-ecr';
import type { ReleaseSettings } from '../core/settings';
import { AwsCallError } from '../../aws/errors';
import { waitFor, waitUntilImageScanDone } from '../../aws/waiters';
import { call, ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { DIGEST_PATTERN } from '../../../constructs/contract';

/** An image reference, in any of the forms a release accepts. */
export interface ImageRef {
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registry?: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
}

const REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Parses `sha256:...`, `<tag>`, `<registry>/<repo>@sha256:...`, `<registry>/<repo>:<tag>`. */
export function parseImageRef(text: string): ImageRef {
  const value = text.trim();
  if (DIGEST_PATTERN.test(value)) return { digest: value };
  if (!value.includes('/') && !value.includes(':') && !value.includes('@')) return { tag: value };
  const at = value.lastIndexOf('@');
  let name = value;
  let digest: string | undefined;
  let tag: string | undefined;
  if (at >= 0) {
    digest = value.slice(at + 1);
    name = value.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) throw new ReleaseError(ExitCode.Usage, `image "${text}": "${digest}" is not a sha256 digest`);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon > value.lastIndexOf('/')) {
      tag = value.slice(colon + 1);
      name = value.slice(0, colon);
    }
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  if (slash >= 0 && REGISTRY.test(first)) return { registry: first, repository: name.slice(slash + 1), tag, digest };
  return { repository: name, tag, digest };
}

/** `<registry>/<repository>` or a bare repository name. */
export function parseRepository(text: string): { registry?: string; repository: string } {
  const slash = text.indexOf('/');
  const first = slash >= 0 ? text.slice(0, slash) : '';
  return REGISTRY.test(first) ? { registry: first, repository: text.slice(slash + 1) } : { repository: text };
}

export function registryParts(registry: string): { registryId: string; region: string } | undefined {
  const m = REGISTRY.exec(registry);
  return m ? { registryId: m[1], region: m[2] } : undefined;
}

export interface ResolvedImage {
  /** `<registry>/<repository>@sha256:...`: what the task definition pins. */
  readonly reference: string;
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly sizeBytes?: number;
  readonly scanStatus: string;
  readonly findings: Readonly<Record<string, number>>;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;

/** Severities refused by `maxScanSeverity` ("at or above"); `NONE` refuses any finding. */
export function refusedSeverities(max: ReleaseSettings['maxScanSeverity']): string[] {
  if (max === 'NONE') return [...SEVERITIES];
  return SEVERITIES.slice(0, SEVERITIES.indexOf(max) + 1);
}

export interface ResolveOptions {
  /** Where a bare tag or digest is looked up: the repository the live fleet runs from. */
  readonly base: ImageRef;
  /** The stack's release settings: `maxScanSeverity`, `imageSizeBudgetMiB` and the service's name. */
  readonly settings: Pick<ReleaseSettings, 'maxScanSeverity' | 'imageSizeBudgetMiB' | 'service'>;
  /** Accept an image without a completed scan (the scan gate is skipped, with a warning). */
  readonly allowUnscanned?: boolean;
}

/**
 * Resolves a tag to its digest in ECR and applies the release gates: the image must exist, its
 * scan must have no finding at or above the service's `maxScanSeverity`, and its size is checked
 * against `imageSizeBudgetMiB` (a warning: big images slow every scale-out).
 */
export async function resolveImage(ctx: ReleaseContext, requested: string, options: ResolveOptions): Promise<ResolvedImage> {
  const ref = parseImageRef(requested);
  const registry = ref.registry ?? options.base.registry;
  const repository = ref.repository ?? options.base.repository;
  if (!registry || !repository) {
    throw new ReleaseError(ExitCode.Usage, `image "${requested}": cannot tell the repository; give <registry>/<repository>:<tag> or @sha256:<digest>`);
  }
  const parts = registryParts(registry);
  if (!parts) throw new ReleaseError(ExitCode.Usage, `image "${requested}": ${registry} is not an ECR registry`);
  // A release moves the digest, not the repository: the execution role's pull grant and the
  // image parameter's pattern follow the repository (constructs/service/task-definition.ts), so
  // another one is an IAM change the release role may not make, and CloudFormation would roll the
  // update back. Refused before any call.
  const base = options.base.registry && options.base.repository ? `${options.base.registry}/${options.base.repository}` : undefined;
  if (base && base !== `${registry}/${repository}`) {
    throw new ReleaseError(
      ExitCode.Refused,
      `image "${requested}" is in ${registry}/${repository}, but the fleets pull from ${base}: a release changes the digest only; moving to another repository is an infrastructure change (set BlueGreenService's repository and cdk deploy). Nothing was changed`,
    );
  }
  const ecr = ctx.clients.forRegion(parts.region).ecr;
  const resource = `image ${repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`} in ${registry}`;
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
  let detail: ImageDetail | undefined;
  try {
    const out = await call(ctx, 'DescribeImages', resource, () =>
      ecr.send(new DescribeImagesCommand({ registryId: parts.registryId, repositoryName: repository, imageIds: [imageId] })),
    );
    detail = out.imageDetails?.[0];
  } catch (error) {
    if (error instanceof AwsCallError && ['ImageNotFoundException', 'RepositoryNotFoundException'].includes(error.awsErrorName)) {
      throw new ReleaseError(ExitCode.Refused, `${resource} does not exist (${error.awsErrorName}); nothing was changed`);
    }
    throw error;
  }
  if (!detail?.imageDigest) throw new ReleaseError(ExitCode.Refused, `${resource} does not exist; nothing was changed`);
  const digest = detail.imageDigest;
  const { status, findings } = await scanResult(ctx, ecr, detail, { registryId: parts.registryId, repository, digest, resource });
  const image: ResolvedImage = {
    reference: `${registry}/${repository}@${digest}`,
    registry,
    repository,
    digest,
    tags: detail.imageTags ?? [],
    sizeBytes: detail.imageSizeInBytes,
    scanStatus: status,
    findings,
  };
  applyGates(ctx, image, options);
  return image;
}

type EcrClient = ReturnType<ReleaseContext['clients']['forRegion']>['ecr'];

async function scanResult(
  ctx: ReleaseContext,
  ecr: EcrClient,
  detail: ImageDetail,
  where: { registryId: string; repository: string; digest: string; resource: string },
): Promise<{ status: string; findings: Record<string, number> }> {
  let status = detail.imageScanStatus?.status ?? 'NONE';
  let counts = detail.imageScanFindingsSummary?.findingSeverityCounts;
  const input = { registryId: where.registryId, repositoryName: where.repository, imageId: { imageDigest: where.digest } };
  if (status === 'IN_PROGRESS' || status === 'PENDING') {
    const what = `the scan of ${where.resource}`;
    const stop = ctx.reporter.progress(what, ctx.timings.imageScan.maxWaitSeconds);
    try {
      await waitFor(what, ctx.timings.imageScan, ctx.signal, ecr, (cfg) => waitUntilImageScanDone(cfg, input));
    } finally {
      stop();
    }
    counts = undefined;
    status = 'COMPLETE';
  }
  if ((status === 'COMPLETE' || status === 'ACTIVE') && !counts) {
    const out = await call(ctx, 'DescribeImageScanFindings', where.resource, () => ecr.send(new DescribeImageScanFindingsCommand({ ...input, maxResults: 1 })));
    status = out.imageScanStatus?.status ?? status;
    counts = out.imageScanFindings?.findingSeverityCounts ?? {};
  }
  return { status, findings: { ...(counts ?? {}) } };
}

function applyGates(ctx: ReleaseContext, image: ResolvedImage, options: ResolveOptions): void {
  const { settings } = options;
  const scanned = image.scanStatus === 'COMPLETE' || image.scanStatus === 'ACTIVE';
  if (!scanned) {
    if (!options.allowUnscanned) {
      throw new ReleaseError(
        ExitCode.Refused,
        `image ${image.reference} has no completed scan (status ${image.scanStatus}); scan it, or pass --allow-unscanned to release it anyway`,
        { scanStatus: image.scanStatus },
      );
    }
    ctx.reporter.warn(`image ${image.digest} has no completed scan (status ${image.scanStatus}); released with --allow-unscanned`);
  } else {
    const refused = refusedSeverities(settings.maxScanSeverity).filter((s) => (image.findings[s] ?? 0) > 0);
    if (refused.length > 0) {
      const list = refused.map((s) => `${image.findings[s]} ${s}`).join(', ');
      throw new ReleaseError(ExitCode.Refused, `image ${image.reference} has scan findings at or above ${settings.maxScanSeverity}: ${list}; nothing was changed`, {
        findings: image.findings,
      });
    }
  }
  if (image.sizeBytes !== undefined) {
    const mib = image.sizeBytes / 1024 / 1024;
    if (mib > settings.imageSizeBudgetMiB) {
      ctx.reporter.warn(`image is ${mib.toFixed(0)} MiB, above the ${settings.imageSizeBudgetMiB} MiB budget of ${settings.service}: every scale-out pulls it`);
    }
  }
}
