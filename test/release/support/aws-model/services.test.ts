import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MEDIA } from './ecr';
import { AwsModel, digestOf, imageRef, REPOSITORY } from './index';
import { atInstant } from './scheduler';

const region = 'ap-northeast-1';
const STACK = 'bgf-dev-api';
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const dec = (b?: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

let aws: AwsModel;
beforeEach(() => {
  aws = new AwsModel().install();
  aws.timings.callMs = 0;
  aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
});
afterEach(() => aws.restore());

describe('ECR', () => {
  const ecr = new ECRClient({ region });
  const manifestOf = async (tag: string, accepted?: string[]) => (await ecr.send(new BatchGetImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }], acceptedMediaTypes: accepted })));

  test('immutable tags, except those matching an exclusion filter', async () => {
    aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['*-live'] });
    const v1 = aws.addImage('v1', { tags: ['v1', 'dev-live'] });
    const v2 = aws.addImage('v2');
    await expect(ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: 'v1', imageManifest: v2.manifest, imageDigest: v2.digest }))).rejects.toMatchObject({ name: 'ImageTagAlreadyExistsException' });
    await ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: 'dev-live', imageManifest: v2.manifest, imageDigest: v2.digest }));
    expect(v1.tags).toEqual(['v1']);
    expect(v2.tags).toEqual(['v2', 'dev-live']);
    await expect(ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: 'dev-live', imageManifest: v2.manifest, imageDigest: v2.digest }))).rejects.toMatchObject({ name: 'ImageAlreadyExistsException' });
  });

  test('mutable tags, except those matching an exclusion filter, which are immutable', async () => {
    aws.ecr.putRepository(REPOSITORY, { tagMutability: 'MUTABLE_WITH_EXCLUSION', exclusions: ['release-*'] });
    aws.addImage('v1', { tags: ['v1', 'release-1', 'latest'] });
    const v2 = aws.addImage('v2');
    const move = (tag: string) => ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: tag, imageManifest: v2.manifest, imageDigest: v2.digest }));
    await move('latest');
    await move('v1');
    await expect(move('release-1')).rejects.toMatchObject({ name: 'ImageTagAlreadyExistsException' });
    expect(v2.tags).toEqual(['v2', 'latest', 'v1']);
    // A new tag matching the filter can be pushed; it is only never moved.
    await move('release-2');
    expect(v2.tags).toContain('release-2');
  });

  test('another account\'s repository is readable only when its repository policy allows the caller', async () => {
    aws.addImage('shared', { registryId: '222222222222' });
    const describe1 = () => ecr.send(new DescribeImagesCommand({ registryId: '222222222222', repositoryName: REPOSITORY, imageIds: [{ imageTag: 'shared' }] }));
    await expect(describe1()).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/ecr:DescribeImages on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/) });
    aws.ecr.putRepository(REPOSITORY, { registryId: '222222222222', crossAccountPull: true });
    expect((await describe1()).imageDetails![0].registryId).toBe('222222222222');
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: 'shared' }] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  test('an image index is returned only when its media type is accepted', async () => {
    aws.addImage('multi', { mediaType: MEDIA.ociIndex });
    expect((await manifestOf('multi')).failures).toEqual([expect.objectContaining({ failureCode: 'ImageNotFound' })]);
    const out = await manifestOf('multi', [MEDIA.ociManifest, MEDIA.ociIndex]);
    expect(out.images![0].imageManifestMediaType).toBe(MEDIA.ociIndex);
  });

  test('a basic scan goes IN_PROGRESS then COMPLETE; enhanced scanning goes PENDING then ACTIVE, never COMPLETE', async () => {
    const status = async (tag: string) => (await ecr.send(new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }] }))).imageDetails![0].imageScanStatus!.status;
    aws.addImage('v3', { scanStatus: 'IN_PROGRESS' });
    expect(await status('v3')).toBe('IN_PROGRESS');
    await aws.runFor(120_000);
    expect(await status('v3')).toBe('COMPLETE');
    aws.ecr.putRepository(REPOSITORY, { scanning: 'ENHANCED' });
    aws.addImage('v4', { scanStatus: 'IN_PROGRESS' });
    expect(await status('v4')).toBe('PENDING');
    await aws.runFor(3_600_000);
    expect(await status('v4')).toBe('ACTIVE');
  });
});

