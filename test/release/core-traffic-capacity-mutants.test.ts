import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readStackState } from '../../lambda/shared/stack';
import { CARRY_VALID_MS, carriedBounds, carryLiveBounds, FleetCapacity, recordLiveBounds, rollbackMoveId, scalableTargetId } from '../../src/release/core/capacity';
import { fleet, StackState } from '../../src/release/core/stack-state';
import { ReleaseTable } from '../../src/release/core/table';
import { describeTargetStates, moveProductionTraffic, productionTraffic, targetHealth } from '../../src/release/core/traffic';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK, devWorld } from '../release/support/model-harness';

/** Where traffic goes and the capacity carried across a LiveColor change, on the AWS model. */

const REGION = { region: 'ap-northeast-1' };
let aws: AwsModel;
let state: StackState;
const elb = () => new ElasticLoadBalancingV2Client(REGION);
const aas = () => new ApplicationAutoScalingClient(REGION);
const table = () => new ReleaseTable(DynamoDBDocumentClient.from(new DynamoDBClient(REGION)), aws.outputs(DEV_STACK).ReleaseTableName);
const recorder = () => {
  const seen: [string, string][] = [];
  const call = <T>(operation: string, resource: string, fn: () => Promise<T>) => (seen.push([operation, resource]), fn());
  return { seen, call };
};

beforeEach(async () => {
  aws = devWorld();
  state = await readStackState(new CloudFormationClient(REGION), { stackName: DEV_STACK, tableName: 't', parameterPrefix: '' });
});
afterEach(() => aws.restore());

describe('production traffic', () => {
  test('productionTraffic reads the listener; moveProductionTraffic points it at the other fleet with one ModifyListener', async () => {
    const listener = aws.outputs(DEV_STACK).ProductionListenerArn;
    const r = recorder();
    expect(await productionTraffic(elb(), state, r.call)).toBe('blue');
    await moveProductionTraffic(elb(), state, 'green', r.call);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(await productionTraffic(elb(), state)).toBe('green');
    expect(r.seen).toEqual([
      ['DescribeListeners', `production listener ${listener}`],
      ['ModifyListener', `production listener ${listener}`],
    ]);
    const modify = aws.calls.filter((c) => c.operation === 'ModifyListener');
    expect(modify.map((c) => c.input)).toEqual([{ ListenerArn: listener, DefaultActions: [{ Type: 'forward', TargetGroupArn: aws.targetGroupArn(DEV_STACK, 'green') }] }]);
    expect(aws.calls.filter((c) => c.operation === 'DescribeListeners').map((c) => c.input)).toEqual([{ ListenerArns: [listener] }, { ListenerArns: [listener] }]);
    // The test listener is not touched.
    expect(aws.trafficColor(DEV_STACK, 'Test')).toBe('green');
  });

  test('a stack without the production listener output is refused before any call, saying why it was needed', async () => {
    const broken = { ...state, outputs: { ...state.outputs, ProductionListenerArn: '' } };
    await expect(productionTraffic(elb(), broken)).rejects.toThrow(`stack ${DEV_STACK} has no output ProductionListenerArn, needed to see where traffic goes`);
    await expect(moveProductionTraffic(elb(), broken, 'green')).rejects.toThrow(`stack ${DEV_STACK} has no output ProductionListenerArn, needed to move traffic`);
    expect(aws.calls.filter((c) => c.service === 'elasticloadbalancing')).toEqual([]);
  });

  test('targetHealth counts the fleet\'s targets by state; describeTargetStates says them', async () => {
    const live = fleet(state, 'blue');
    const r = recorder();
    const healthy = await targetHealth(elb(), live, r.call);
    expect(r.seen).toEqual([['DescribeTargetHealth', `target group ${live.targetGroupArn}`]]);
    expect(healthy.total).toBeGreaterThan(0);
    expect(healthy).toEqual({ healthy: healthy.total, total: healthy.total, states: { healthy: healthy.total } });
    expect(describeTargetStates(healthy)).toBe(`${healthy.total} healthy`);
    // The cold standby has no targets.
    const cold = await targetHealth(elb(), fleet(state, 'green'));
    expect(cold).toEqual({ healthy: 0, total: 0, states: {} });
    expect(describeTargetStates(cold)).toBe('no targets');
  });

  test('targetHealth: failing health checks take targets out of "healthy"', async () => {
    aws.setTargetHealth(DEV_STACK, 'blue', 'unhealthy');
    await aws.runFor(120_000);
    const counts = await targetHealth(elb(), fleet(state, 'blue'));
    expect(counts.healthy).toBe(0);
    expect(counts.total).toBeGreaterThan(0);
    expect(counts.states.healthy).toBeUndefined();
    expect(Object.values(counts.states).reduce((a, b) => a + b, 0)).toBe(counts.total);
    expect(describeTargetStates({ healthy: 1, total: 3, states: { healthy: 1, draining: 2 } })).toBe('1 healthy, 2 draining');
  });
});

