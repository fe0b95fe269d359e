import { runRollback } from '../../src/commands/rollback';
import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { CloudFormationClient, ContinueUpdateRollbackCommand } from '@aws-sdk/client-cloudformation';
import { AwsModel, REGION, runAs } from './support/aws-model';
import { DEV_STACK, devWorld, json, run } from './support/model-harness';

/**
 * Rollback when the stack cannot take an update right away: exactly when on-call needs it. The
 * old code refused (exit 3, no listener call) on a busy stack, and after a failed reconcile never
 * looked at the listener again, which CloudFormation's rollback had pointed back at the bad fleet.
 */
const rollbackApi = { env: 'dev', service: 'api', json: true };

async function releasedWorld(): Promise<AwsModel> {
  const aws = devWorld();
  expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  return aws;
}

describe('rollback while the stack is busy or broken', () => {
  let aws: AwsModel;
  beforeEach(async () => {
    aws = await releasedWorld();
  });
  afterEach(() => aws.restore());

  test('a cdk deploy is running: traffic moves first, then LiveColor is reconciled once the stack is idle', async () => {
    // A cdk deploy (here: a smaller standby) has just started an update; assumed: a minute
    // between resources, as a deploy of a larger change takes minutes.
    aws.engine.timings.stepMs = 60_000;
    aws.updateOutOfBand(DEV_STACK, { StandbyMinTasks: '1' });
    expect(aws.status(DEV_STACK)).toBe('UPDATE_IN_PROGRESS');
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Ok);
    const ops = aws.calls.slice(before).map((c) => c.operation);
    expect(ops.indexOf('ModifyListener')).toBeLessThan(ops.indexOf('UpdateStack'));
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(r.stderr.text).toMatch(/waiting for stack bgf-dev-api to finish its current update \(UPDATE_IN_PROGRESS: a running `cdk deploy`/);
  });

  test('UPDATE_ROLLBACK_FAILED: traffic moves and is verified; exit 1 names ContinueUpdateRollback, no UpdateStack is sent', async () => {
    // A cdk deploy (a new AMI and a smaller size for the standby) failed on the scalable target
    // after changing the launch template, and the restore of the launch template failed too.
    aws.failResource(DEV_STACK, 'AWS::ApplicationAutoScaling::ScalableTarget', 'Resource handler returned message: "Rate exceeded"');
    aws.failResource(DEV_STACK, () => true, 'Resource handler returned message: "Rate exceeded"', { phase: 'rollback' });
    aws.updateOutOfBand(DEV_STACK, { BlueAmi: 'ami-0ccccccccccccccc3', StandbyMinTasks: '1' });
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_ROLLBACK_FAILED');
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Error);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    expect(aws.calls.slice(before).filter((c) => c.operation === 'UpdateStack')).toHaveLength(0);
    expect(json(r).error).toMatch(/^traffic is on the blue fleet \(verified\), but the rollback is not finished: .*UPDATE_ROLLBACK_FAILED.*continue-update-rollback --stack-name bgf-dev-api/);
    // Once the stack is fixed, the same command finishes it.
    await runAs('operator', () => new CloudFormationClient({ region: REGION }).send(new ContinueUpdateRollbackCommand({ StackName: DEV_STACK })));
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await runRollback(rollbackApi, run(aws).deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })).toMatchObject({ rolledBack: true, rollbackDoneAt: expect.any(String) });
  });

  test('a reconcile that fails and rolls back (listener restored to green): the listener is repaired, the failed event shown, exit 1', async () => {
    // The reconcile's LiveColor update changes the production listener, then fails on the test
    // listener; CloudFormation's rollback restores the production listener to green.
    aws.failResource(DEV_STACK, 'ServiceTestListener', 'Resource handler returned message: "Access denied for elasticloadbalancing:AddTags"');
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Error);
    // CloudFormation's rollback pointed production back at green; the core moved it to blue again.
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
    const flips = aws.calls.filter((c) => c.operation === 'ModifyListener');
    expect(flips).toHaveLength(2);
    expect(flips.every((c) => c.input.DefaultActions[0].TargetGroupArn === aws.targetGroupArn(DEV_STACK, 'blue'))).toBe(true);
    expect(r.stderr.text).toMatch(/WARNING: the production listener forwarded to the green fleet after the reconcile; moved it to the blue fleet again/);
    expect(json(r).error).toMatch(/first failed event: ServiceTestListener\w+ UPDATE_FAILED: Resource handler returned message: "Access denied for elasticloadbalancing:AddTags"/);
    // The window is not marked finished, so the Lambda and a re-run both resume.
    expect(aws.table(DEV_STACK).get({ pk: 'window', sk: 'current' })!.rollbackDoneAt).toBeUndefined();
    expect(await runRollback(rollbackApi, run(aws).deps)).toBe(ExitCode.Ok);
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('blue');
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });

  test('the fleet to go back to has no healthy target: refused (exit 3), traffic stays, says what it found', async () => {
    aws.setTargetHealth(DEV_STACK, 'blue', 'unhealthy');
    const r = run(aws);
    expect(await runRollback(rollbackApi, r.deps)).toBe(ExitCode.Refused);
    expect(json(r).error).toMatch(/the blue fleet has no healthy target \(2 unhealthy\): traffic stays on the green fleet/);
    expect(aws.trafficColor(DEV_STACK)).toBe('green');
    expect(aws.count('ModifyListener')).toBe(0);
  });
});
