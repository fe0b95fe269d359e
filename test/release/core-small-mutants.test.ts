import { atExpression, oneTimeSchedule, stackScheduleName } from '../../src/release/core/one-time-schedule';
import { isPendingStale, pendingHistory, pendingStaleAt, releaseWindowMinutes } from '../../src/release/core/pending';
import { requestToken } from '../../src/release/core/request-token';
import { releaseSettings } from '../../src/release/core/settings';
import { ExitCode, exitCodeOf, ReleaseError } from '../../src/release/core/outcome';
import { standbyMaxValue } from '../../src/release/core/standby-size';
import { parseStack, StackState } from '../../src/release/core/stack-state';
import { planSteps, runSteps, silentRunner, Step, StepRunner } from '../../src/release/core/steps';

/** The small pure parts of src/release/core that the CLI and the Lambdas share. */

const stateOf = (name: string, prefix = '', outputs: Record<string, string> = {}): StackState =>
  parseStack({
    StackName: name,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date('2026-11-01T00:00:00Z'),
    Parameters: [{ ParameterKey: `${prefix}LiveColor`, ParameterValue: 'blue' }],
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  });

describe('steps as data', () => {
  type S = { n: number; log: string[] };
  const steps: Step<S>[] = [
    { id: 'add', describe: (s) => `add 1 to ${s.n}`, run: async (s) => ({ ...s, n: s.n + 1 }) },
    { id: 'keep', describe: () => 'nothing', run: async () => undefined },
    { id: 'double', describe: (s) => `double ${s.n}`, run: async (s) => ({ ...s, n: s.n * 2 }), applies: (s) => s.n < 5 },
    { id: 'never', describe: () => 'never', run: async (s) => ({ ...s, n: -1 }), applies: () => false },
  ];

  test('planSteps: the applying steps, described from the state given', () => {
    expect(planSteps(steps, { n: 1, log: [] })).toEqual([
      { id: 'add', description: 'add 1 to 1' },
      { id: 'keep', description: 'nothing' },
      { id: 'double', description: 'double 1' },
    ]);
    expect(planSteps(steps, { n: 7, log: [] }).map((p) => p.id)).toEqual(['add', 'keep']);
  });

  test('runSteps: each step on the state the one before returned; undefined keeps it; applies is asked of the state reached', async () => {
    const seen: [string, string][] = [];
    const runner: StepRunner = (id, description, body) => {
      seen.push([id, description]);
      return body({ detail: () => undefined, skip: () => undefined });
    };
    const initial = { n: 4, log: [] };
    expect(await runSteps(steps, initial, runner)).toEqual({ n: 5, log: [] });
    // "double" was planned from n=4 but does not apply to n=5, the state reached.
    expect(seen).toEqual([
      ['add', 'add 1 to 4'],
      ['keep', 'nothing'],
    ]);
    expect(initial).toEqual({ n: 4, log: [] });
    expect(await runSteps(steps, { n: 1, log: [] }, silentRunner)).toEqual({ n: 4, log: [] });
  });

  test('silentRunner: the body runs with a handle that says nothing', async () => {
    const out = await silentRunner('x', 'y', async (h) => {
      h.detail('d');
      h.skip('s');
      return 'done';
    });
    expect(out).toBe('done');
  });
});

describe('standby size', () => {
  test('standbyMaxValue: the MaxValue of the prefixed parameter, a number or a numeric string', () => {
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { Type: 'Number', MaxValue: 20 } } }), '')).toBe(20);
    expect(standbyMaxValue(JSON.stringify({ Parameters: { ApiStandbyMinTasks: { MaxValue: ' 8 ' } } }), 'Api')).toBe(8);
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { MaxValue: 20 } } }), 'Api')).toBeUndefined();
  });

  test('standbyMaxValue: unknown for no body, text that is not JSON, no Parameters, no MaxValue, a blank or non-numeric one', () => {
    expect(standbyMaxValue(undefined, '')).toBeUndefined();
    expect(standbyMaxValue('', '')).toBeUndefined();
    expect(standbyMaxValue('AWSTemplateFormatVersion: 2010-09-09', '')).toBeUndefined();
    expect(standbyMaxValue('{}', '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: {} } }), '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: null } }), '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { MaxValue: '  ' } } }), '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { MaxValue: 'ten' } } }), '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { MaxValue: true } } }), '')).toBeUndefined();
  });
});

