import { BatchGetImageCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { FakeAws } from './fake-aws';

/** ECR in the fake: images by repository, digest and tags; scans; manifest-only tagging. */
export function installEcr(model: FakeAws, on: (client: any, service: string, command: any, handle: (input: any) => any) => void, awsError: (name: string, message: string, status: number) => Error): void {
  const find = (repo: string, id: { imageTag?: string; imageDigest?: string }) =>
    model.images.find((i) => i.repository === repo && (id.imageDigest ? i.digest === id.imageDigest : i.tags.includes(id.imageTag!)));
  on(ECRClient, 'ecr', DescribeImagesCommand, (i) => {
    const img = find(i.repositoryName, i.imageIds[0]);
    if (!img) throw awsError('ImageNotFoundException', `The image with imageId ${JSON.stringify(i.imageIds[0])} does not exist within the repository`, 400);
    return {
      imageDetails: [
        {
          repositoryName: img.repository,
          imageDigest: img.digest,
          imageTags: [...img.tags],
          imageSizeInBytes: img.sizeBytes,
          imageScanStatus: { status: img.scanStatus },
          imageScanFindingsSummary: img.scanStatus === 'COMPLETE' ? { findingSeverityCounts: { ...img.findings } } : undefined,
        },
      ],
    };
  });
  on(ECRClient, 'ecr', DescribeImageScanFindingsCommand, (i) => {
    const img = find(i.repositoryName, i.imageId)!;
    return { imageScanStatus: { status: img.scanStatus }, imageScanFindings: { findingSeverityCounts: { ...img.findings } } };
  });
  on(ECRClient, 'ecr', BatchGetImageCommand, (i) => {
    const images: any[] = [];
    const failures: any[] = [];
    for (const id of i.imageIds) {
      const img = find(i.repositoryName, id);
      if (img) images.push({ imageId: { imageDigest: img.digest, imageTag: id.imageTag }, imageManifest: img.manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' });
      else failures.push({ imageId: id, failureCode: 'ImageNotFound' });
    }
    return { images, failures };
  });
  on(ECRClient, 'ecr', PutImageCommand, (i) => {
    const img = model.images.find((x) => x.repository === i.repositoryName && x.digest === i.imageDigest);
    if (!img || img.manifest !== i.imageManifest) throw awsError('InvalidParameterException', 'manifest does not match', 400);
    if (img.tags.includes(i.imageTag)) throw awsError('ImageAlreadyExistsException', 'Image already exists', 400);
    for (const other of model.images) other.tags = other.tags.filter((t) => !(other.repository === i.repositoryName && t === i.imageTag));
    img.tags.push(i.imageTag);
    return { image: { imageId: { imageDigest: img.digest, imageTag: i.imageTag } } };
  });
}