describe('Lambda', () => {
  const lambda = new LambdaClient({ region });
  const fn = () => aws.outputs(STACK).AutoRollbackFunctionName;

  test('a synchronous invocation that throws answers 200 with FunctionError and the error', async () => {
    aws.handle(STACK, 'AutoRollback', async () => {
      throw new Error('boom');
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: fn(), Payload: enc({}) }));
    expect(out).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(dec(out.Payload)).toMatchObject({ errorMessage: 'boom' });
  });

  test('an asynchronous invocation that fails runs again after 1 minute and 2 more, then no more', async () => {
    const runs: number[] = [];
    aws.handle(STACK, 'AutoRollback', async () => {
      runs.push(aws.clock.t);
      throw new Error('ModifyListener throttled');
    });
    const start = aws.clock.t;
    expect((await lambda.send(new InvokeCommand({ FunctionName: fn(), InvocationType: 'Event', Payload: enc({ a: 1 }) }))).StatusCode).toBe(202);
    expect(runs).toEqual([]);
    await aws.runFor(3_600_000);
    expect(runs.map((t) => Math.round((t - start) / 1000))).toEqual([0, 60, 180]);
    expect(aws.invocations.map((i) => i.attempt)).toEqual([1, 2, 3]);
  });

  test('the handler runs with the function environment from the template; its calls are attributed to it', async () => {
    let env: string | undefined;
    aws.handle(STACK, 'AutoRollback', async () => {
      env = process.env.TABLE_NAME;
      await new CloudFormationClient({ region }).send(new DescribeStacksCommand({ StackName: STACK }));
    });
    await lambda.send(new InvokeCommand({ FunctionName: fn(), Payload: enc({}) }));
    expect(env).toBe(aws.outputs(STACK).ReleaseTableName);
    expect(aws.count('DescribeStacks')).toBe(0);
    expect(aws.count('DescribeStacks', fn())).toBe(1);
  });

  test('an alarm going to ALARM invokes the auto-rollback function asynchronously through the EventBridge rule', async () => {
    const events: any[] = [];
    aws.handle(STACK, 'AutoRollback', async (e) => void events.push(e));
    aws.observers.setAlarm(aws.alarmNames(STACK, 'blue')[0], 'ALARM');
    expect(events).toEqual([]);
    await aws.runFor(1_000);
    expect(events).toEqual([expect.objectContaining({ 'detail-type': 'CloudWatch Alarm State Change', detail: expect.objectContaining({ alarmName: aws.alarmNames(STACK, 'blue')[0], state: expect.objectContaining({ value: 'ALARM' }) }) })]);
  });
});

