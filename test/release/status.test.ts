import { runDeploy } from '../../src/commands/deploy';
import { runStatus } from '../../src/commands/status';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel } from './support/aws-model';
import { DEV_STACK, devWorld, json, run, V1, V2, windowItem } from './support/model-harness';

describe('status after a release', () => {
  let aws: AwsModel;
  beforeAll(async () => {
    aws = devWorld();
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  });
  afterAll(() => aws.restore());

  test('--json: both fleets, the open window and the history, and it takes no lock', async () => {
    const before = aws.calls.length;
    const r = run(aws);
    expect(await runStatus({ env: 'dev', service: 'api', json: true }, r.deps)).toBe(ExitCode.Ok);
    const { result } = json(r);
    expect(result).toMatchObject({
      environment: 'dev',
      service: 'api',
      stack: DEV_STACK,
      liveColor: 'green',
      trafficColor: 'green',
      standbyMinTasks: 2,
      rollbackWindow: { open: true, closesAt: windowItem(aws).closesAt, previousColor: 'blue' },
      history: [expect.objectContaining({ outcome: 'succeeded', newImage: V2 })],
    });
    expect(result.fleets).toEqual([
      expect.objectContaining({ color: 'blue', live: false, image: V1, ami: 'ami-0aaaaaaaaaaaaaaa1', service: expect.objectContaining({ desired: 2, running: 2 }), targets: expect.objectContaining({ healthy: 2 }), instances: { inService: 2, total: 2 } }),
      expect.objectContaining({ color: 'green', live: true, image: V2, alarms: aws.alarmNames(DEV_STACK, 'green').map((name) => expect.objectContaining({ name, state: 'OK' })) }),
    ]);
    expect(aws.calls.slice(before).filter((c) => !/^(Describe|Get|Query)/.test(c.operation))).toEqual([]);
  });

  test('human form: live color, each fleet, the window and the last releases', async () => {
    const r = run(aws);
    expect(await runStatus({ env: 'dev', service: 'api' }, r.deps)).toBe(ExitCode.Ok);
    const text = r.stdout.text;
    expect(text).toMatch(/^api in dev \(stack bgf-dev-api, UPDATE_COMPLETE\)\nlive: green\n/);
    expect(text).toMatch(/blue {2}standby \(StandbyMinTasks=2, warm\)\n\s+image\s+.*@sha256:[0-9a-f]{64}\n\s+AMI\s+ami-0aaaaaaaaaaaaaaa1\n\s+tasks\s+2 running \/ 2 desired\n\s+instances 2 in service \/ 2\n\s+targets\s+2 healthy \/ 2\n/);
    const { closesAt, swappedAt } = windowItem(aws);
    expect(text).toContain(`rollback window: OPEN until ${closesAt} (blue kept warm)`);
    expect(text).toContain(`last releases:\n  ${swappedAt}  succeeded`);
    expect(text).toMatch(/last releases:\n {2}\S+ {2}succeeded {8}blue -> green {2}api@[0-9a-f]{12} {2}by alice@/);
  });

  test('flags traffic that disagrees with LiveColor, and shows who holds the lock', async () => {
    const o = aws.outputs(DEV_STACK);
    aws.elb.modifyListener({ ListenerArn: o.ProductionListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.BlueTargetGroupArn }] });
    aws.table(DEV_STACK).put({ pk: 'lock', sk: 'lock', owner: 'bob@laptop', acquiredAt: '2026-03-02T01:02:00.000Z', expiresAt: Date.parse('2026-03-02T02:00:00Z') / 1000, command: 'deploy sha256:x', token: 't' }, {});
    const r = run(aws);
    await runStatus({ env: 'dev', service: 'api' }, r.deps);
    expect(r.stdout.text).toMatch(/live: green {2}\(!\) production traffic goes to blue: run rollback to reconcile/);
    expect(r.stdout.text).toMatch(/lock: held by bob@laptop since 2026-03-02T01:02:00.000Z \(deploy sha256:x\)/);
  });

  test('a stack that does not exist: exit 1 naming it', async () => {
    const r = run(aws);
    expect(await runStatus({ env: 'dev', service: 'api', stack: 'bgf-dev-nope', json: true }, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/stack bgf-dev-nope .*does not exist/);
  });
});
