import { stackNames } from '../../lib/app';
import { architectureOf, recommendedAmiParameter } from '../../src/release/steps/ami';
import { parseImageRef, refusedSeverities } from '../../src/release/steps/image';
import { actorName } from '../../src/release/state/lock';
import { planRollback } from '../../src/release/steps/rollback-steps';
import { atExpression, coolDownScheduleName } from '../../src/release/steps/schedule';
import { forwardTarget, parseStack, updateParameters } from '../../src/release/core/stack-state';
import { serviceStackName } from '../../src/release/runtime/target';

const stack = (params: Record<string, string>, name = 'bgf-dev-api') =>
  parseStack({
    StackName: name,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date(),
    Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  });

describe('image references', () => {
  const registry = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
  const digest = `sha256:${'a'.repeat(64)}`;
  test.each([
    ['1.4.0', { tag: '1.4.0' }],
    [digest, { digest }],
    [`${registry}/bluegreen-fleet/api@${digest}`, { registry, repository: 'bluegreen-fleet/api', digest }],
    [`${registry}/bluegreen-fleet/api:1.4.0`, { registry, repository: 'bluegreen-fleet/api', tag: '1.4.0' }],
    ['bluegreen-fleet/api:2', { repository: 'bluegreen-fleet/api', tag: '2' }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text)).toEqual(expect.objectContaining(expected));
  });

  test('a malformed digest is a usage error', () => {
    expect(() => parseImageRef(`${registry}/api@sha256:abc`)).toThrow(/is not a sha256 digest/);
  });

  test('maxScanSeverity refuses that severity and everything above; NONE refuses any finding', () => {
    expect(refusedSeverities('CRITICAL')).toEqual(['CRITICAL']);
    expect(refusedSeverities('HIGH')).toEqual(['CRITICAL', 'HIGH']);
    expect(refusedSeverities('LOW')).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
    expect(refusedSeverities('NONE')).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED']);
  });
});

describe('AMIs', () => {
  test('Graviton instance types take the arm64 ECS-optimized AMI; mixing is refused', () => {
    expect(architectureOf(['m7g.large', 'c6gn.xlarge'])).toBe('arm64');
    expect(architectureOf(['t3.medium', 'm6i.large'])).toBe('x86_64');
    expect(recommendedAmiParameter('arm64')).toBe('/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id');
    expect(() => architectureOf(['m7g.large', 'm6i.large'])).toThrow(/mix arm64 and x86_64/);
  });
});

describe('the stack contract', () => {
  const params = { LiveColor: 'blue', BlueImage: 'a', GreenImage: 'b', BlueAmi: 'ami-1', GreenAmi: 'ami-1', StandbyMinTasks: '0', Other: 'x' };

  test('the service stack name is the one lib/app.ts gives the stack', () => {
    expect(serviceStackName('production', 'api')).toBe(stackNames.service('production', 'api'));
  });

  test('UpdateStack sends the changes and UsePreviousValue for every other parameter', () => {
    expect(updateParameters(stack(params), { LiveColor: 'green' })).toEqual([
      { ParameterKey: 'LiveColor', ParameterValue: 'green' },
      ...['BlueImage', 'GreenImage', 'BlueAmi', 'GreenAmi', 'StandbyMinTasks', 'Other'].map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
    ]);
  });

  test('the parameter prefix is detected; two services in one stack need --parameter-prefix', () => {
    expect(stack({ ApiLiveColor: 'green' }).prefix).toBe('Api');
    expect(() => stack({ ApiLiveColor: 'green', WebLiveColor: 'blue' })).toThrow(/holds several services \(prefixes "Api", "Web"\); pass --parameter-prefix/);
    expect(() => stack({ Foo: 'x' })).toThrow(/has no LiveColor parameter/);
    expect(() => stack({ LiveColor: 'purple' })).toThrow(/LiveColor is "purple", expected blue or green/);
  });

  test('the forward target of a weighted forward action is the heaviest group', () => {
    expect(forwardTarget([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a', Weight: 0 }, { TargetGroupArn: 'b', Weight: 100 }] } }])).toBe('b');
    expect(forwardTarget([{ Type: 'fixed-response' }])).toBeUndefined();
  });
});

describe('rollback planning', () => {
  const state = (live: 'blue' | 'green') => stack({ LiveColor: live });
  const window = { previousColor: 'blue' as const, liveColor: 'green' as const, swappedAt: 't0', closesAt: 't1', releaseId: 'r1' };

  test('with an open window: back to its previous fleet', () => {
    expect(planRollback(state('green'), window)).toEqual({ kind: 'move', from: 'green', to: 'blue', window, stackReconciled: false });
  });
  test('stack already moved back but not recorded: only the records remain', () => {
    expect(planRollback(state('blue'), window)).toMatchObject({ kind: 'move', to: 'blue', stackReconciled: true });
  });
  test('window rolled back, finished, and the stack agrees: nothing to do', () => {
    expect(planRollback(state('blue'), { ...window, liveColor: 'blue', previousColor: 'green', rolledBack: true, rollbackDoneAt: '2026-03-02T01:05:00.000Z' }).kind).toBe('already');
  });
  test('window rolled back but not finished (an invocation failed part-way): resumed towards the same fleet', () => {
    expect(planRollback(state('green'), { ...window, liveColor: 'blue', previousColor: 'green', rolledBack: true })).toMatchObject({ kind: 'move', from: 'green', to: 'blue' });
  });
  test('no window: the other fleet', () => {
    expect(planRollback(state('blue'), undefined)).toEqual({ kind: 'move', from: 'blue', to: 'green', stackReconciled: false });
  });
});

describe('small things with a contract', () => {
  test('one-time schedule expression and a name under 64 characters', () => {
    expect(atExpression(new Date('2026-03-02T01:15:00.123Z'))).toBe('at(2026-03-02T01:15:00)');
    const long = stack({ LiveColor: 'blue' }, `bgf-br-${'x'.repeat(60)}-api`);
    expect(coolDownScheduleName(long)).toHaveLength(64);
    expect(coolDownScheduleName(long)).toMatch(/-cool-down$/);
  });

  test('the actor: a CI run, or a person at a host', () => {
    expect(actorName({ GITHUB_ACTOR: 'octocat', GITHUB_RUN_ID: '42' }, 'runner')).toBe('octocat@github-run-42');
    expect(actorName({ GITHUB_ACTOR: 'octocat', USER: 'runner' }, 'runner')).toBe('octocat@github');
    expect(actorName({ USER: 'alice' }, 'laptop')).toBe('alice@laptop');
    expect(actorName({}, 'h')).toBe('unknown@h');
  });
});
