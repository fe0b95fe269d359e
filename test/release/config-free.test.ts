import { runDeploy } from '../../src/commands/deploy';
import { runStatus } from '../../src/commands/status';
import { AwsClients } from '../../src/aws/clients';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, imageRef, REPOSITORY } from './support/aws-model';
import { serviceTemplate } from './support/aws-model/service-template';
import type { Template } from './support/aws-model/template';
import { DEV_STACK, json, run, templateSettings, V1, withHandlers } from './support/model-harness';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from '../../constructs/contract/names';

/**
 * The release CLI needs nothing but the deployed stack: a stack of any name, built with
 * BlueGreenService and ReleaseSupport, is released with --stack alone, and the settings it
 * publishes (the ReleaseSettings output, docs/contracts.md) drive the release.
 */
const STACK = 'orders-live';

function world(settings: Record<string, unknown> | 'missing' | string = {}): AwsModel {
  const template = serviceTemplate({ env: 'dev', service: 'api' }) as Template & { Outputs: Record<string, { Value: unknown }> };
  if (settings === 'missing') delete template.Outputs.ReleaseSettings;
  else if (typeof settings === 'string') template.Outputs.ReleaseSettings.Value = settings;
  else template.Outputs.ReleaseSettings.Value = JSON.stringify({ ...templateSettings('dev', 'api'), ...settings });
  const aws = new AwsModel().install();
  aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...DEFAULT_MUTABLE_TAG_PATTERNS] });
  aws.addServiceStack(STACK, { live: 'blue', liveImage: V1, template });
  withHandlers(aws, STACK);
  aws.addImage('v1');
  aws.timings.callMs = 5_000;
  return aws;
}

describe('deploy --stack: any stack built with the constructs, no app config', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  test('a stack that is not named bgf-<env>-<service> is released with --stack and --region alone', async () => {
    aws = world();
    aws.addImage('v2');
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, region: 'ap-northeast-1', image: 'v2', json: true }, { ...r.deps, env: { USER: 'alice' } })).toBe(ExitCode.Ok);
    expect(json(r).result).toMatchObject({ outcome: 'released', liveColor: 'green', image: imageRef('v2') });
    expect(aws.trafficColor(STACK)).toBe('green');
  });

  test('the settings read from the stack drive the bake, the rollback window, the smoke path and the size budget', async () => {
    aws = world({ bakeMinutes: 7, rollbackWindowMinutes: 33, smokeCheckPath: '/ready', imageSizeBudgetMiB: 100 });
    aws.addImage('v2', { sizeBytes: 150 * 1024 * 1024 });
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2', json: true }, r.deps)).toBe(ExitCode.Ok);
    const steps: { name: string }[] = json(r).steps;
    expect(steps.map((s) => s.name)).toContain("bake 7 min watching the green fleet's alarms");
    const window = aws.table(STACK).get({ pk: 'window', sk: 'current' }) as { swappedAt: string; closesAt: string };
    expect(Date.parse(window.closesAt) - Date.parse(window.swappedAt)).toBe(33 * 60_000);
    const smoke = aws.lambda.invocations.find((i) => i.functionName.includes('SmokeCheck'));
    expect(smoke?.payload.url).toMatch(/:\d+\/ready$/);
    expect(json(r).notes.join('\n')).toMatch(/image is 150 MiB, above the 100 MiB budget of api/);
  });

  test('maxScanSeverity from the stack: MEDIUM refuses an image with a MEDIUM finding that the default HIGH lets through', async () => {
    aws = world({ maxScanSeverity: 'MEDIUM' });
    aws.addImage('v2', { findings: { MEDIUM: 2 } });
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2' }, r.deps)).toBe(ExitCode.Refused);
    expect(r.stderr.text).toMatch(/has scan findings at or above MEDIUM: 2 MEDIUM; nothing was changed/);
    expect(aws.count('UpdateStack')).toBe(0);
    aws.restore();

    aws = world({ maxScanSeverity: 'HIGH' });
    aws.addImage('v2', { findings: { MEDIUM: 2 } });
    const r2 = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2', dryRun: true }, r2.deps)).toBe(ExitCode.Ok);
  });

  test("--ami latest takes the standby's architecture from the stack: arm64 reads the arm64 ECS-optimized AMI; none known is a usage error", async () => {
    aws = world({ architectures: { blue: 'x86_64', green: 'arm64' } });
    aws.addImage('v2');
    aws.ssm.set('/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id', 'ami-0ccccccccccccccc3');
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2', ami: 'latest', dryRun: true, json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.ami).toBe('ami-0ccccccccccccccc3');
    aws.restore();

    aws = world({ architectures: {} });
    aws.addImage('v2');
    const r2 = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2', ami: 'latest' }, r2.deps)).toBe(ExitCode.Usage);
    expect(r2.stderr.text).toMatch(/--ami latest: stack orders-live's ReleaseSettings name no CPU architecture for the green fleet .*give an AMI id/);
  });

  test.each([
    ['missing', /stack orders-live has no output ReleaseSettings: redeploy it with a current ReleaseSupport/],
    ['{"version":1,"bake', /stack orders-live: output ReleaseSettings is not JSON .*redeploy it with a current ReleaseSupport/],
    ['{"version":1,"environment":"dev"}', /stack orders-live: output ReleaseSettings is malformed \(service: .*redeploy it with a current ReleaseSupport/],
  ])('ReleaseSettings %s: refused before any change (exit 3), naming the stack and the output', async (settings, message) => {
    aws = world(settings);
    aws.addImage('v2');
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, image: 'v2' }, r.deps)).toBe(ExitCode.Refused);
    expect(r.stderr.text).toMatch(message);
    expect(aws.count('UpdateStack')).toBe(0);
    expect(aws.count('PutItem')).toBe(0);
  });

  test('status still shows a stack without release settings, and says what a release would need', async () => {
    aws = world('missing');
    const r = run(aws);
    expect(await runStatus({ stack: STACK }, r.deps)).toBe(ExitCode.Ok);
    expect(r.stdout.text).toMatch(/\(!\) stack orders-live has no output ReleaseSettings: redeploy/);
  });
});