describe('EventBridge Scheduler', () => {
  const scheduler = new SchedulerClient({ region });
  const at = (iso: string) => `at(${iso})`;
  const definition = (expr: string, extra = {}) => ({
    Name: 'cool-down',
    ScheduleExpression: expr,
    ScheduleExpressionTimezone: 'Asia/Tokyo',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Target: { Arn: `arn:aws:lambda:${region}:123456789012:function:${aws.outputs(STACK).StandbyCapacityFunctionName}`, RoleArn: 'arn:aws:iam::123456789012:role/s', Input: JSON.stringify({ action: 'cool' }) },
    ...extra,
  });

  test('at() is read in the schedule time zone', () => {
    expect(new Date(atInstant('at(2026-03-02T10:15:00)', 'Asia/Tokyo')!).toISOString()).toBe('2026-03-02T01:15:00.000Z');
  });

  test('a one-time schedule fires at its time, invokes its target, and deletes itself', async () => {
    const inputs: any[] = [];
    aws.handle(STACK, 'StandbyCapacity', async (e) => void inputs.push({ e, at: aws.clock.now().toISOString() }));
    await scheduler.send(new CreateScheduleCommand(definition(at('2026-03-02T10:15:00'))));
    await aws.runFor(14 * 60_000);
    expect(inputs).toEqual([]);
    await aws.runFor(2 * 60_000);
    expect(inputs).toEqual([{ e: { action: 'cool' }, at: '2026-03-02T01:15:00.100Z' }]);
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'cool-down' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('an updated schedule fires at its new time only', async () => {
    const fired: string[] = [];
    aws.handle(STACK, 'StandbyCapacity', async () => void fired.push(aws.clock.now().toISOString()));
    await scheduler.send(new CreateScheduleCommand(definition(at('2026-03-02T10:15:00'))));
    await scheduler.send(new UpdateScheduleCommand(definition(at('2026-03-02T10:30:00'))));
    await aws.runFor(3_600_000);
    expect(fired).toEqual(['2026-03-02T01:30:00.100Z']);
  });
});

describe('faults and interleaving', () => {
  const cfn = new CloudFormationClient({ region });
  const describe1 = () => cfn.send(new DescribeStacksCommand({ StackName: STACK }));

  test.each([
    ['throttle', 'Throttling', 400],
    ['5xx', 'InternalFailure', 503],
    ['access-denied', 'AccessDenied', 403],
  ] as const)('%s: the error the SDK would give', async (kind, name, status) => {
    aws.inject({ operation: 'DescribeStacks', kind, times: 1 });
    await expect(describe1()).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
    await expect(describe1()).resolves.toBeDefined();
  });

  test('timeout with afterEffect: the call took effect, the caller saw a TimeoutError', async () => {
    aws.inject({ operation: 'UpdateStack', kind: 'timeout', times: 1, afterEffect: true });
    const params = Object.keys(aws.stack(STACK).parameters).map((k) => (k === 'LiveColor' ? { ParameterKey: k, ParameterValue: 'green' } : { ParameterKey: k, UsePreviousValue: true }));
    const send = () => cfn.send(new UpdateStackCommand({ StackName: STACK, UsePreviousTemplate: true, Parameters: params, Capabilities: ['CAPABILITY_IAM'] }));
    await expect(send()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(aws.status(STACK)).toBe('UPDATE_IN_PROGRESS');
    await expect(send()).rejects.toMatchObject({ message: expect.stringMatching(/is in UPDATE_IN_PROGRESS state and can not be updated\.$/) });
  });

  test('before(op, n) runs a callback before the nth answer, e.g. another update', async () => {
    aws.before('DescribeStacks', 2, () => aws.updateOutOfBand(STACK, { StandbyMinTasks: '1' }));
    expect((await describe1()).Stacks![0].StackStatus).toBe('UPDATE_COMPLETE');
    expect((await describe1()).Stacks![0].StackStatus).toBe('UPDATE_IN_PROGRESS');
  });

  test('every call advances the fake clock by callMs', async () => {
    aws.timings.callMs = 1_000;
    const t = aws.clock.t;
    await describe1();
    await describe1();
    expect(aws.clock.t - t).toBe(2_000);
  });
});

describe('the rest', () => {
  test('STS GetCallerIdentity answers the configured caller', async () => {
    aws.caller = { ...aws.caller, Account: '999999999999' };
    expect((await new STSClient({ region }).send(new GetCallerIdentityCommand({}))).Account).toBe('999999999999');
  });

  test('STS AssumeRole: only roles the model lets the caller assume', async () => {
    const sts = new STSClient({ region });
    const RoleArn = 'arn:aws:iam::222222222222:role/release';
    await expect(sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'r' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    aws.assumableRoles.add(RoleArn);
    expect((await sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'r' }))).AssumedRoleUser!.Arn).toBe('arn:aws:sts::222222222222:assumed-role/release/r');
  });

  test('DynamoDB: a conditional put on an existing item fails as DynamoDB fails it', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
    const TableName = aws.outputs(STACK).ReleaseTableName;
    const put = () => doc.send(new PutCommand({ TableName, Item: { pk: 'lock', sk: 'lock' }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await put();
    await expect(put()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  test('DynamoDB: an undefined attribute fails unless the document client removes undefined values', async () => {
    const TableName = aws.outputs(STACK).ReleaseTableName;
    const Item = { pk: 'history', sk: '1', note: undefined };
    const strict = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
    await expect(strict.send(new PutCommand({ TableName, Item }))).rejects.toThrow(/removeUndefinedValues/);
    const lenient = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), { marshallOptions: { removeUndefinedValues: true } });
    await lenient.send(new PutCommand({ TableName, Item }));
    expect(aws.table(TableName).get({ pk: 'history', sk: '1' })).toEqual({ pk: 'history', sk: '1' });
  });

  test('Auto Scaling groups have an instance per placed task, Pending while it provisions', async () => {
    const asg = new AutoScalingClient({ region });
    const name = aws.outputs(STACK).GreenAutoScalingGroupName;
    const instances = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0].Instances!.map((i) => i.LifecycleState);
    expect(await instances()).toEqual([]);
    aws.updateOutOfBand(STACK, { StandbyMinTasks: '2' });
    // The stack update reaches the group's MaxSize and the scalable target in turn; the instances
    // are Pending when they first show.
    let first: Array<string | undefined> = [];
    for (let i = 0; i < 300 && first.length === 0; i++) {
      await aws.runFor(1_000);
      first = await instances();
    }
    expect(first).toEqual(['Pending', 'Pending']);
    await aws.runFor(60_000);
    expect(await instances()).toEqual(['InService', 'InService']);
  });

  test('images are pinned by digest of their name, as the tests reference them', () => {
    expect(imageRef('v1')).toMatch(new RegExp(`${digestOf('v1')}$`));
  });
});

describe('a command the model does not serve', () => {
  test('is an error that names it, not an empty answer', async () => {
    const cfn = new CloudFormationClient({ region });
    await expect(cfn.send(new ListStacksCommand({}))).rejects.toThrow('the AWS model does not serve ListStacksCommand: model it in test/release/support/aws-model');
    await expect(cfn.send(new DescribeStacksCommand({ StackName: STACK }))).resolves.toMatchObject({ Stacks: [{ StackName: STACK }] });
  });
});
