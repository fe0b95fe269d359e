import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClients } from '../../src/aws/clients';

/**
 * AwsClients: which credentials, region, profile and attempts each client gets, and how the
 * assumed role's credentials are shared and renewed. STS is mocked with aws-sdk-client-mock.
 */

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };
const ROLE = 'arn:aws:iam::123456789012:role/release';
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const credentialsOf = (client: { config: unknown }) => ((client.config as { credentials: () => Promise<Creds> }).credentials)();

describe('AwsClients: the clients of one region', () => {
  test('each client is built once, for the region, with one attempt (retries live in retry.ts)', async () => {
    const clients = new AwsClients('ap-northeast-1');
    const all = [
      clients.cloudFormation,
      clients.elb,
      clients.ecs,
      clients.ecr,
      clients.cloudWatch,
      clients.autoScaling,
      clients.applicationAutoScaling,
      clients.dynamo,
      clients.scheduler,
      clients.lambda,
      clients.ssm,
      clients.sts,
    ];
    // A second read of every getter answers the same instance.
    expect([
      clients.cloudFormation,
      clients.elb,
      clients.ecs,
      clients.ecr,
      clients.cloudWatch,
      clients.autoScaling,
      clients.applicationAutoScaling,
      clients.dynamo,
      clients.scheduler,
      clients.lambda,
      clients.ssm,
      clients.sts,
    ]).toEqual(all);
    // Each getter gives its own service's client (no two share a cache key).
    expect(new Set(all).size).toBe(all.length);
    const services = await Promise.all(all.map(async (c) => (c.config as { serviceId: string }).serviceId));
    expect(services).toEqual([
      'CloudFormation',
      'Elastic Load Balancing v2',
      'ECS',
      'ECR',
      'CloudWatch',
      'Auto Scaling',
      'Application Auto Scaling',
      'DynamoDB',
      'Scheduler',
      'Lambda',
      'SSM',
      'STS',
    ]);
    for (const c of all) {
      const config = c.config as { region: () => Promise<string>; maxAttempts: () => Promise<number>; profile?: string };
      expect(await config.region()).toBe('ap-northeast-1');
      expect(await config.maxAttempts()).toBe(1);
      expect(config.profile).toBeUndefined();
    }
  });

  test('the document client drops undefined attributes instead of failing the marshalling', async () => {
    const clients = new AwsClients('ap-northeast-1');
    expect(clients.dynamo).toBeInstanceOf(DynamoDBDocumentClient);
    // What reaches DynamoDB, captured after the document client marshalled it and before signing.
    let sent: unknown;
    clients.dynamo.middlewareStack.addRelativeTo(
      () => async (args: { input: unknown }) => {
        sent = args.input;
        return { output: { $metadata: {} }, response: {} };
      },
      { relation: 'after', toMiddleware: 'DocumentMarshall', name: 'captureMarshalled' },
    );
    // lib-dynamodb leaves out an undefined top-level attribute by itself; one inside a map fails
    // the marshalling unless removeUndefinedValues is set.
    await clients.dynamo.send(new PutCommand({ TableName: 'T', Item: { pk: 'lock', owner: undefined, detail: { by: undefined, at: 'x' } } }));
    expect(sent).toEqual({ TableName: 'T', Item: { pk: { S: 'lock' }, detail: { M: { at: { S: 'x' } } } } });
  });

  test('a profile is the clients\' own profile option when no role is assumed', () => {
    const clients = new AwsClients('eu-west-1', { profile: 'ops' });
    expect((clients.ecs.config as { profile?: string }).profile).toBe('ops');
    expect((clients.forRegion('us-east-1').ecr.config as { profile?: string }).profile).toBe('ops');
  });

  test('forRegion: the same set for its own region, one set per other region, the same access', async () => {
    const clients = new AwsClients('ap-northeast-1', { profile: 'ops' });
    expect(clients.forRegion('ap-northeast-1')).toBe(clients);
    const east = clients.forRegion('us-east-1');
    expect(east).not.toBe(clients);
    expect(clients.forRegion('us-east-1')).toBe(east);
    expect(clients.forRegion('eu-west-1')).not.toBe(east);
    expect(east.region).toBe('us-east-1');
    expect(east.access).toEqual({ profile: 'ops' });
    expect(await (east.ecr.config as { region: () => Promise<string> }).region()).toBe('us-east-1');
  });

  test('callerIdentity: the account and ARN GetCallerIdentity answers; empty strings when it omits them', async () => {
    const sts = mockClient(STSClient);
    try {
      sts.on(GetCallerIdentityCommand).resolvesOnce({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/release/alice' }).resolvesOnce({});
      const clients = new AwsClients('ap-northeast-1');
      expect(await clients.callerIdentity()).toEqual({ account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/release/alice' });
      expect(await clients.callerIdentity()).toEqual({ account: '', arn: '' });
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(2);
    } finally {
      sts.restore();
    }
  });
});

describe('AwsClients with --role-arn: AssumeRole credentials', () => {
  const sts = mockClient(STSClient);
  let now = T0;
  beforeEach(() => {
    sts.reset();
    now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => sts.restore());

  const issued = (id: string, expiresInMs?: number) => ({
    Credentials: {
      AccessKeyId: id,
      SecretAccessKey: `secret-${id}`,
      SessionToken: `token-${id}`,
      Expiration: expiresInMs === undefined ? undefined : new Date(now + expiresInMs),
    },
  });

  test('every client of every region signs with the one assumed session; the profile is the source of the role, not of the clients', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => issued('ASIA1', 3_600_000));
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE, profile: 'ops', sessionName: 'bluegreen-fleet-alice' });
    const first = await credentialsOf(clients.cloudFormation);
    expect(first).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-ASIA1', sessionToken: 'token-ASIA1', expiration: new Date(T0 + 3_600_000) });
    expect((await credentialsOf(clients.forRegion('us-east-1').ecr)).accessKeyId).toBe('ASIA1');
    expect((await credentialsOf(clients.ecs)).accessKeyId).toBe('ASIA1');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleArn: ROLE, RoleSessionName: 'bluegreen-fleet-alice' }]);
    // The STS client that assumes the role reads the profile; the others get credentials, not the profile.
    const assumer = sts.commandCalls(AssumeRoleCommand)[0].thisValue as STSClient;
    expect(assumer.config.profile).toBe('ops');
    expect(await assumer.config.region()).toBe('ap-northeast-1');
    expect((clients.ecs.config as { profile?: string }).profile).toBeUndefined();
  });

  test('without a profile the assuming STS client has none either (the default chain)', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => issued('ASIA1', 3_600_000));
    await credentialsOf(new AwsClients('eu-west-1', { roleArn: ROLE }).ssm);
    const assumer = sts.commandCalls(AssumeRoleCommand)[0].thisValue as STSClient;
    expect(assumer.config.profile).toBeUndefined();
    expect(await assumer.config.region()).toBe('eu-west-1');
  });

  test('renewed five minutes before they expire, not earlier', async () => {
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => issued(`ASIA${++n}`, 3_600_000));
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE });
    expect((await credentialsOf(clients.ecs)).accessKeyId).toBe('ASIA1');
    now = T0 + 55 * 60_000; // exactly five minutes before expiry: still good
    expect((await credentialsOf(clients.elb)).accessKeyId).toBe('ASIA1');
    now = T0 + 55 * 60_000 + 1;
    expect((await credentialsOf(clients.lambda)).accessKeyId).toBe('ASIA2');
    now += 1_000;
    expect((await credentialsOf(clients.ssm)).accessKeyId).toBe('ASIA2');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  test('an answer without an Expiration is renewed after fifteen minutes less the five-minute margin', async () => {
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => issued(`ASIA${++n}`));
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE });
    expect((await credentialsOf(clients.ecs)).accessKeyId).toBe('ASIA1');
    now = T0 + 10 * 60_000;
    expect((await credentialsOf(clients.elb)).accessKeyId).toBe('ASIA1');
    now = T0 + 10 * 60_000 + 1;
    expect((await credentialsOf(clients.lambda)).accessKeyId).toBe('ASIA2');
  });

  test('a failed AssumeRole is not remembered: the next use asks again', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .callsFake(async () => issued('ASIA2', 3_600_000));
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE });
    await expect(credentialsOf(clients.ecs)).rejects.toThrow('Rate exceeded');
    expect((await credentialsOf(clients.ecs)).accessKeyId).toBe('ASIA2');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  test('an answer without keys is refused, naming the role', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: undefined as unknown as string, SessionToken: 't', Expiration: new Date(T0 + 3_600_000) } }).resolves({});
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE });
    await expect(credentialsOf(clients.ecs)).rejects.toThrow(`AssumeRole of ${ROLE} returned no credentials`);
    await expect(credentialsOf(clients.ecs)).rejects.toThrow(`AssumeRole of ${ROLE} returned no credentials`);
  });

  // RoleSessionName: 2-64 characters of [\w+=,.@-]
  // (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
  test('the session name defaults to bluegreen-fleet; other characters become "-" and it is cut to 64', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => issued('ASIA1', 3_600_000));
    await credentialsOf(new AwsClients('ap-northeast-1', { roleArn: ROLE }).ecs);
    await credentialsOf(new AwsClients('ap-northeast-1', { roleArn: ROLE, sessionName: 'bluegreen-fleet-alice smith/ci:1 +=,.@_x' }).ecs);
    await credentialsOf(new AwsClients('ap-northeast-1', { roleArn: ROLE, sessionName: `bluegreen-fleet-${'a'.repeat(80)}` }).ecs);
    const names = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName);
    expect(names).toEqual(['bluegreen-fleet', 'bluegreen-fleet-alice-smith-ci-1-+=,.@_x', `bluegreen-fleet-${'a'.repeat(48)}`]);
  });

  test('credentials given to the constructor are used as they are (no AssumeRole)', async () => {
    const given = async () => ({ accessKeyId: 'AKIAGIVEN', secretAccessKey: 's' });
    const clients = new AwsClients('ap-northeast-1', { roleArn: ROLE }, given);
    expect((await credentialsOf(clients.forRegion('us-east-1').cloudFormation)).accessKeyId).toBe('AKIAGIVEN');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(clients.cloudFormation).toBeInstanceOf(CloudFormationClient);
    expect(clients.ecs).toBeInstanceOf(ECSClient);
  });
});