describe('whose credentials: the caller account, --profile, --role-arn, --region', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  test('credentials of another account than --account: named as such, before any other call (exit 2)', async () => {
    aws = world();
    aws.caller = { Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/dev/alice', UserId: 'AROA:alice' };
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, account: '123456789012', image: 'v2' }, r.deps)).toBe(ExitCode.Usage);
    expect(r.stderr.text).toMatch(/credentials are for account 999999999999 \(arn:aws:sts::999999999999:assumed-role\/dev\/alice\), the stack orders-live is in 123456789012: use --profile\/--role-arn/);
    expect(aws.calls.map((c) => c.operation)).toEqual(['GetCallerIdentity']);
  });

  test("a stack whose StackId names another account than the caller's is refused after DescribeStacks, naming both (exit 2)", async () => {
    // GIVEN credentials that --account accepts, and a stack whose id is in another account
    aws = world();
    aws.caller = { Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/dev/alice', UserId: 'AROA:alice' };
    const r = run(aws);
    expect(await runDeploy({ stack: STACK, account: '999999999999', image: 'v2' }, r.deps)).toBe(ExitCode.Usage);
    expect(r.stderr.text).toContain(
      'credentials are for account 999999999999 (arn:aws:sts::999999999999:assumed-role/dev/alice), the stack orders-live is in 123456789012: use --profile/--role-arn; nothing was changed',
    );
    expect(aws.count('UpdateStack')).toBe(0);
  });

  test('a stack ARN gives the account and the region', async () => {
    aws = world();
    aws.caller = { Account: '999999999999', Arn: 'arn:aws:sts::999999999999:user/bob', UserId: 'AIDA' };
    const r = run(aws);
    const arn = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
    expect(await runStatus({ stack: arn }, { ...r.deps, env: { USER: 'alice' } })).toBe(ExitCode.Usage);
    expect(r.stderr.text).toMatch(/credentials are for account 999999999999 .*the stack orders-live is in 123456789012/);
  });

  test('a stack the account does not have: the message names the account asked and the options to change it', async () => {
    aws = world();
    const r = run(aws);
    expect(await runStatus({ env: 'dev', service: 'nope' }, r.deps)).toBe(ExitCode.Error);
    expect(r.stderr.text).toMatch(/stack bgf-dev-nope does not exist in ap-northeast-1 of account 123456789012 \(credentials of arn:aws:sts::123456789012:assumed-role\/release\/alice\): .*use --profile\/--role-arn/);
  });

  test('no region from --region, AWS_REGION or the profile: a usage error before any call', async () => {
    aws = world();
    const r = run(aws);
    expect(await runStatus({ stack: STACK, profile: 'ops' }, { ...r.deps, env: { USER: 'alice' }, profileRegion: async () => undefined })).toBe(ExitCode.Usage);
    expect(r.stderr.text).toMatch(/no region for stack orders-live: give --region, set AWS_REGION, or set a region in the profile ops/);
    expect(aws.calls).toEqual([]);
  });

  test("the profile's region is used when nothing else names one; --profile and --role-arn reach the clients", async () => {
    aws = world();
    const r = run(aws);
    const seen: { region: string; access: unknown }[] = [];
    const deps = { ...r.deps, env: { USER: 'alice' }, profileRegion: async (p: string | undefined) => (p === 'ops' ? 'ap-northeast-1' : undefined), clients: (region: string, access: object) => (seen.push({ region, access }), new AwsClients(region, access)) };
    expect(await runStatus({ stack: STACK, profile: 'ops', roleArn: 'arn:aws:iam::123456789012:role/release' }, deps)).toBe(ExitCode.Ok);
    expect(seen).toEqual([{ region: 'ap-northeast-1', access: expect.objectContaining({ profile: 'ops', roleArn: 'arn:aws:iam::123456789012:role/release' }) }]);
  });

  test('--role-arn: the clients sign with credentials from STS AssumeRole, fetched once and shared', async () => {
    aws = world();
    const role = 'arn:aws:iam::123456789012:role/release';
    aws.assumableRoles.add(role);
    // The model dates the credentials' Expiration by its own clock; the SDK and the cache compare it with the real one.
    aws.clock.advance(Math.max(0, Date.now() - aws.clock.t));
    const clients = new AwsClients('ap-northeast-1', { roleArn: role, sessionName: 'bluegreen-fleet-alice@host' });
    const credentials = await (clients.cloudFormation.config.credentials as () => Promise<{ accessKeyId: string }>)();
    expect(credentials.accessKeyId).toBe('ASIAMODEL');
    await (clients.forRegion('us-east-1').ecr.config.credentials as () => Promise<unknown>)();
    expect(aws.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.input)).toEqual([{ RoleArn: role, RoleSessionName: 'bluegreen-fleet-alice@host' }]);
  });

  test('--role-arn the caller may not assume: AssumeRole\'s AccessDenied, before any change', async () => {
    aws = world();
    const clients = new AwsClients('ap-northeast-1', { roleArn: 'arn:aws:iam::123456789012:role/other' });
    await expect((clients.cloudFormation.config.credentials as () => Promise<unknown>)()).rejects.toThrow(/not authorized to perform: sts:AssumeRole/);
  });
});

describe('the stack the model serves carries the release settings the app gave ReleaseSupport', () => {
  test('dev api: bake and rollback window from lib/config, through the construct, into the output', () => {
    expect(templateSettings('dev', 'api')).toMatchObject({ environment: 'dev', service: 'api', bakeMinutes: 5, rollbackWindowMinutes: 15, smokeCheckPath: '/healthz', maxScanSeverity: 'HIGH' });
    expect(DEV_STACK).toBe('bgf-dev-api');
  });
});
