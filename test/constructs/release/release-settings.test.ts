import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReleaseSupport, ScanSeverity } from '../../../constructs';
import { parseReleaseSettings, ReleaseSettings } from '../../../constructs/contract';
import { newApp } from '../../support/synth';
import { fakeService, releaseStack } from './support';

/** The ReleaseSettings output of a synthesized stack, parsed as the CLI parses it. */
function settingsOf(stack: Stack, prefix = ''): ReleaseSettings {
  const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
  const value = outputs[`${prefix}ReleaseSettings`]?.Value;
  expect(typeof value).toBe('string');
  const parsed = parseReleaseSettings(value as string, { stack: stack.stackName, prefix });
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('ReleaseSupport release settings (the ReleaseSettings output)', () => {
  test('GIVEN default props THEN each documented default is published', () => {
    const settings = settingsOf(releaseStack().stack);
    expect(settings).toEqual({
      version: 1,
      environment: 'bgf-test-api', // environmentName: the stack name
      service: 'api',
      bakeMinutes: 10, // bake: Duration.minutes(10)
      rollbackWindowMinutes: 60, // rollbackWindow: Duration.minutes(60)
      releaseWindows: [], // releaseWindows: none
      maxScanSeverity: 'HIGH', // maxScanSeverity: ScanSeverity.HIGH
      imageSizeBudgetMiB: 500, // imageSizeBudgetMiB: 500
      smokeCheckPath: '/', // smokeCheckPath: '/'
      architectures: {}, // fleets without an Auto Scaling group: not known
    });
  });

  test('GIVEN every setting THEN the output carries them, with the parameter prefix', () => {
    const { stack } = releaseStack({
      parameterPrefix: 'Api',
      environmentName: 'staging',
      bake: Duration.minutes(0),
      rollbackWindow: Duration.hours(2),
      releaseWindows: [{ name: 'weekday', duration: Duration.hours(2) }, { name: 'friday', duration: Duration.minutes(45), prewarm: Duration.minutes(15) }],
      maxScanSeverity: ScanSeverity.NONE,
      imageSizeBudgetMiB: 250,
      smokeCheckPath: '/healthz',
    });
    expect(settingsOf(stack, 'Api')).toMatchObject({
      environment: 'staging',
      bakeMinutes: 0,
      rollbackWindowMinutes: 120,
      // prewarm defaults to 30 minutes, as ReleaseWindowPrewarm's
      releaseWindows: [
        { name: 'weekday', prewarmMinutes: 30, durationMinutes: 120 },
        { name: 'friday', prewarmMinutes: 15, durationMinutes: 45 },
      ],
      maxScanSeverity: 'NONE',
      imageSizeBudgetMiB: 250,
      smokeCheckPath: '/healthz',
    });
  });

  test('GIVEN fleets with Auto Scaling groups THEN each fleet\'s architecture comes from its instance types', () => {
    const app = newApp();
    const stack = new Stack(app, 'bgf-test-api', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const { vpc, service } = fakeService(stack);
    const group = (color: string, types: string[]) => {
      const launchTemplate = new ec2.LaunchTemplate(stack, `${color}Lt`, { machineImage: ec2.MachineImage.latestAmazonLinux2023() });
      return new autoscaling.AutoScalingGroup(stack, `${color}Asg`, {
        vpc,
        mixedInstancesPolicy: { launchTemplate, launchTemplateOverrides: types.map((t) => ({ instanceType: new ec2.InstanceType(t) })) },
      });
    };
    const groups = { blue: group('blue', ['m6i.large', 'm7i.large']), green: group('green', ['m7g.large']) };
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', vpc });
    const instances = Object.fromEntries(
      (['blue', 'green'] as const).map((c) => [
        c,
        {
          cluster,
          autoScalingGroup: groups[c],
          launchTemplate: ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, `${c}Ref`, { launchTemplateId: `lt-${c}` }),
          instanceRole: new iam.Role(stack, `${c}Role`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
        },
      ]),
    ) as unknown as Record<'blue' | 'green', NonNullable<typeof service.releaseParts.blue.fleet>>;
    const parts = service.releaseParts;
    new ReleaseSupport(stack, 'Release', {
      vpc,
      service: {
        releaseParts: { ...parts, blue: { ...parts.blue, fleet: instances.blue }, green: { ...parts.green, fleet: instances.green } },
      },
    });
    expect(settingsOf(stack).architectures).toEqual({ blue: 'x86_64', green: 'arm64' });
  });

  test.each([
    [{ bake: Duration.seconds(90) }, /bake 1 minute 30 seconds must be a whole number of minutes/],
    [{ bake: Duration.minutes(60) }, /bake \(60 min\) must be shorter than rollbackWindow \(60 min\)/],
    [{ rollbackWindow: Duration.minutes(0), bake: Duration.minutes(0) }, /rollbackWindow must be at least 1 minute/],
    [{ imageSizeBudgetMiB: 0 }, /imageSizeBudgetMiB 0 must be a number of MiB, at least 1/],
    [{ smokeCheckPath: 'healthz' }, /smokeCheckPath "healthz" must be a URL path starting with \//],
    [{ releaseWindows: [{ name: 'a', duration: Duration.hours(1) }, { name: 'a', duration: Duration.hours(1) }] }, /releaseWindows names "a" twice/],
  ])('GIVEN %o THEN the constructor refuses it, naming the prop', (props, message) => {
    expect(() => releaseStack(props)).toThrow(message);
  });
});

describe('parseReleaseSettings (the CLI side of the contract)', () => {
  const where = { stack: 'bgf-x-api', prefix: '' };
  const good = settingsOf(releaseStack().stack);

  test('a missing output is named, with what to do', () => {
    expect(parseReleaseSettings(undefined, where)).toEqual({ problem: expect.stringMatching(/stack bgf-x-api has no output ReleaseSettings: redeploy it with a current ReleaseSupport/) });
  });

  test('malformed JSON, a wrong field and a newer version are each named', () => {
    expect(parseReleaseSettings('{"version":', where)).toEqual({ problem: expect.stringMatching(/output ReleaseSettings is not JSON .*redeploy it with a current ReleaseSupport/) });
    expect(parseReleaseSettings(JSON.stringify({ ...good, maxScanSeverity: 'SEVERE' }), where)).toEqual({ problem: expect.stringMatching(/output ReleaseSettings is malformed \(maxScanSeverity: .*redeploy/) });
    expect(parseReleaseSettings(JSON.stringify({ ...good, version: 2 }), where)).toEqual({ problem: expect.stringMatching(/version 2, newer than this CLI reads \(1\): upgrade bluegreen-fleet/) });
  });
});
