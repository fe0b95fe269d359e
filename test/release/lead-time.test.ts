import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { AWS_LATENCIES, estimateLeadTime, LeadTimeEstimate, LeadTimeSettings, leadTimeSettings } from '../../src/release/core/lead-time';
import { AwsModel } from './support/aws-model';
import { serviceTemplate } from './support/aws-model/service-template';
import { DEV_BAKE_MINUTES, DEV_STACK, devWorld, json, run } from './support/model-harness';

const deployV2 = { env: 'dev', service: 'api', image: 'v2', json: true };

const SETTINGS: LeadTimeSettings = {
  healthCheckIntervalSeconds: 10,
  healthyThresholdCount: 3,
  healthCheckTimeoutSeconds: 5,
  deregistrationDelaySeconds: 40,
  smokeCheckTimeoutSeconds: 30,
  bakeMinutes: 7,
  notes: [],
};

const ids = (e: LeadTimeEstimate) => e.phases.map((p) => p.id);
const phase = (e: LeadTimeEstimate, id: string) => e.phases.find((p) => p.id === id)!;

describe('the lead-time estimate from settings', () => {
  test('cold: instances launch first, nothing drains; pre-warmed: no launch unless the instances have no room, the replaced tasks drain', () => {
    const cold = estimateLeadTime(SETTINGS, 'cold');
    const warm = estimateLeadTime(SETTINGS, 'pre-warmed');
    expect(ids(cold)).toEqual(['stack-update', 'scale-out', 'instance-launch', 'task-start', 'health-checks', 'smoke-check', 'swap', 'bake']);
    expect(ids(warm)).toEqual(['stack-update', 'room', 'task-start', 'health-checks', 'deregistration', 'smoke-check', 'swap', 'bake']);
    expect(phase(warm, 'room')).toMatchObject({ low: 0, high: AWS_LATENCIES.scaleOutDecision.high + AWS_LATENCIES.instanceLaunch.high });
    expect(phase(warm, 'deregistration')).toMatchObject({ low: 0, high: 40 });
    expect(cold.toTraffic.low).toBeGreaterThan(warm.toTraffic.low);
  });

  test('an AMI change launches instances even for a pre-warmed standby', () => {
    expect(ids(estimateLeadTime(SETTINGS, 'pre-warmed', { amiChange: true }))).toEqual(expect.arrayContaining(['scale-out', 'instance-launch', 'deregistration']));
  });

  test('health checks: the healthy threshold times the interval (the first check at once or an interval later, each up to its timeout)', () => {
    expect(phase(estimateLeadTime(SETTINGS, 'cold'), 'health-checks')).toMatchObject({ low: 20, high: 35 });
  });

  test('the bake is exact and comes after traffic moved; the smoke check is bounded by its Lambda timeout', () => {
    const e = estimateLeadTime(SETTINGS, 'cold');
    expect(phase(e, 'bake')).toMatchObject({ low: 420, high: 420 });
    expect(e.toDone.low - e.toTraffic.low).toBe(420);
    expect(e.toDone.high - e.toTraffic.high).toBe(420);
    expect(phase(e, 'smoke-check').high).toBe(AWS_LATENCIES.smokeInvoke.high + 30);
  });

  test('every phase names its source, and a range never runs backwards', () => {
    for (const start of ['cold', 'pre-warmed'] as const) {
      for (const p of estimateLeadTime(SETTINGS, start).phases) {
        expect(p.sources.length).toBeGreaterThan(0);
        for (const s of p.sources) expect(s).toMatch(/https:\/\/docs\.aws\.amazon\.com\/|^assumed:|ReleaseSettings/);
        expect(p.low).toBeLessThanOrEqual(p.high);
      }
    }
  });
});

