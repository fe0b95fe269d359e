import { runPromote } from '../../src/commands/promote';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, imageRef, REPOSITORY } from './support/aws-model';
import { DEV_STACK, devWorld, json, run } from './support/model-harness';

describe('promote', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  const promoteV2 = (tag: string, extra: object = {}) => ({ service: 'api', image: imageRef('v2'), tag, json: true, ...extra });
  const tagsOf = (name: string) => aws.images.find((i) => i.tags.includes(name))?.tags;

  test('adds the tag with BatchGetImage + PutImage only: no layer is pulled or pushed', async () => {
    const r = run(aws);
    expect(await runPromote(promoteV2('1.4.0'), r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result).toMatchObject({ outcome: 'tagged', repository: REPOSITORY, tag: '1.4.0' });
    expect(tagsOf('v2')).toEqual(['v2', '1.4.0']);
    expect(aws.calls.map((c) => c.operation)).toEqual(['BatchGetImage', 'PutImage']);
    const put = aws.calls[1].input;
    expect(put).toMatchObject({ repositoryName: REPOSITORY, registryId: '123456789012', imageTag: '1.4.0', imageManifest: aws.images[1].manifest, imageDigest: aws.images[1].digest });
  });

  test('is idempotent: the same promote again calls no PutImage', async () => {
    await runPromote(promoteV2('1.4.0'), run(aws).deps);
    const r = run(aws);
    expect(await runPromote(promoteV2('1.4.0'), r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('unchanged');
    expect(aws.count('PutImage')).toBe(1);
  });

  test('a release tag on another digest is refused (exit 3); with --force ECR refuses it, the tag being immutable', async () => {
    const refused = run(aws);
    expect(await runPromote(promoteV2('v1'), refused.deps)).toBe(ExitCode.Refused);
    expect(json(refused).error).toMatch(/bluegreen-fleet\/api:v1 already points at sha256:[0-9a-f]{64}; release tags are immutable.*--force/);
    expect(aws.count('PutImage')).toBe(0);
    // The repository makes release tags immutable (ImageRepository: IMMUTABLE_WITH_EXCLUSION
    // with `*-live`), so ECR refuses to move v1 even with --force; the old fake's repository was
    // mutable and let it move.
    const forced = run(aws);
    expect(await runPromote(promoteV2('v1', { force: true }), forced.deps)).toBe(ExitCode.Refused);
    expect(json(forced).error).toBe(`${REPOSITORY} has immutable tags: v1 cannot be moved, even with --force`);
    expect(aws.images[0].tags).toEqual(['v1']);
  });

  test('--force moves a pointer tag (one the repository leaves mutable)', async () => {
    expect(await runPromote(promoteV2('qa-live'), run(aws).deps)).toBe(ExitCode.Ok);
    const back = run(aws);
    expect(await runPromote({ ...promoteV2('qa-live', { force: true }), image: imageRef('v1') }, back.deps)).toBe(ExitCode.Ok);
    expect(json(back).result).toMatchObject({ outcome: 'moved', previousDigest: aws.images[1].digest });
    expect(aws.images[0].tags).toEqual(['v1', 'qa-live']);
    expect(aws.images[1].tags).toEqual(['v2']);
  });

  test('a bare digest takes the repository from --env (the live fleet) or --repository', async () => {
    const digest = aws.images[1].digest;
    expect(await runPromote({ service: 'api', image: digest, tag: 'a', env: 'dev' }, run(aws).deps)).toBe(ExitCode.Ok);
    expect(await runPromote({ service: 'api', image: digest, tag: 'b', repository: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/${REPOSITORY}` }, run(aws).deps)).toBe(ExitCode.Ok);
    expect(tagsOf('v2')).toEqual(['v2', 'a', 'b']);
    expect(aws.calls.some((c) => c.operation === 'DescribeStacks' && c.input.StackName === DEV_STACK)).toBe(true);
  });

  test('a tag instead of a digest is a usage error (exit 2); a missing digest is refused (exit 3)', async () => {
    expect(await runPromote({ service: 'api', image: 'v2', tag: 'x', env: 'dev' }, run(aws).deps)).toBe(ExitCode.Usage);
    const r = run(aws);
    expect(await runPromote({ ...promoteV2('x'), image: imageRef('never-pushed') }, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/does not exist/);
  });
});
