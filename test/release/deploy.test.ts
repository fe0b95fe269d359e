import { runDeploy } from '../../src/commands/deploy';
import { AwsAccess, AwsClients } from '../../src/aws/clients';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, digestOf, imageRef } from './support/aws-model';
import { DEV_BAKE_MINUTES, DEV_STACK, DEV_WINDOW_MINUTES, devWorld, json, run, V1, V2, windowItem } from './support/model-harness';

const deployV2 = { env: 'dev', service: 'api', image: 'v2', json: true };

describe('deploy: the happy path', () => {
  let aws: AwsModel;
  let code: number;
  let out: any;

  beforeAll(async () => {
    // GIVEN dev's api live on blue with v1, green cold
    aws = devWorld();
    // WHEN v2 is deployed
    const r = run(aws);
    code = await runDeploy(deployV2, r.deps);
    out = json(r);
  });
  afterAll(() => aws.restore());

  test('exits 0 with one JSON result object', () => {
    expect(code).toBe(ExitCode.Ok);
    expect(out).toMatchObject({ ok: true, command: 'deploy', exitCode: 0, result: { outcome: 'released', liveColor: 'green', image: V2 } });
  });

  test('green runs the digest v2 resolved to, and takes production traffic', () => {
    expect(aws.param(DEV_STACK, 'GreenImage')).toBe(V2);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
  });

  test('the AMI stays the live fleet\'s and other parameters keep their values', () => {
    expect(aws.param(DEV_STACK, 'GreenAmi')).toBe(aws.param(DEV_STACK, 'BlueAmi'));
    expect(aws.param(DEV_STACK, 'BlueImage')).toBe(V1);
    expect(aws.param(DEV_STACK, 'BootstrapVersion')).toBe('/cdk-bootstrap/hnb659fds/version');
    // A parameter left out of UpdateStack takes its Default, not its previous value
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html), so
    // every update names every parameter of the template.
    const declared = Object.keys(aws.stack(DEV_STACK).template.Parameters ?? {}).sort();
    for (const u of aws.calls.filter((c) => c.operation === 'UpdateStack')) expect(u.input.Parameters.map((p: any) => p.ParameterKey).sort()).toEqual(declared);
  });

  test('blue stays warm at the live size for the rollback window (StandbyMinTasks = 2)', () => {
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('2');
    expect(aws.service(DEV_STACK, 'blue').running).toBe(2);
  });

  test('exactly two stack updates: prepare the standby, then swap', () => {
    const updates = aws.calls.filter((c) => c.operation === 'UpdateStack');
    expect(updates).toHaveLength(2);
    expect(updates[0].input.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: 'GreenImage', ParameterValue: V2 },
        { ParameterKey: 'StandbyMinTasks', ParameterValue: '2' },
        { ParameterKey: 'LiveColor', UsePreviousValue: true },
      ]),
    );
    expect(updates[1].input.Parameters).toEqual(expect.arrayContaining([{ ParameterKey: 'LiveColor', ParameterValue: 'green' }]));
    // The capabilities the stack was deployed with (DescribeStacks), which the template needs.
    for (const u of updates) expect(u.input).toMatchObject({ UsePreviousTemplate: true, Capabilities: aws.stack(DEV_STACK).capabilities, RoleARN: aws.outputs(DEV_STACK).ReleaseRoleArn });
  });

  test('the smoke check ran through the test listener, before the swap', () => {
    const o = aws.outputs(DEV_STACK);
    expect(aws.invocations).toEqual([expect.objectContaining({ functionName: o.SmokeCheckFunctionName, type: 'RequestResponse', payload: { url: `http://${o.LoadBalancerDnsName}:${o.TestListenerPort}/healthz` } })]);
    const smoke = aws.calls.findIndex((c) => c.operation === 'Invoke');
    const swap = aws.calls.findIndex((c) => c.operation === 'UpdateStack' && c.input.Parameters.some((p: any) => p.ParameterKey === 'LiveColor' && p.ParameterValue));
    expect(smoke).toBeLessThan(swap);
  });

  test(`a one-time schedule cools blue when the ${DEV_WINDOW_MINUTES} min window after the swap closes, and deletes itself`, () => {
    const window = windowItem(aws);
    expect(Date.parse(window.closesAt) - Date.parse(window.swappedAt)).toBe(DEV_WINDOW_MINUTES * 60_000);
    expect([...aws.schedules.values()]).toEqual([
      expect.objectContaining({
        Name: 'bgf-dev-api-cool-down',
        ScheduleExpression: `at(${window.closesAt.slice(0, 19)})`,
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({ Input: JSON.stringify({ action: 'cool', expectLiveColor: 'green' }), RoleArn: expect.stringContaining('SchedulerRole') }),
      }),
    ]);
  });

  test(`baked ${DEV_BAKE_MINUTES} minutes (dev bakeMinutes) after the swap watching the green alarms, then recorded`, () => {
    const window = windowItem(aws);
    const alarmCalls = aws.calls.filter((c) => c.operation === 'DescribeAlarms');
    expect(alarmCalls.length).toBeGreaterThan(1);
    expect(alarmCalls[0].input.AlarmNames).toEqual(aws.alarmNames(DEV_STACK, 'green'));
    expect(alarmCalls[0].at.getTime()).toBeGreaterThanOrEqual(Date.parse(window.swappedAt));
    expect(alarmCalls[alarmCalls.length - 1].at.getTime()).toBeGreaterThanOrEqual(Date.parse(window.swappedAt) + DEV_BAKE_MINUTES * 60_000);
    const recorded = aws.calls.find((c) => c.operation === 'Put' && c.input.Item?.pk === 'history')!;
    expect(recorded.at.getTime()).toBeGreaterThan(alarmCalls[alarmCalls.length - 1].at.getTime());
  });

  test('history has one succeeded record; the window item and no lock remain', () => {
    const table = aws.table(DEV_STACK);
    expect(table.query('history', false)).toEqual([
      expect.objectContaining({ outcome: 'succeeded', fromColor: 'blue', toColor: 'green', oldImage: V1, newImage: V2, actor: expect.stringMatching(/^alice@/), service: 'api', environment: 'dev' }),
    ]);
    expect(table.get({ pk: 'window', sk: 'current' })).toMatchObject({ previousColor: 'blue', liveColor: 'green', closesAt: expect.any(String), previousImage: V1, previousAmi: 'ami-0aaaaaaaaaaaaaaa1' });
    expect(table.get({ pk: 'lock', sk: 'lock' })).toBeUndefined();
    expect(table.get({ pk: 'release', sk: 'pending' })).toBeUndefined();
  });

  test('the pointer tag dev-live moves to v2, so the repository lifecycle keeps the live image', () => {
    expect(aws.images.find((i) => i.digest === digestOf('v2'))!.tags).toEqual(['v2', 'dev-live']);
    expect(aws.calls.filter((c) => c.service === 'ecr').map((c) => c.operation)).toEqual(['DescribeImages', 'BatchGetImage', 'PutImage']);
  });

  test('running the same deploy again changes nothing', async () => {
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result.outcome).toBe('already-live');
    expect(aws.calls.slice(before).filter((c) => ['UpdateStack', 'ModifyListener', 'CreateSchedule', 'UpdateSchedule', 'Invoke', 'PutImage'].includes(c.operation))).toEqual([]);
  });
});

