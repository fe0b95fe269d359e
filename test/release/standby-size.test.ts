import { runDeploy } from '../../src/commands/deploy';
import { runRollback } from '../../src/commands/rollback';
import { ExitCode } from '../../src/release/core/outcome';
import { clampStandby, standbyMaxValue } from '../../src/release/core/standby-size';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from '../../constructs/contract/names';
import { STANDBY_MIN_TASKS_CEILING } from '../../constructs/service/parameters';
import { AwsModel, REPOSITORY } from './support/aws-model';
import { DEV_STACK, json, run, V1, windowClosedAndCooled, withHandlers } from './support/model-harness';

// The in-cloud handlers (the cool-down's standby-capacity) log one JSON line per run.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

/**
 * The standby is warmed to the live fleet's size, which can briefly exceed maxTasks while the
 * live service deploys; StandbyMinTasks' MaxValue (= maxTasks) would make the UpdateStack fail.
 */

describe('the StandbyMinTasks MaxValue', () => {
  test('is read from the template\'s parameter declaration (number or string), with the prefix', () => {
    const body = (p: string, max: unknown) => JSON.stringify({ Parameters: { [`${p}StandbyMinTasks`]: { Type: 'Number', MinValue: 0, MaxValue: max } } });
    expect(standbyMaxValue(body('', 12), '')).toBe(12);
    expect(standbyMaxValue(body('Api', '6'), 'Api')).toBe(6);
    expect(standbyMaxValue(body('Api', 6), '')).toBeUndefined();
    expect(standbyMaxValue(JSON.stringify({ Parameters: { StandbyMinTasks: { Type: 'Number' } } }), '')).toBeUndefined();
    expect(standbyMaxValue('Parameters:\n  StandbyMinTasks:\n    MaxValue: 12\n', '')).toBeUndefined();
    expect(standbyMaxValue(undefined, '')).toBeUndefined();
  });

  test('clamps what was wanted, and says so', () => {
    expect(clampStandby(10, 12)).toEqual({ size: 10 });
    expect(clampStandby(12, 12)).toEqual({ size: 12 });
    expect(clampStandby(14, undefined)).toEqual({ size: 14 });
    expect(clampStandby(14, 12)).toEqual({ size: 12, note: 'clamped to 12, the StandbyMinTasks MaxValue (14 tasks were wanted)' });
  });
});

describe('warming the standby while the live fleet runs more than maxTasks', () => {
  let aws: AwsModel;
  beforeEach(() => {
    aws = new AwsModel().install();
    aws.ecr.putRepository(REPOSITORY, { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...DEFAULT_MUTABLE_TAG_PATTERNS] });
    aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1, minTasks: 6, maxTasks: 12, liveTasks: 12 });
    withHandlers(aws, DEV_STACK);
    aws.addImage('v1');
    aws.addImage('v2');
    aws.timings.callMs = 5_000;
  });
  afterEach(() => aws.restore());

  /**
   * The fleet's ECS service starts a deployment (minimumHealthyPercent 100, maximumPercent 200:
   * the new tasks start beside the old ones) whose tasks are slow to pass their health checks, so
   * it counts more running tasks than maxTasks for a while.
   */
  async function deploying(color: 'blue' | 'green'): Promise<void> {
    const svc = aws.service(DEV_STACK, color).model;
    aws.elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, color))!.healthyAfterMs = 3_600_000;
    aws.ecs.updateService(svc, { taskDefinition: `${svc.deployments[0].taskDefinition.replace(/:\d+$/, '')}:99` });
    await aws.runFor(60_000);
    expect(aws.service(DEV_STACK, color).running).toBeGreaterThan(12);
  }

  // StandbyMinTasks' MaxValue is STANDBY_MIN_TASKS_CEILING (100), not maxTasks, and the template
  // clamps the standby's minimum to maxTasks itself (constructs/service/parameters.ts); the old
  // fake declared MaxValue = maxTasks and expected the CLI to clamp to 12.
  // The standby is warmed to the live service's desired count, not its running count, which a
  // deployment inflates (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
  test('deploy warms to the live desired count (12), not the running count a deployment inflates (> 12)', async () => {
    await deploying('blue');
    const wanted = aws.service(DEV_STACK, 'blue').desired;
    expect(wanted).toBe(12);
    const r = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true, swap: false }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.calls.find((c) => c.operation === 'UpdateStack')!.input.Parameters).toContainEqual({ ParameterKey: 'StandbyMinTasks', ParameterValue: String(wanted) });
    expect(aws.scalableTarget(DEV_STACK, 'green')).toMatchObject({ min: 12, max: 12 });
    expect(aws.service(DEV_STACK, 'green')).toMatchObject({ desired: 12, running: 12 });
  });

  test('rollback --warm of a cold blue while green deploys: the same, on blue', async () => {
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
    // The window closed, blue was cooled; green (live) deploys and counts more than 12.
    await windowClosedAndCooled(aws);
    expect(aws.service(DEV_STACK, 'blue')).toMatchObject({ desired: 0, running: 0 });
    await deploying('green');
    const r = run(aws);
    expect(await runRollback({ env: 'dev', service: 'api', warm: true, json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).steps.find((s: { name: string }) => s.name === 'warm the blue fleet').detail).toBe('StandbyMinTasks=12');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.service(DEV_STACK, 'blue')).toMatchObject({ desired: 12, running: 12 });
  });
});

describe('a live fleet at StandbyMinTasks\' MaxValue (maxTasks 100) that deploys', () => {
  test('warms the standby to its desired count, within the MaxValue, whatever it runs meanwhile', async () => {
    const aws = new AwsModel().install();
    try {
      aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1, minTasks: 6, maxTasks: STANDBY_MIN_TASKS_CEILING, liveTasks: STANDBY_MIN_TASKS_CEILING });
      aws.addImage('v2');
      aws.timings.callMs = 0;
      const svc = aws.service(DEV_STACK, 'blue').model;
      aws.elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, 'blue'))!.healthyAfterMs = 3_600_000;
      aws.ecs.updateService(svc, { taskDefinition: `${svc.deployments[0].taskDefinition.replace(/:\d+$/, '')}:99` });
      await aws.runFor(60_000);
      expect(aws.service(DEV_STACK, 'blue').running).toBeGreaterThan(STANDBY_MIN_TASKS_CEILING);
      const planned = run(aws);
      expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', dryRun: true, json: true }, planned.deps)).toBe(ExitCode.Ok);
      const plan = json(planned).result.plan.join('\n');
      expect(plan).toContain(`StandbyMinTasks=${STANDBY_MIN_TASKS_CEILING}`);
      expect(plan).not.toContain('clamped');
    } finally {
      aws.restore();
    }
  });
});
