import { runDeploy } from '../../src/commands/deploy';
import { runPromote } from '../../src/commands/promote';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, imageRef, REPOSITORY } from './support/aws-model';
import { MEDIA } from './support/aws-model/ecr';
import { DEV_STACK, devWorld, json, run } from './support/model-harness';

/**
 * ECR as a release meets it: images pushed as an index (multi-architecture, or BuildKit's
 * attestations), and enhanced scanning, whose status ends ACTIVE (test/release/support/aws-model/ecr.ts).
 */
describe('images in ECR', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  // Failed on the old code: BatchGetImage without acceptedMediaTypes did not return the index
  // ("image ... does not exist"), so neither promote nor the `<env>-live` pointer could tag it.
  test.each([
    ['an OCI image index (BuildKit attestations)', MEDIA.ociIndex],
    ['a Docker manifest list', MEDIA.dockerList],
  ])('promote tags %s, handing PutImage its media type back', async (_what, mediaType) => {
    const index = aws.addImage('multi', { mediaType });
    const r = run(aws);
    expect(await runPromote({ service: 'api', image: imageRef('multi'), tag: '2.0.0', json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result).toMatchObject({ outcome: 'tagged', tag: '2.0.0' });
    expect(index.tags).toEqual(['multi', '2.0.0']);
    const get = aws.calls.find((c) => c.operation === 'BatchGetImage')!.input;
    expect(get.acceptedMediaTypes).toEqual(expect.arrayContaining([MEDIA.dockerV2, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex]));
    expect(aws.calls.find((c) => c.operation === 'PutImage')!.input).toMatchObject({ imageManifestMediaType: mediaType, imageManifest: index.manifest });
  });

  test('a release of an image index points dev-live at it', async () => {
    const index = aws.addImage('v3', { mediaType: MEDIA.ociIndex });
    const r = run(aws);
    expect({ exit: await runDeploy({ env: 'dev', service: 'api', image: 'v3' }, r.deps), err: r.stderr.text }).toMatchObject({ exit: ExitCode.Ok });
    expect(r.stderr.text).not.toMatch(/could not point dev-live/);
    expect(index.tags).toContain('dev-live');
  });

  // Failed on the old code: the SDK's waitUntilImageScanComplete succeeds only on COMPLETE, so an
  // enhanced scan (PENDING, then ACTIVE) was polled until the wait timed out (exit 1).
  test('a release waits for an enhanced scan to become ACTIVE, then releases it (its findings are below the gate)', async () => {
    aws.ecr.putRepository(REPOSITORY, { scanning: 'ENHANCED' });
    aws.addImage('v3', { scanStatus: 'IN_PROGRESS', findings: { LOW: 2 } });
    const r = run(aws);
    expect({ exit: await runDeploy({ env: 'dev', service: 'api', image: 'v3' }, r.deps), err: r.stderr.text }).toMatchObject({ exit: ExitCode.Ok });
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.calls.filter((c) => c.operation === 'DescribeImageScanFindings').length).toBeGreaterThan(1);
  });

  test('an enhanced scan that ends without findings (FINDINGS_UNAVAILABLE) stops the wait at once, saying so', async () => {
    aws.ecr.putRepository(REPOSITORY, { scanning: 'ENHANCED' });
    const v3 = aws.addImage('v3', { scanStatus: 'IN_PROGRESS' });
    v3.scanFails = true;
    const r = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v3', json: true }, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/the scan of .* failed: scan status FINDINGS_UNAVAILABLE/);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
  });
});