describe('deploy: the image gates', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('an image that does not exist is refused (exit 3) and nothing changes', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, image: 'v9' }, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/bluegreen-fleet\/api:v9 .*does not exist/);
    expect(aws.count('UpdateStack')).toBe(0);
  });

  test('findings at or above maxScanSeverity (HIGH) are refused', async () => {
    aws.addImage('v3', { findings: { HIGH: 2, LOW: 1 } });
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, image: 'v3' }, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/scan findings at or above HIGH: 2 HIGH/);
    expect(aws.count('UpdateStack')).toBe(0);
  });

  test('findings below the threshold pass; an image without a completed scan is refused unless --allow-unscanned', async () => {
    aws.addImage('v4', { findings: {} }).scanFails = true;
    const refused = run(aws);
    expect(await runDeploy({ ...deployV2, image: 'v4' }, refused.deps)).toBe(ExitCode.Refused);
    expect(json(refused).error).toMatch(/no completed scan \(status FAILED\).*--allow-unscanned/);
    const allowed = run(aws);
    expect(await runDeploy({ ...deployV2, image: 'v4', allowUnscanned: true }, allowed.deps)).toBe(ExitCode.Ok);
    expect(allowed.stderr.text).toMatch(/WARNING: image sha256:[0-9a-f]+ has no completed scan/);
  });

  test('an image above the size budget (500 MiB) is released with a warning', async () => {
    aws.addImage('big', { sizeBytes: 812 * 1024 * 1024 });
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, image: 'big' }, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).toMatch(/WARNING: image is 812 MiB, above the 500 MiB budget of api/);
    expect(json(r).result.imageSizeBytes).toBe(812 * 1024 * 1024);
  });

  test('a digest is taken as is; a tag is resolved to its digest', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, image: digestOf('v2') }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'GreenImage')).toBe(imageRef('v2'));
  });
});

