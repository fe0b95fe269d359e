import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { LAMBDA_ENV } from '../../constructs/contract';
import { log, readStackState, serviceCounts, setParameters, settings } from '../../lambda/shared/stack';
import { fleet } from '../../src/release/core/stack-state';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK, devWorld } from '../release/support/model-harness';

/** What the release Lambdas share (lambda/shared/stack.ts), on the AWS model and, where the model cannot answer so, on aws-sdk-client-mock. */

describe('settings: the Lambda environment ReleaseSupport sets', () => {
  const full = { [LAMBDA_ENV.stackName]: 'bgf-dev-api', [LAMBDA_ENV.tableName]: 'release-table', [LAMBDA_ENV.parameterPrefix]: 'Api', [LAMBDA_ENV.updateRoleArn]: 'arn:aws:iam::123456789012:role/update' };

  test('every variable read', () => {
    expect(settings(full)).toEqual({ stackName: 'bgf-dev-api', tableName: 'release-table', parameterPrefix: 'Api', updateRoleArn: 'arn:aws:iam::123456789012:role/update' });
  });

  test('no prefix is the empty prefix; an empty role ARN is no role', () => {
    const s = settings({ [LAMBDA_ENV.stackName]: 'bgf-dev-api', [LAMBDA_ENV.tableName]: 'release-table', [LAMBDA_ENV.updateRoleArn]: '' });
    expect(s).toEqual({ stackName: 'bgf-dev-api', tableName: 'release-table', parameterPrefix: '', updateRoleArn: undefined });
  });

  test('a missing stack or table name is refused, naming both variables', () => {
    const message = 'STACK_NAME and TABLE_NAME must be set (ReleaseSupport sets them)';
    expect(() => settings({ ...full, [LAMBDA_ENV.stackName]: undefined })).toThrow(message);
    expect(() => settings({ ...full, [LAMBDA_ENV.tableName]: '' })).toThrow(message);
    expect(() => settings({})).toThrow(message);
  });

  test('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, full);
      expect(settings().stackName).toBe('bgf-dev-api');
    } finally {
      for (const k of Object.values(LAMBDA_ENV)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('on the AWS model', () => {
  let aws: AwsModel;
  const cfn = () => new CloudFormationClient({ region: 'ap-northeast-1' });
  const s = { stackName: DEV_STACK, tableName: 't', parameterPrefix: '' };
  beforeEach(() => (aws = devWorld()));
  afterEach(() => aws.restore());

  test('readStackState: the stack as CloudFormation describes it', async () => {
    const state = await readStackState(cfn(), s);
    expect(state).toMatchObject({ name: DEV_STACK, liveColor: 'blue', standbyColor: 'green', prefix: '' });
    expect(aws.calls.filter((c) => c.operation === 'DescribeStacks').map((c) => c.input)).toEqual([{ StackName: DEV_STACK }]);
  });

  test('setParameters: one update with the previous template, the token and the role; then "unchanged" for what already holds', async () => {
    const role = aws.outputs(DEV_STACK).ParameterUpdateRoleArn;
    const before = await readStackState(cfn(), s);
    expect(await setParameters(cfn(), before, { StandbyMinTasks: '1' }, role, 'token-1')).toBe('updated');
    const [update] = aws.calls.filter((c) => c.operation === 'UpdateStack');
    expect(update.input).toMatchObject({ StackName: DEV_STACK, UsePreviousTemplate: true, RoleARN: role, ClientRequestToken: 'token-1' });
    expect(update.input.Parameters).toContainEqual({ ParameterKey: 'StandbyMinTasks', ParameterValue: '1' });
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_COMPLETE');
    expect(aws.param(DEV_STACK, 'StandbyMinTasks')).toBe('1');

    // The new state holds the value: nothing to send.
    const after = await readStackState(cfn(), s);
    expect(await setParameters(cfn(), after, { StandbyMinTasks: '1' }, role, 'token-2')).toBe('unchanged');
    // A stale state still believes a change is due; CloudFormation answers "No updates are to be
    // performed." (a ValidationError:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-direct.html),
    // which is "unchanged" too.
    expect(await setParameters(cfn(), before, { StandbyMinTasks: '1' }, role, 'token-3')).toBe('unchanged');
    expect(aws.calls.filter((c) => c.operation === 'UpdateStack').map((c) => c.input.ClientRequestToken)).toEqual(['token-1', 'token-3']);
    expect(aws.status(DEV_STACK)).toBe('UPDATE_COMPLETE');
  });

  test('setParameters: any other refusal is thrown as it is', async () => {
    const before = await readStackState(cfn(), s);
    await setParameters(cfn(), before, { StandbyMinTasks: '1' }, undefined, 'token-1');
    // A second update while the first runs: CloudFormation refuses it
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html).
    await expect(setParameters(cfn(), before, { StandbyMinTasks: '2' }, undefined, 'token-2')).rejects.toThrow(/UPDATE_IN_PROGRESS state and can ?not be updated/);
  });

  test('serviceCounts: desired and running count of the fleet\'s ECS service', async () => {
    const state = await readStackState(cfn(), s);
    const live = fleet(state, 'blue');
    const counts = await serviceCounts(new ECSClient({ region: 'ap-northeast-1' }), live);
    const svc = aws.service(DEV_STACK, 'blue');
    expect(counts).toEqual({ desired: svc.desired, running: svc.running });
    expect(counts.desired).toBeGreaterThan(0);
    expect(aws.calls.filter((c) => c.operation === 'DescribeServices').map((c) => c.input)).toEqual([{ cluster: live.clusterName, services: [live.serviceName] }]);
  });
});

describe('answers the model never gives', () => {
  test('readStackState: DescribeStacks with no stack in its answer names the stack', async () => {
    const mock = mockClient(CloudFormationClient);
    try {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [] });
      await expect(readStackState(new CloudFormationClient({ region: 'ap-northeast-1' }), { stackName: 'bgf-x', tableName: 't', parameterPrefix: '' })).rejects.toThrow('stack bgf-x not found');
      mock.on(DescribeStacksCommand).resolves({});
      await expect(readStackState(new CloudFormationClient({ region: 'ap-northeast-1' }), { stackName: 'bgf-y', tableName: 't', parameterPrefix: '' })).rejects.toThrow('stack bgf-y not found');
    } finally {
      mock.restore();
    }
  });

  test('serviceCounts: a service missing from the answer (ECS lists it under failures) counts as 0 of 0', async () => {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html (failures)
    const mock = mockClient(ECSClient);
    try {
      mock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'svc', reason: 'MISSING' }] });
      const refs = { color: 'blue' as const, targetGroupArn: 'tg', clusterName: 'c', serviceName: 'svc' };
      expect(await serviceCounts(new ECSClient({ region: 'ap-northeast-1' }), refs as never)).toEqual({ desired: 0, running: 0 });
      mock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'svc' }] });
      expect(await serviceCounts(new ECSClient({ region: 'ap-northeast-1' }), refs as never)).toEqual({ desired: 0, running: 0 });
      // Scaling out: desired is ahead of running.
      mock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'svc', desiredCount: 3, runningCount: 1 }] });
      expect(await serviceCounts(new ECSClient({ region: 'ap-northeast-1' }), refs as never)).toEqual({ desired: 3, running: 1 });
    } finally {
      mock.restore();
    }
  });
});

describe('log', () => {
  test('one JSON line per decision', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      log({ action: 'cool', outcome: 'skipped', standbyMinTasks: 0 });
      expect(spy.mock.calls).toEqual([['{"action":"cool","outcome":"skipped","standbyMinTasks":0}']]);
    } finally {
      spy.mockRestore();
    }
  });
});