describe('the settings, read from the service stack\'s template', () => {
  test('the dev api template: the standby target group\'s health checks and deregistration delay, the smoke check\'s timeout', () => {
    const template = serviceTemplate({ env: 'dev', service: 'api' }) as any;
    // Found independently of the outputs: the one target group of the green fleet by its path.
    const [group] = Object.entries(template.Resources as Record<string, any>).filter(([id, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && id.includes('Green'));
    const props = group[1].Properties;
    const s = leadTimeSettings(JSON.stringify(template), { prefix: '', color: 'green', bakeMinutes: DEV_BAKE_MINUTES });
    expect(s).toMatchObject({
      healthCheckIntervalSeconds: props.HealthCheckIntervalSeconds,
      healthyThresholdCount: props.HealthyThresholdCount,
      healthCheckTimeoutSeconds: props.HealthCheckTimeoutSeconds,
      deregistrationDelaySeconds: Number(props.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value),
      bakeMinutes: DEV_BAKE_MINUTES,
      notes: [],
    });
    expect(s.smokeCheckTimeoutSeconds).toBe(template.Resources[template.Outputs.SmokeCheckFunctionName.Value.Ref].Properties.Timeout);
  });

  test('what the template leaves out is AWS\'s default (ALB 30 s x 5, timeout 5 s, deregistration 300 s; Lambda 3 s), and a note says so', () => {
    const template = {
      Resources: { Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { HealthCheckIntervalSeconds: { 'Fn::If': ['X', 5, 10] } } } },
      Outputs: { ApiBlueTargetGroupArn: { Value: { Ref: 'Tg' } } },
    };
    const s = leadTimeSettings(JSON.stringify(template), { prefix: 'Api', color: 'blue', bakeMinutes: 0 });
    expect(s).toMatchObject({ healthCheckIntervalSeconds: 30, healthyThresholdCount: 5, healthCheckTimeoutSeconds: 5, deregistrationDelaySeconds: 300, smokeCheckTimeoutSeconds: 3 });
    expect(s.notes).toEqual(expect.arrayContaining(['HealthCheckIntervalSeconds: AWS default 30', 'deregistration_delay.timeout_seconds: AWS default 300']));
    expect(leadTimeSettings('Resources: {}', { prefix: '', color: 'blue', bakeMinutes: 0 }).notes[0]).toMatch(/not JSON/);
  });
});

/**
 * The estimate against the AWS model's clock. What the model's clock covers: every API call moves
 * it by `aws.timings.callMs` (5 s here; a real call takes milliseconds), a task is PROVISIONING for
 * 30 s (capacity, the instance launch of a cold standby included) and PENDING for 15 s, targets turn
 * healthy after exactly interval x threshold from the template, CloudFormation takes a second
 * between resources, the bake sleeps on the fake clock. So the model compresses a cold start (AWS
 * needs minutes for instances) and adds call time AWS does not have: phase by phase, the model
 * must fall inside the estimate computed with the model's own durations, and the whole release in
 * the model must take no longer than the estimate with AWS's.
 */
describe('the estimate against the AWS model\'s clock (dev api, green cold)', () => {
  let aws: AwsModel;
  let planned: LeadTimeEstimate;
  let dryRunText: string;
  let dryRunTemplateReads = 0;
  const at: Record<string, number> = {};

  beforeAll(async () => {
    aws = devWorld();
    const dry = run(aws);
    expect(await runDeploy({ ...deployV2, dryRun: true }, dry.deps)).toBe(ExitCode.Ok);
    planned = json(dry).result.leadTime;
    dryRunText = dry.stderr.text;
    // The standby's MaxValue and the lead time come from one read of the template.
    dryRunTemplateReads = aws.calls.filter((c) => c.operation === 'GetTemplate').length;

    const { elb } = aws;
    const putListener = elb.putListener.bind(elb);
    elb.putListener = (l) => {
      putListener(l);
      if (at.traffic === undefined && aws.trafficColor(DEV_STACK) === 'green') at.traffic = aws.clock.t;
    };
    at.start = aws.clock.t;
    const r = run(aws);
    expect(await runDeploy(deployV2, r.deps)).toBe(ExitCode.Ok);
    at.end = aws.clock.t;
    const updates = aws.calls.filter((c) => c.operation === 'UpdateStack');
    at.prepare = updates[0].at.getTime();
    const green = aws.service(DEV_STACK, 'green').model;
    const primary = green.deployments.find((d) => d.status === 'PRIMARY')!;
    const tasks = green.tasks.filter((t) => t.deploymentId === primary.id);
    at.running = Math.max(...tasks.map((t) => t.runningAt));
    const group = elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, 'green'))!;
    at.healthy = Math.max(...group.targets.map((t) => t.registeredAt)) + group.healthyAfterMs;
  });
  afterAll(() => aws.restore());

  test('the dry run reads the template once, for the standby\'s MaxValue and the estimate both', () => {
    expect(dryRunTemplateReads).toBe(1);
  });

  test('the dry run prints each phase of a cold start and of a pre-warmed one, and the rollback', () => {
    expect(planned.start).toBe('cold');
    expect(dryRunText).toMatch(/lead time: cold \(this release\): traffic on the new fleet in .*, done in /);
    expect(dryRunText).toMatch(/lead time: {3}health-checks: 15 s-35 s - targets healthy: 2 checks 15 s apart/);
    expect(dryRunText).toMatch(/lead time: pre-warmed: traffic on the new fleet in /);
    expect(dryRunText).toMatch(/lead time: rollback in the window: traffic back in 1 s-10 s/);
  });

  test('health checks: the model\'s targets turn healthy inside the estimated range', () => {
    const p = phase(planned, 'health-checks');
    const group = aws.elb.targetGroups.get(aws.targetGroupArn(DEV_STACK, 'green'))!;
    expect(group.healthyAfterMs / 1000).toBeGreaterThanOrEqual(p.low);
    expect(group.healthyAfterMs / 1000).toBeLessThanOrEqual(p.high);
  });

  test('UpdateStack to tasks running: inside the estimate with the model\'s durations', () => {
    const model = { ...AWS_LATENCIES, scaleOutDecision: { low: 0, high: 0, source: 'model' }, instanceLaunch: { low: 30, high: 30, source: 'model' }, taskStart: { low: 15, high: 15, source: 'model' }, stackUpdate: { low: 0, high: 60, source: 'model' } };
    const e = estimateLeadTime({ ...SETTINGS }, 'cold', { latencies: model });
    const upToRunning = e.phases.slice(0, ids(e).indexOf('task-start') + 1);
    const seconds = (at.running - at.prepare) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(upToRunning.reduce((s, p) => s + p.low, 0));
    expect(seconds).toBeLessThanOrEqual(upToRunning.reduce((s, p) => s + p.high, 0));
  });

  test('the model is faster than AWS at a cold start and slower in between (5 s per call): still inside the AWS estimate to traffic, and the bake exact', () => {
    const toTraffic = (at.traffic - at.start) / 1000;
    expect(toTraffic).toBeLessThanOrEqual(planned.toTraffic.high);
    // The model's PROVISIONING (30 s) stands for the scale-out and the launch, which AWS takes minutes for.
    expect((at.running - at.prepare) / 1000).toBeLessThan(phase(planned, 'scale-out').low + phase(planned, 'instance-launch').low + phase(planned, 'task-start').low);
    expect((at.end - at.traffic) / 1000).toBeGreaterThanOrEqual(phase(planned, 'bake').low);
    expect((at.end - at.start) / 1000).toBeLessThanOrEqual(planned.toDone.high);
  });
});