describe('one-time schedules', () => {
  const outputs = { StandbyCapacityFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:standby', ReleaseSchedulerRoleArn: 'arn:aws:iam::123456789012:role/scheduler' };

  // Schedule names: at most 64 characters
  // (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html#scheduler-CreateSchedule-request-Name).
  test('stackScheduleName: the stack name cut so the name with its suffix (and the prefix, lower case) fits 64 characters', () => {
    expect(stackScheduleName(stateOf('bgf-dev-api'), '-cool')).toBe('bgf-dev-api-cool');
    expect(stackScheduleName(stateOf('bgf-dev-api', 'Api'), '-cool')).toBe('bgf-dev-api-api-cool');
    const long = stackScheduleName(stateOf(`bgf-${'x'.repeat(80)}`, 'Web'), '-expire');
    expect(long).toHaveLength(64);
    expect(long).toBe(`bgf-${'x'.repeat(64 - 4 - '-web-expire'.length)}-web-expire`);
    expect(stackScheduleName(stateOf('s'.repeat(64)), '-cool')).toBe(`${'s'.repeat(59)}-cool`);
  });

  // at(yyyy-mm-ddThh:mm:ss) (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time).
  test('atExpression: seconds, no milliseconds, no zone', () => {
    expect(atExpression(new Date('2026-12-02T17:04:05.678Z'))).toBe('at(2026-12-02T17:04:05)');
  });

  test('oneTimeSchedule: UTC, no flexible window, deleted after it ran, the Lambda as target with the scheduler role and the request', () => {
    const schedule = oneTimeSchedule(stateOf('bgf-dev-api', '', outputs), 'bgf-dev-api-cool', new Date('2026-12-02T18:00:00Z'), { action: 'cool', expectLiveColor: 'green' }, 'cool the standby');
    expect(schedule).toEqual({
      Name: 'bgf-dev-api-cool',
      ScheduleExpression: 'at(2026-12-02T18:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: 'cool the standby',
      Target: {
        Arn: outputs.StandbyCapacityFunctionArn,
        RoleArn: outputs.ReleaseSchedulerRoleArn,
        Input: '{"action":"cool","expectLiveColor":"green"}',
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
  });

  test('oneTimeSchedule: a stack without the function or the role output is refused, naming the output and the schedule', () => {
    const when = new Date('2026-12-02T18:00:00Z');
    expect(() => oneTimeSchedule(stateOf('bgf-dev-api', '', { ReleaseSchedulerRoleArn: 'r' }), 'n1', when, { action: 'cool' } as never, 'd')).toThrow(
      'stack bgf-dev-api has no output StandbyCapacityFunctionArn, needed to schedule n1 (docs/contracts.md)',
    );
    expect(() => oneTimeSchedule(stateOf('bgf-dev-api', '', { StandbyCapacityFunctionArn: 'f' }), 'n2', when, { action: 'cool' } as never, 'd')).toThrow(
      'stack bgf-dev-api has no output ReleaseSchedulerRoleArn, needed to schedule n2',
    );
  });
});

describe('a release in flight', () => {
  const windows = { releaseWindows: [{ name: 'morning', prewarmMinutes: 10, durationMinutes: 60 }, { name: 'evening', prewarmMinutes: 30, durationMinutes: 90 }], rollbackWindowMinutes: 15 };

  test('releaseWindowMinutes: the longest window with its pre-warm; 0 without windows', () => {
    expect(releaseWindowMinutes(windows)).toBe(120);
    expect(releaseWindowMinutes({ releaseWindows: [] })).toBe(0);
  });

  test('pendingStaleAt: the longest window plus the rollback window after the start', () => {
    expect(pendingStaleAt(windows, new Date('2026-12-02T00:00:00Z'))).toBe('2026-12-02T02:15:00.000Z');
    expect(pendingStaleAt({ releaseWindows: [], rollbackWindowMinutes: 15 }, new Date('2026-12-02T00:00:00Z'))).toBe('2026-12-02T00:15:00.000Z');
  });

  test('isPendingStale: from staleAt on; a record without one never is', () => {
    const staleAt = '2026-12-02T02:15:00.000Z';
    expect(isPendingStale({ staleAt }, new Date('2026-12-02T02:14:59.999Z'))).toBe(false);
    expect(isPendingStale({ staleAt }, new Date(staleAt))).toBe(true);
    expect(isPendingStale({ staleAt }, new Date('2026-12-03T00:00:00Z'))).toBe(true);
    expect(isPendingStale({}, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });

  test('pendingHistory: what the pending item moves, where, and the entry', () => {
    const pending = { releaseId: 'r1', fromColor: 'blue', toColor: 'green', oldImage: 'i1', newImage: 'i2', oldAmi: 'a1', newAmi: 'a2', startedAt: 'then', actor: 'ci' } as never;
    expect(pendingHistory(pending, { service: 'api', environment: 'dev' }, { at: 'now', id: 'r1', actor: 'alice', outcome: 'aborted', detail: 'stale' } as never)).toEqual({
      service: 'api',
      environment: 'dev',
      fromColor: 'blue',
      toColor: 'green',
      oldImage: 'i1',
      newImage: 'i2',
      oldAmi: 'a1',
      newAmi: 'a2',
      at: 'now',
      id: 'r1',
      actor: 'alice',
      outcome: 'aborted',
      detail: 'stale',
    });
  });
});

describe('requestToken', () => {
  test('bgf-<purpose>-<24 hex of the identity>; the purpose cut to letters, digits and dashes', () => {
    expect(requestToken('cool', ['bgf-dev-api'])).toMatch(/^bgf-cool-[0-9a-f]{24}$/);
    expect(requestToken('  auto rollback / LiveColor=blue  ', ['x'])).toMatch(/^bgf-auto-rollback-LiveColor-blue-[0-9a-f]{24}$/);
    expect(requestToken('--a--', ['x'])).toMatch(/^bgf-a-[0-9a-f]{24}$/);
    expect(requestToken('ä', ['x'])).toMatch(/^bgf-[0-9a-f]{24}$/);
    expect(requestToken('x'.repeat(200), [])).toHaveLength(128);
  });

  test('the identity: undefined is null, order and type count', () => {
    expect(requestToken('p', [undefined])).toBe(requestToken('p', [null as never]));
    expect(requestToken('p', ['a', 'b'])).not.toBe(requestToken('p', ['b', 'a']));
    expect(requestToken('p', [1])).not.toBe(requestToken('p', ['1']));
    expect(requestToken('p', [undefined])).not.toBe(requestToken('p', ['']));
  });
});

describe('releaseSettings and exit codes', () => {
  test('a stack without the ReleaseSettings output is refused (exit 3), naming the output, nothing changed', () => {
    const e = (() => {
      try {
        releaseSettings(stateOf('bgf-dev-api', 'Api'));
      } catch (error) {
        return error as ReleaseError;
      }
      throw new Error('not refused');
    })();
    expect(e).toBeInstanceOf(ReleaseError);
    expect(e.exitCode).toBe(ExitCode.Refused);
    expect(e.message).toMatch(/nothing was changed$/);
    expect(e.detail).toEqual({ output: 'ApiReleaseSettings' });
  });

  test('exitCodeOf: a ReleaseError\'s own code, 1 for anything else', () => {
    expect(exitCodeOf(new ReleaseError(ExitCode.Timeout, 'waited'))).toBe(5);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
    expect(exitCodeOf('boom')).toBe(1);
    expect(new ReleaseError(ExitCode.Refused, 'no').name).toBe('ReleaseError');
    expect(new ReleaseError(ExitCode.Refused, 'no').detail).toEqual({});
  });
});