describe('capacity carried across a LiveColor change', () => {
  const now = () => new Date(aws.clock.t);

  test('names: the scalable target id of a fleet, the move id of a rollback', () => {
    expect(scalableTargetId(fleet(state, 'blue'))).toBe(aws.resourceId(DEV_STACK, 'blue'));
    expect(rollbackMoveId('r1')).toBe('r1.rollback');
    expect(rollbackMoveId(undefined)).toBe('manual.rollback');
  });

  test('carriedBounds: each bound raised to the carried one, never lowered; nothing when they hold', () => {
    expect(carriedBounds({ min: 10, max: 20 }, { min: 2, max: 8 })).toEqual({ min: 10, max: 20 });
    expect(carriedBounds({ min: 1, max: 20 }, { min: 2, max: 8 })).toEqual({ min: 2, max: 20 });
    expect(carriedBounds({ min: 10, max: 4 }, { min: 2, max: 8 })).toEqual({ min: 10, max: 8 });
    expect(carriedBounds({ min: 2, max: 8 }, { min: 2, max: 8 })).toBeUndefined();
    expect(carriedBounds({ min: 1, max: 3 }, { min: 2, max: 8 })).toBeUndefined();
  });

  test('FleetCapacity.read: the bounds of the fleet\'s ECS desired-count target', async () => {
    const r = recorder();
    const blue = aws.scalableTarget(DEV_STACK, 'blue');
    const id = aws.resourceId(DEV_STACK, 'blue');
    expect(await new FleetCapacity(aas(), r.call).read(fleet(state, 'blue'))).toEqual({ min: blue.min, max: blue.max });
    expect(r.seen).toEqual([['DescribeScalableTargets', `scalable target ${id}`]]);
    expect(aws.calls.filter((c) => c.operation === 'DescribeScalableTargets').map((c) => c.input)).toEqual([{ ServiceNamespace: 'ecs', ResourceIds: [id], ScalableDimension: 'ecs:service:DesiredCount' }]);
  });

  test('FleetCapacity: a fleet without a scalable target reads as none', async () => {
    const missing = { ...fleet(state, 'blue'), serviceName: 'no-such-service' };
    expect(await new FleetCapacity(aas()).read(missing)).toBeUndefined();
  });

  test('record, move, carry: the new live fleet gets the scheduled bounds of the old one; a re-run finds them set', async () => {
    aws.runScheduledAction(DEV_STACK, { min: 3, max: 9 });
    const capacity = new FleetCapacity(aas());
    const t = table();
    const move = 'r1';
    const readAt = now();
    expect(await recordLiveBounds(capacity, t, state, move, 'green', readAt)).toBe("the blue fleet's bounds before the move: min 3, max 9");
    expect(await t.readCarry()).toEqual({ moveId: move, fromColor: 'blue', toColor: 'green', minTasks: 3, maxTasks: 9, readAt: readAt.toISOString() });

    aws.updateOutOfBand(DEV_STACK, { LiveColor: 'green' });
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_COMPLETE');
    const after = await readStackState(new CloudFormationClient(REGION), { stackName: DEV_STACK, tableName: 't', parameterPrefix: '' });
    expect(await recordLiveBounds(capacity, t, after, move, 'green', now())).toBe('LiveColor is already green');
    const green = aws.scalableTarget(DEV_STACK, 'green');
    const before = { min: green.min, max: green.max };
    expect(before.min).toBeLessThan(3);

    const r = recorder();
    const outcome = await carryLiveBounds(new FleetCapacity(aas(), r.call), t, after, move, now());
    const wanted = { min: 3, max: Math.max(9, before.max) };
    expect(outcome).toEqual({
      applied: true,
      detail: `the green fleet keeps the blue fleet's scheduled bounds: min ${before.min}, max ${before.max} -> min ${wanted.min}, max ${wanted.max} (RegisterScalableTarget; the next scheduled action takes over)`,
    });
    expect(aws.scalableTarget(DEV_STACK, 'green')).toMatchObject(wanted);
    const id = aws.resourceId(DEV_STACK, 'green');
    expect(r.seen).toEqual([
      ['DescribeScalableTargets', `scalable target ${id}`],
      ['RegisterScalableTarget', `scalable target ${id}`],
    ]);
    expect(aws.calls.filter((c) => c.operation === 'RegisterScalableTarget').map((c) => c.input)).toEqual([
      { ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: wanted.min, MaxCapacity: wanted.max },
    ]);

    expect(await carryLiveBounds(capacity, t, after, move, now())).toEqual({
      applied: false,
      detail: `the green fleet's min ${wanted.min}, max ${wanted.max} already cover the blue fleet's min 3, max 9`,
    });
  });

  test('carry: nothing recorded for this move, or LiveColor not the recorded destination', async () => {
    const capacity = new FleetCapacity(aas());
    const t = table();
    expect(await carryLiveBounds(capacity, t, state, 'r1', now())).toEqual({ applied: false, detail: 'no bounds recorded for this move' });
    await recordLiveBounds(capacity, t, state, 'r1', 'green', now());
    expect(await carryLiveBounds(capacity, t, state, 'r2', now())).toEqual({ applied: false, detail: 'no bounds recorded for this move' });
    expect(await carryLiveBounds(capacity, t, state, 'r1', now())).toEqual({ applied: false, detail: 'LiveColor is blue, not green: nothing to carry' });
  });

  test('carry: a reading older than the lock lease is left to the next scheduled action; one just within it is applied', async () => {
    aws.runScheduledAction(DEV_STACK, { min: 3, max: 9 });
    const capacity = new FleetCapacity(aas());
    const t = table();
    const readAt = now();
    await recordLiveBounds(capacity, t, state, 'r1', 'green', readAt);
    const greenLive = { ...state, liveColor: 'green' as const, standbyColor: 'blue' as const };
    const late = new Date(readAt.getTime() + CARRY_VALID_MS + 1);
    expect(await carryLiveBounds(capacity, t, greenLive, 'r1', late)).toEqual({
      applied: false,
      detail: `the blue fleet's bounds (min 3, max 9) were read at ${readAt.toISOString()}, too long ago to be current; the next scheduled action sets them`,
    });
    expect(aws.calls.filter((c) => c.operation === 'RegisterScalableTarget')).toEqual([]);
    expect(CARRY_VALID_MS).toBe(45 * 60_000);
    const inTime = new Date(readAt.getTime() + CARRY_VALID_MS);
    expect((await carryLiveBounds(capacity, t, greenLive, 'r1', inTime)).applied).toBe(true);
  });

  test('a fleet without a scalable target: nothing recorded, nothing carried, both say which target', async () => {
    const capacity = new FleetCapacity(aas());
    const t = table();
    const noTarget = { ...state, outputs: { ...state.outputs, BlueServiceName: 'gone', GreenServiceName: 'gone-too' } };
    const blueId = `service/${fleet(state, 'blue').clusterName}/gone`;
    expect(await recordLiveBounds(capacity, t, noTarget, 'r1', 'green', now())).toBe(`the blue fleet has no scalable target (${blueId})`);
    expect(await t.readCarry()).toBeUndefined();
    await t.putCarry({ moveId: 'r1', fromColor: 'blue', toColor: 'green', minTasks: 3, maxTasks: 9, readAt: now().toISOString() });
    const greenLive = { ...noTarget, liveColor: 'green' as const, standbyColor: 'blue' as const };
    expect(await carryLiveBounds(capacity, t, greenLive, 'r1', now())).toEqual({
      applied: false,
      detail: `the green fleet has no scalable target (service/${fleet(state, 'green').clusterName}/gone-too)`,
    });
  });
});
