import { runDeploy } from '../../src/commands/deploy';
import { runRollback } from '../../src/commands/rollback';
import { ExitCode } from '../../src/release/core/outcome';
import { clampStandby, standbyMaxValue } from '../../src/release/core/standby-size';
import { FakeAws } from './support/fake-aws';
import { DEV_STACK, json, run, V1 } from './support/harness';

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
    expect(clampStandby(14, 12)).toEqual({ size: 12, note: 'clamped to 12, the StandbyMinTasks MaxValue (the live fleet counts 14 tasks while it deploys)' });
  });
});

describe('warming the standby while the live fleet runs more than maxTasks', () => {
  let aws: FakeAws;
  beforeEach(() => {
    aws = new FakeAws().install();
    aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1, minTasks: 6, maxTasks: 12 });
    aws.addImage('v1');
    aws.addImage('v2');
    // The live service is mid-deployment: 14 tasks counted against a maximum of 12.
    aws.liveDesired = 14;
    Object.assign(aws.service(DEV_STACK, 'blue'), { desired: 14, running: 14 });
  });
  afterEach(() => aws.restore());

  test('deploy warms to the MaxValue and says so in the step and the plan', async () => {
    const planned = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', dryRun: true, json: true }, planned.deps)).toBe(ExitCode.Ok);
    expect(json(planned).result.plan.join('\n')).toMatch(/StandbyMinTasks=12 \(clamped to 12, the StandbyMinTasks MaxValue \(the live fleet counts 14 tasks while it deploys\)\)/);
    const r = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
    expect(aws.calls.find((c) => c.operation === 'UpdateStack')!.input.Parameters).toContainEqual({ ParameterKey: 'StandbyMinTasks', ParameterValue: '12' });
    expect(json(r).steps.find((s: { name: string }) => s.name.startsWith('set GreenImage=')).detail).toMatch(/StandbyMinTasks=12 \(clamped to 12/);
  });

  test('rollback --warm warms to the MaxValue too', async () => {
    aws.liveDesired = 2;
    Object.assign(aws.service(DEV_STACK, 'blue'), { desired: 2, running: 2 });
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
    // The window closed, blue was cooled; green (live) deploys and counts 14.
    aws.clock.advance(20 * 60_000);
    aws.stacks.get(DEV_STACK)!.parameters.StandbyMinTasks = '0';
    Object.assign(aws.service(DEV_STACK, 'blue'), { desired: 0, running: 0 });
    Object.assign(aws.service(DEV_STACK, 'green'), { desired: 14, running: 14 });
    const r = run(aws);
    expect(await runRollback({ env: 'dev', service: 'api', warm: true, json: true }, r.deps)).toBe(ExitCode.Ok);
    expect(json(r).steps.find((s: { name: string }) => s.name === 'warm the blue fleet').detail).toBe(
      'StandbyMinTasks=12 (clamped to 12, the StandbyMinTasks MaxValue (the live fleet counts 14 tasks while it deploys))',
    );
  });
});