describe('deploy: --dry-run, --no-swap, --ami, --image-from', () => {
  let aws: AwsModel;
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('--dry-run prints the plan and changes nothing (no lock either)', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, dryRun: true }, r.deps)).toBe(ExitCode.Ok);
    const { result } = json(r);
    expect(result.outcome).toBe('planned');
    expect(result.plan.join('\n')).toMatch(new RegExp(String.raw`GreenImage=.*StandbyMinTasks=2[\s\S]*smoke check: GET \/healthz[\s\S]*swap: LiveColor=green[\s\S]*15 min rollback window[\s\S]*bake ${DEV_BAKE_MINUTES} min`));
    const writes = aws.calls.filter((c) => !/^(Describe|Get|Query|BatchGet)/.test(c.operation));
    expect(writes).toEqual([]);
  });

  test('--no-swap stops with the standby warm, healthy and smoke-checked; traffic stays', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, swap: false }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).result).toMatchObject({ outcome: 'ready', liveColor: 'blue' });
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.service(DEV_STACK, 'green').running).toBe(2);
    expect(aws.invocations).toHaveLength(1);
  });

  test('--ami latest pins the current ECS-optimized AMI on the standby', async () => {
    aws.ssm.set('/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id', 'ami-0bbbbbbbbbbbbbbb2');
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, ami: 'latest' }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'GreenAmi')).toBe('ami-0bbbbbbbbbbbbbbb2');
    expect(aws.param(DEV_STACK, 'BlueAmi')).toBe('ami-0aaaaaaaaaaaaaaa1');
  });

  test('--image-from staging releases the exact digest live in staging', async () => {
    const v3 = aws.addImage('v3');
    aws.addServiceStack('bgf-staging-api', { live: 'green', liveImage: imageRef('v3'), standbyImage: V1 });
    const r = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', imageFrom: 'staging', json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'GreenImage')).toBe(`${imageRef('v3')}`);
    expect(json(r).result.image).toContain(v3.digest);
  });

  test('--image-from in another account: the other stack is read with --image-from-role-arn\'s credentials (from --image-from-profile\'s), nothing else is', async () => {
    aws.addImage('v3');
    aws.addServiceStack('bgf-staging-api', { live: 'green', liveImage: imageRef('v3'), standbyImage: V1 });
    const built: Array<{ access: AwsAccess; stacksRead: string[] }> = [];
    const r = run(aws);
    const deps = {
      ...r.deps,
      clients: (region: string, access: AwsAccess) => {
        const clients = new AwsClients(region, access);
        const seen = { access, stacksRead: [] as string[] };
        built.push(seen);
        const cfn = clients.cloudFormation;
        const send = cfn.send.bind(cfn) as (command: unknown) => Promise<unknown>;
        (cfn as { send: unknown }).send = (command: { input: { StackName?: string } }) => {
          if (command.input.StackName) seen.stacksRead.push(command.input.StackName);
          return send(command);
        };
        return clients;
      },
    };
    const options = { env: 'dev', service: 'api', imageFrom: 'staging', imageFromProfile: 'staging-readonly', imageFromRoleArn: 'arn:aws:iam::222222222222:role/bgf-image-reader', json: true };
    expect(await runDeploy(options, deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'GreenImage')).toBe(imageRef('v3'));
    expect(built).toHaveLength(2);
    expect(built[0].stacksRead).not.toContain('bgf-staging-api');
    expect(built[1].access).toEqual({ profile: 'staging-readonly', roleArn: 'arn:aws:iam::222222222222:role/bgf-image-reader', sessionName: expect.stringMatching(/^bluegreen-fleet-alice/) });
    expect(new Set(built[1].stacksRead)).toEqual(new Set(['bgf-staging-api']));
  });

  test('--image-from-profile alone keeps the release\'s role out of it; without either, the release\'s own clients read the other stack', async () => {
    aws.addImage('v3');
    aws.addServiceStack('bgf-staging-api', { live: 'green', liveImage: imageRef('v3'), standbyImage: V1 });
    const built: AwsAccess[] = [];
    const r = run(aws);
    const deps = { ...r.deps, clients: (region: string, access: AwsAccess) => (built.push(access), new AwsClients(region, access)) };
    expect(await runDeploy({ env: 'dev', service: 'api', imageFrom: 'staging', imageFromProfile: 'staging-readonly', roleArn: 'arn:aws:iam::123456789012:role/bgf-release', json: true }, deps)).toBe(ExitCode.Ok);
    expect(built[1]).toEqual({ profile: 'staging-readonly', roleArn: undefined, sessionName: expect.stringMatching(/^bluegreen-fleet-alice/) });
  });

  test('--image-from-profile or --image-from-role-arn without --image-from is a usage error naming both', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, imageFromRoleArn: 'arn:aws:iam::222222222222:role/x' }, r.deps)).toBe(ExitCode.Usage);
    expect(r.stderr.text).toMatch(/--image-from-profile and --image-from-role-arn need --image-from/);
  });

  test('--image and --image-from together are a usage error (exit 2)', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, imageFrom: 'staging' }, r.deps)).toBe(ExitCode.Usage);
  });

  test('a service with no stack: the message names the stack, the region and the account asked, and the options that change them', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, service: 'nope' }, r.deps)).toBe(ExitCode.Error);
    expect(r.stderr.text).toMatch(/stack bgf-dev-nope does not exist in ap-northeast-1 of account 123456789012 .*--region; if the stack is in another account, use --profile\/--role-arn/);
    expect(aws.count('UpdateStack')).toBe(0);
  });

  test('human output: each step with elapsed time on stderr, the result on stdout', async () => {
    const r = run(aws);
    expect(await runDeploy({ ...deployV2, json: false }, r.deps)).toBe(ExitCode.Ok);
    expect(r.stderr.text).toMatch(/\[\s+[\d.]+s\] ok {3}resolve the image: .*@sha256:[0-9a-f]{64} \(200 MiB\), scan COMPLETE \([\d.]+s\)/);
    expect(r.stderr.text).toMatch(/ok {3}swap: LiveColor=green: LiveColor=green; the previous fleet stays warm/);
    const { closesAt } = windowItem(aws);
    expect(r.stdout.text).toMatch(new RegExp(`^released \\S+: the green fleet is live with .*; rollback window until ${closesAt}\n$`));
  });
});
