import type { Stack } from '@aws-sdk/client-cloudformation';
import { ExitCode, ReleaseError } from '../../src/release/core/outcome';
import {
  colorOfTargetGroup,
  effectiveChanges,
  fleet,
  forwardTarget,
  isBusy,
  isNoUpdatesError,
  isUpdatable,
  output,
  parameter,
  parameterUpdateInput,
  parseStack,
  previousFleetChanged,
  requireOutput,
  updateParameters,
} from '../../src/release/core/stack-state';

/**
 * The service stack as one DescribeStacks answer shows it (the Stack shape:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html; the contract's
 * parameter and output names: docs/contracts.md).
 */

const outputsOf = (prefix: string) => [
  { OutputKey: `${prefix}BlueTargetGroupArn`, OutputValue: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/blue/1' },
  { OutputKey: `${prefix}GreenTargetGroupArn`, OutputValue: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/green/2' },
  { OutputKey: `${prefix}BlueClusterName`, OutputValue: 'cluster-blue' },
  { OutputKey: `${prefix}GreenClusterName`, OutputValue: 'cluster-green' },
  { OutputKey: `${prefix}BlueServiceName`, OutputValue: 'svc-blue' },
  { OutputKey: `${prefix}GreenServiceName`, OutputValue: 'svc-green' },
  { OutputKey: `${prefix}BlueAutoScalingGroupName`, OutputValue: 'asg-blue' },
  { OutputKey: `${prefix}BlueAlarmNames`, OutputValue: ' a1 , a2,, ' },
];

const described = (params: Record<string, string>, extra: Partial<Stack> = {}, prefix = ''): Stack => ({
  StackName: 'bgf-dev-api',
  StackId: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-dev-api/1',
  StackStatus: 'UPDATE_COMPLETE',
  CreationTime: new Date('2026-11-01T00:00:00Z'),
  Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  Outputs: outputsOf(prefix),
  ...extra,
});

const PARAMS = { LiveColor: 'blue', BlueImage: 'img@sha256:1', GreenImage: 'img@sha256:2', BlueAmi: 'ami-1', GreenAmi: 'ami-2', StandbyMinTasks: '2' };

const releaseError = (f: () => unknown): ReleaseError => {
  try {
    f();
  } catch (error) {
    if (error instanceof ReleaseError) return error;
    throw error;
  }
  throw new Error('no error thrown');
};

describe('stack status', () => {
  // The stack statuses: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html (StackStatus)
  test.each([
    ['UPDATE_IN_PROGRESS', true],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ['UPDATE_COMPLETE', false],
    ['UPDATE_ROLLBACK_FAILED', false],
    ['IN_PROGRESS_REVIEW', false],
  ])('%s busy: %s', (status, busy) => {
    expect(isBusy(status)).toBe(busy);
  });

  test.each([
    ['CREATE_COMPLETE', true],
    ['UPDATE_COMPLETE', true],
    ['UPDATE_ROLLBACK_COMPLETE', true],
    ['IMPORT_COMPLETE', true],
    ['IMPORT_ROLLBACK_COMPLETE', true],
    ['UPDATE_ROLLBACK_FAILED', false],
    ['ROLLBACK_COMPLETE', false],
    ['CREATE_FAILED', false],
    ['UPDATE_IN_PROGRESS', false],
    ['', false],
  ])('%s updatable: %s', (status, updatable) => {
    expect(isUpdatable(status)).toBe(updatable);
  });
});

describe('parseStack', () => {
  test('the whole answer: identity, status, parameters, outputs, capabilities, role, colors', () => {
    const state = parseStack(
      described(PARAMS, {
        StackStatusReason: 'User Initiated',
        LastUpdatedTime: new Date('2026-12-01T00:00:00Z'),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        RoleARN: 'arn:aws:iam::123456789012:role/cfn-exec',
      }),
    );
    expect(state).toEqual({
      name: 'bgf-dev-api',
      id: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/bgf-dev-api/1',
      status: 'UPDATE_COMPLETE',
      statusReason: 'User Initiated',
      lastChange: new Date('2026-12-01T00:00:00Z'),
      prefix: '',
      parameters: PARAMS,
      outputs: Object.fromEntries(outputsOf('').map((o) => [o.OutputKey, o.OutputValue])),
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      roleArn: 'arn:aws:iam::123456789012:role/cfn-exec',
      liveColor: 'blue',
      standbyColor: 'green',
      standbyMinTasks: 2,
    });
  });

  test('what an answer may leave out: the name stands in for the id, "UNKNOWN" status, creation time, no capabilities', () => {
    const state = parseStack({ StackName: 'bgf-x', CreationTime: new Date('2026-11-01T00:00:00Z'), Parameters: [{ ParameterKey: 'LiveColor', ParameterValue: 'green' }] } as Stack);
    expect(state).toMatchObject({ name: 'bgf-x', id: 'bgf-x', status: 'UNKNOWN', lastChange: new Date('2026-11-01T00:00:00Z'), capabilities: [], outputs: {}, liveColor: 'green', standbyColor: 'blue', standbyMinTasks: 0 });
    expect(state.roleArn).toBeUndefined();
    expect(state.statusReason).toBeUndefined();
    const unnamed = releaseError(() => parseStack({ Parameters: [] } as unknown as Stack));
    expect(unnamed.message).toMatch(/^stack \(unnamed stack\) has no LiveColor parameter/);
  });

  test('an SSM-typed parameter is read by its ResolvedValue; a parameter or output without a key is skipped, one without a value is empty', () => {
    // ResolvedValue: "the value that corresponds to a Systems Manager parameter key"
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html)
    const state = parseStack({
      StackName: 'bgf-dev-api',
      Parameters: [
        { ParameterKey: 'LiveColor', ParameterValue: 'blue' },
        { ParameterKey: 'BlueAmi', ParameterValue: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id', ResolvedValue: 'ami-0abc' },
        { ParameterKey: 'Empty' },
        { ParameterValue: 'orphan' },
      ],
      Outputs: [{ OutputKey: 'NoValue' }, { OutputValue: 'orphan' }, { OutputKey: 'X', OutputValue: 'x' }],
    } as Stack);
    expect(state.parameters).toEqual({ LiveColor: 'blue', BlueAmi: 'ami-0abc', Empty: '' });
    expect(state.outputs).toEqual({ NoValue: '', X: 'x' });
  });

  test('StandbyMinTasks that is not a number is 0; a missing one is 0', () => {
    expect(parseStack(described({ ...PARAMS, StandbyMinTasks: 'two' })).standbyMinTasks).toBe(0);
    expect(parseStack(described({ LiveColor: 'green' })).standbyMinTasks).toBe(0);
    expect(parseStack(described({ ...PARAMS, StandbyMinTasks: '3' })).standbyMinTasks).toBe(3);
  });

  test('a prefixed service: detected, or named by the hint; a hint the stack lacks is a usage error', () => {
    const prefixed = described({ ApiLiveColor: 'green', ApiStandbyMinTasks: '1', Other: 'x' }, {}, 'Api');
    expect(parseStack(prefixed)).toMatchObject({ prefix: 'Api', liveColor: 'green', standbyMinTasks: 1 });
    expect(parseStack(prefixed, 'Api').prefix).toBe('Api');
    const wrong = releaseError(() => parseStack(prefixed, 'Web'));
    expect(wrong.exitCode).toBe(ExitCode.Usage);
    expect(wrong.message).toBe('stack bgf-dev-api has no parameter WebLiveColor (--parameter-prefix "Web")');
    // The empty hint is the unprefixed service of a stack that also holds a prefixed one.
    const two = described({ LiveColor: 'blue', ApiLiveColor: 'green' });
    expect(parseStack(two, '')).toMatchObject({ prefix: '', liveColor: 'blue' });
    expect(parseStack(two, 'Api')).toMatchObject({ prefix: 'Api', liveColor: 'green' });
    const several = releaseError(() => parseStack(two));
    expect(several.exitCode).toBe(ExitCode.Usage);
    expect(several.message).toBe('stack bgf-dev-api holds several services (prefixes "", "Api"); pass --parameter-prefix');
  });

  test('no LiveColor or a bad one: an error (not a usage error), naming the stack and the parameter', () => {
    const none = releaseError(() => parseStack(described({ Other: 'x' })));
    expect(none.exitCode).toBe(ExitCode.Error);
    expect(none.message).toBe('stack bgf-dev-api has no LiveColor parameter: is it a bluegreen-fleet service stack? (docs/contracts.md)');
    const bad = releaseError(() => parseStack(described({ ApiLiveColor: 'purple' })));
    expect(bad.exitCode).toBe(ExitCode.Error);
    expect(bad.message).toBe('stack bgf-dev-api: parameter ApiLiveColor is "purple", expected blue or green');
  });
});

describe('parameters and outputs of the (prefixed) service', () => {
  const state = parseStack(described({ ApiLiveColor: 'blue', ApiBlueImage: 'img@sha256:1', ApiBlueAmi: 'ami-1', ApiGreenImage: 'img@sha256:2', ApiGreenAmi: 'ami-2' }, {}, 'Api'));

  test('parameter: by the prefixed name; a missing one is empty', () => {
    expect(parameter(state, 'BlueImage')).toBe('img@sha256:1');
    expect(parameter(state, 'StandbyMinTasks')).toBe('');
  });

  test('output and requireOutput: a missing or empty output is named with its prefix and why it was needed', () => {
    expect(output(state, 'BlueClusterName')).toBe('cluster-blue');
    expect(output(state, 'ReleaseTableName')).toBeUndefined();
    expect(requireOutput(state, 'BlueClusterName', 'for x')).toBe('cluster-blue');
    const missing = releaseError(() => requireOutput(state, 'ReleaseTableName', 'to take the release lock'));
    expect(missing.exitCode).toBe(ExitCode.Error);
    expect(missing.message).toBe('stack bgf-dev-api has no output ApiReleaseTableName, needed to take the release lock (docs/contracts.md)');
    const empty = { ...state, outputs: { ...state.outputs, ApiReleaseTableName: '' } };
    expect(() => requireOutput(empty, 'ReleaseTableName', 'to take the release lock')).toThrow('has no output ApiReleaseTableName');
  });

  test('fleet: its outputs, alarm names trimmed without empties, its image and AMI parameters', () => {
    expect(fleet(state, 'blue')).toEqual({
      color: 'blue',
      targetGroupArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/blue/1',
      clusterName: 'cluster-blue',
      serviceName: 'svc-blue',
      autoScalingGroupName: 'asg-blue',
      alarmNames: ['a1', 'a2'],
      image: 'img@sha256:1',
      ami: 'ami-1',
    });
    expect(fleet(state, 'green')).toMatchObject({ color: 'green', clusterName: 'cluster-green', alarmNames: [], image: 'img@sha256:2', ami: 'ami-2' });
    expect(fleet(state, 'green').autoScalingGroupName).toBeUndefined();
  });

  test('fleet: a missing output is named, with the fleet it was needed for', () => {
    const broken = { ...state, outputs: Object.fromEntries(Object.entries(state.outputs).filter(([k]) => k !== 'ApiGreenServiceName')) };
    const e = releaseError(() => fleet(broken, 'green'));
    expect(e.exitCode).toBe(ExitCode.Error);
    expect(e.message).toBe('stack bgf-dev-api: output ApiGreenServiceName is missing, needed to find the green fleet (docs/contracts.md)');
  });

  test('colorOfTargetGroup: the fleet whose output names the ARN, else none', () => {
    expect(colorOfTargetGroup(state, 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/green/2')).toBe('green');
    expect(colorOfTargetGroup(state, 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/blue/1')).toBe('blue');
    expect(colorOfTargetGroup(state, 'arn:other')).toBeUndefined();
    expect(colorOfTargetGroup(state, undefined)).toBeUndefined();
  });
});

describe('the parameter update', () => {
  const state = parseStack(described(PARAMS, { Capabilities: ['CAPABILITY_IAM'] }));

  test('updateParameters: a parameter the stack lacks is refused by name', () => {
    const prefixed = parseStack(described({ ApiLiveColor: 'blue' }, {}, 'Api'));
    expect(updateParameters(prefixed, { LiveColor: 'green' })).toEqual([{ ParameterKey: 'ApiLiveColor', ParameterValue: 'green' }]);
    const e = releaseError(() => updateParameters(prefixed, { StandbyMinTasks: '1' }));
    expect(e.exitCode).toBe(ExitCode.Error);
    expect(e.message).toBe('stack bgf-dev-api has no parameter ApiStandbyMinTasks');
  });

  test('effectiveChanges: only what differs; undefined is no change', () => {
    expect(effectiveChanges(state, { LiveColor: 'blue', StandbyMinTasks: '0', BlueImage: undefined })).toEqual({ StandbyMinTasks: '0' });
    expect(effectiveChanges(state, {})).toEqual({});
  });

  test('parameterUpdateInput: the previous template, the changes, UsePreviousValue for the rest, the capabilities and the role', () => {
    const update = parameterUpdateInput(state, { LiveColor: 'green', StandbyMinTasks: '2' }, 'arn:aws:iam::123456789012:role/update');
    expect(update).toEqual({
      effective: { LiveColor: 'green' },
      input: {
        StackName: 'bgf-dev-api',
        UsePreviousTemplate: true,
        Parameters: [
          { ParameterKey: 'LiveColor', ParameterValue: 'green' },
          ...['BlueImage', 'GreenImage', 'BlueAmi', 'GreenAmi', 'StandbyMinTasks'].map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
        ],
        Capabilities: ['CAPABILITY_IAM'],
        RoleARN: 'arn:aws:iam::123456789012:role/update',
      },
    });
    // The capabilities are a copy: the input may be changed without changing the state.
    expect(update?.input.Capabilities).not.toBe(state.capabilities);
    expect(parameterUpdateInput(state, { LiveColor: 'blue' }, undefined)).toBeUndefined();
    expect(parameterUpdateInput(state, { LiveColor: 'green' }, undefined)?.input.RoleARN).toBeUndefined();
  });

  // "No updates are to be performed." is a ValidationError of UpdateStack
  // (https://github.com/Nextdoor/kingpin/issues/298); the retry layer wraps it in an AwsCallError (cause).
  test('isNoUpdatesError: CloudFormation\'s message, also as the cause of a wrapped error, in any case', () => {
    const sdk = Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' });
    expect(isNoUpdatesError(sdk)).toBe(true);
    expect(isNoUpdatesError({ message: 'UpdateStack on stack S failed', cause: sdk })).toBe(true);
    expect(isNoUpdatesError({ message: 'no updates are to be performed' })).toBe(true);
    expect(isNoUpdatesError({ message: 'No updates are to be performed.', cause: { message: 'Rate exceeded' } })).toBe(false);
    expect(isNoUpdatesError({ message: 'Stack is in UPDATE_IN_PROGRESS state and can not be updated.' })).toBe(false);
    expect(isNoUpdatesError({})).toBe(false);
    expect(isNoUpdatesError(undefined)).toBe(false);
  });
});

describe('forwardTarget', () => {
  // A forward action names one TargetGroupArn or a ForwardConfig of weighted groups (weight
  // defaults to 1: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html).
  test('a plain forward, weighted groups (missing weight 1), none', () => {
    expect(forwardTarget([{ Type: 'authenticate-oidc' }, { Type: 'forward', TargetGroupArn: 'tg-a' }])).toBe('tg-a');
    expect(forwardTarget([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a', Weight: 0 }, { TargetGroupArn: 'b' }] } }])).toBe('b');
    expect(forwardTarget([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a' }, { TargetGroupArn: 'b', Weight: 0 }] } }])).toBe('a');
    expect(forwardTarget([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a', Weight: 20 }, { TargetGroupArn: 'b', Weight: 80 }, { TargetGroupArn: 'c', Weight: 50 }] } }])).toBe('b');
    expect(forwardTarget([{ Type: 'forward', ForwardConfig: {} }])).toBeUndefined();
    expect(forwardTarget([{ Type: 'forward' }])).toBeUndefined();
    expect(forwardTarget([])).toBeUndefined();
    expect(forwardTarget(undefined)).toBeUndefined();
  });
});

describe('previousFleetChanged', () => {
  const state = parseStack(described({ ...PARAMS, LiveColor: 'green' }));
  const window = { previousColor: 'blue' as const, liveColor: 'green' as const, swappedAt: '2026-12-02T00:00:00Z', closesAt: '2026-12-02T00:15:00Z', releaseId: 'r1', previousImage: 'img@sha256:1', previousAmi: 'ami-1' };

  test('the previous fleet still runs what was live: no objection', () => {
    expect(previousFleetChanged(state, window)).toBeUndefined();
    expect(previousFleetChanged(state, { ...window, previousAmi: undefined })).toBeUndefined();
  });

  test('nothing to compare: no window, a rolled back one, or one without the previous image', () => {
    expect(previousFleetChanged(state, undefined)).toBeUndefined();
    expect(previousFleetChanged(state, { ...window, previousImage: 'other', rolledBack: true })).toBeUndefined();
    expect(previousFleetChanged(state, { ...window, previousImage: undefined, previousAmi: 'ami-9' })).toBeUndefined();
  });

  test('another image or another AMI on the previous fleet since the swap: says what it runs now', () => {
    const message = 'the blue fleet no longer runs what was live before release r1 (img@sha256:0); it now runs img@sha256:1 on ami-1';
    expect(previousFleetChanged(state, { ...window, previousImage: 'img@sha256:0' })).toBe(message);
    expect(previousFleetChanged(state, { ...window, previousAmi: 'ami-0' })).toBe('the blue fleet no longer runs what was live before release r1 (img@sha256:1); it now runs img@sha256:1 on ami-1');
  });
});
