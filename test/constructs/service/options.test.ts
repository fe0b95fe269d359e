import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BlueGreenService, BlueGreenServiceProps, FleetColor } from '../../../constructs';
import { addPolicyGates } from '../../../lib/policy';
import { newApp } from '../../support/synth';
import { buildService, ENV, resourceOf } from './support';

const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

describe('BlueGreenService with every option set', () => {
  let template: Template;
  let stack: Stack;
  let grantee: iam.Role;
  beforeAll(() => {
    ({ template, stack } = buildService(
      {
        minTasks: 2,
        maxTasks: 5,
        cpuTargetPercent: 45,
        healthCheckPath: '/healthz',
        containerHealthCheck: { command: ['CMD', '/bin/health'], interval: Duration.seconds(10) },
        healthCheckGracePeriod: Duration.seconds(120),
        deregistrationDelay: Duration.seconds(5),
        internetFacing: true,
        listenerPort: 8443,
        testListenerPort: 9443,
        deletionProtection: true,
        logRetention: logs.RetentionDays.ONE_YEAR,
        logRemovalPolicy: RemovalPolicy.DESTROY,
        parameterPrefix: 'Api',
        readonlyRootFilesystem: true,
        user: '1000:1000',
      },
      {
        props: (s, vpc) => ({
          certificate: acm.Certificate.fromCertificateArn(s, 'Cert', CERT),
          accessLogBucket: new s3.Bucket(s, 'Logs'),
          hostedZone: new route53.PrivateHostedZone(s, 'Zone', { zoneName: 'dev.internal', vpc }),
          logKey: new kms.Key(s, 'LogKey'),
          repository: ecr.Repository.fromRepositoryName(s, 'Repo', 'bluegreen-fleet/api'),
          alarms: {
            errorRatePercent: 2,
            responseTimeP99: Duration.millis(800),
            evaluationMinutes: 3,
            alarmNamePrefix: 'team-api',
            alarmActions: [new cwActions.SnsAction(new sns.Topic(s, 'Pager'))],
          },
          fleet: {
            instanceTypes: [new ec2.InstanceType('m6i.large')],
            cpu: 1024,
            memoryMiB: 2048,
            environment: { LOG_LEVEL: 'debug' },
            secrets: { TOKEN: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(s, 'Token', 'api/token')) },
          },
        }),
        after: (s, _vpc, service) => {
          grantee = new iam.Role(s, 'Rollback', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
          service.grantSwap(grantee);
        },
      },
    ));
  });

  test('parameters and outputs carry the prefix', () => {
    for (const name of ['ApiLiveColor', 'ApiStandbyMinTasks', 'ApiBlueImage', 'ApiGreenImage', 'ApiBlueAmi', 'ApiGreenAmi']) template.hasParameter(name, {});
    template.hasCondition('ApiBlueIsLive', { 'Fn::Equals': [{ Ref: 'ApiLiveColor' }, 'blue'] });
    template.hasOutput('ApiServiceDnsName', { Value: 'api.dev.internal' });
    template.hasOutput('ApiTestListenerPort', { Value: '9443' });
  });

  test('HTTPS listeners with the certificate on the given ports; the production one open to the world (internet-facing)', () => {
    for (const port of [8443, 9443]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERT }], SslPolicy: Match.anyValue() });
    }
    const lb = resourceOf(template, 'AWS::EC2::SecurityGroup', 'SvcLoadBalancerSecurityGroup').resource;
    expect(lb.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 8443, ToPort: 8443 })]);
  });

  test('an internet-facing load balancer with deletion protection and access logs', () => {
    const { resource } = resourceOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'SvcLoadBalancer');
    expect(resource.Properties.Scheme).toBe('internet-facing');
    expect(resource.Properties.LoadBalancerAttributes).toEqual(
      expect.arrayContaining([{ Key: 'deletion_protection.enabled', Value: 'true' }, { Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.prefix', Value: 'api' }]),
    );
  });

  test('the DNS name is an alias of the load balancer', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.dev.internal.', Type: 'A', AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }) });
  });

  test('scaling, health checks and the container follow the props', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: { 'Fn::If': ['ApiBlueIsLive', 2, { 'Fn::If': ['ApiStandbyIsCold', 0, { 'Fn::Select': [{ Ref: 'ApiStandbyMinTasks' }, Match.anyValue()] }] }] },
      MaxCapacity: { 'Fn::If': ['ApiBlueIsLive', 5, { 'Fn::If': ['ApiStandbyIsCold', 0, 5] }] },
    });
    // The standby's minimum is clamped to maxTasks 5 by the template, not by MaxValue.
    const [target] = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    const table = target.Properties.MinCapacity['Fn::If'][2]['Fn::If'][2]['Fn::Select'][1] as string[];
    expect(table.slice(0, 7)).toEqual(['0', '1', '2', '3', '4', '5', '5']);
    template.hasParameter('ApiStandbyMinTasks', { MaxValue: 100 });
    expect(table).toHaveLength(101);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 45 }) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 120 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Cpu: 1024,
          Memory: 2048,
          User: '1000:1000',
          ReadonlyRootFilesystem: true,
          HealthCheck: Match.objectLike({ Command: ['CMD', '/bin/health'], Interval: 10 }),
          Environment: Match.arrayWith([{ Name: 'LOG_LEVEL', Value: 'debug' }]),
          Secrets: [{ Name: 'TOKEN', ValueFrom: Match.anyValue() }],
        }),
      ],
    });
  });

  test('the log group uses the key, keeps a year and goes with the stack', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] } },
      DeletionPolicy: 'Delete',
    });
  });

  test('a given repository is what the execution role pulls from', () => {
    const policy = resourceOf(template, 'AWS::IAM::Policy', 'SvcBlueTaskDefinitionExecutionRoleDefaultPolicy').resource;
    const text = JSON.stringify(policy.Properties.PolicyDocument);
    expect(text).toContain(':repository/bluegreen-fleet/api');
    expect(text).not.toContain('BlueImage');
    expect(text).toContain('secretsmanager:GetSecretValue');
  });

  test('alarms use the thresholds, the name prefix and the actions, enabled only while their fleet is live', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'team-api-blue-target-5xx-rate', Threshold: 2, EvaluationPeriods: 3, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }], ActionsEnabled: { 'Fn::If': ['ApiBlueIsLive', true, false] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'team-api-green-unhealthy-hosts', ActionsEnabled: { 'Fn::If': ['ApiGreenIsLive', true, false] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'team-api-green-response-time-p99', Threshold: 0.8 });
  });

  test('grantSwap lets the grantee modify exactly the two listeners and read state', () => {
    const { resource } = resourceOf(template, 'AWS::IAM::Policy', 'RollbackDefaultPolicy');
    const statements = resource.Properties.PolicyDocument.Statement;
    const modify = statements.find((s: { Action: unknown }) => s.Action === 'elasticloadbalancing:ModifyListener');
    expect(modify.Resource).toEqual([{ Ref: expect.stringMatching(/^SvcProductionListener/) }, { Ref: expect.stringMatching(/^SvcTestListener/) }]);
    const read = statements.find((s: { Action: unknown }) => Array.isArray(s.Action) && s.Action.includes('elasticloadbalancing:DescribeTargetHealth'));
    expect(read.Resource).toBe('*');
    expect(Stack.of(grantee)).toBe(stack);
  });
});

describe('per-fleet task and target group settings', () => {
  const SETTINGS = {
    healthCheckPath: '/healthz',
    containerHealthCheck: { command: ['CMD', '/bin/health'], interval: Duration.seconds(10) },
    readonlyRootFilesystem: true,
    user: '1000:1000',
    healthCheckGracePeriod: Duration.seconds(120),
    deregistrationDelay: Duration.seconds(5),
  };
  const fleet = { instanceTypes: [new ec2.InstanceType('t3.medium')] };

  test('the service-level shorthands synthesize exactly what the same fields in fleet do', () => {
    const shorthand = buildService({ ...SETTINGS, fleet }).template.toJSON();
    const shared = buildService({ fleet: { ...fleet, ...SETTINGS } }).template.toJSON();
    expect(shorthand).toEqual(shared);
  });

  test('a color override wins over the shared field, for that color only', () => {
    const { template } = buildService({ fleet: { ...fleet, ...SETTINGS }, blue: { healthCheckPath: '/ready', user: '2000', deregistrationDelay: Duration.seconds(60) } });
    const tg = (color: string) => resourceOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', `Svc${color}TargetGroup`).resource.Properties;
    const container = (color: string) => resourceOf(template, 'AWS::ECS::TaskDefinition', `Svc${color}TaskDefinition`).resource.Properties.ContainerDefinitions[0];
    expect(tg('Blue')).toMatchObject({ HealthCheckPath: '/ready', TargetGroupAttributes: expect.arrayContaining([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]) });
    expect(tg('Green')).toMatchObject({ HealthCheckPath: '/healthz', TargetGroupAttributes: expect.arrayContaining([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]) });
    expect(container('Blue')).toMatchObject({ User: '2000', ReadonlyRootFilesystem: true, HealthCheck: expect.objectContaining({ Command: ['CMD', '/bin/health'] }) });
    expect(container('Green')).toMatchObject({ User: '1000:1000', ReadonlyRootFilesystem: true });
  });

  test('without a container health check, each fleet\'s default requests its own health path', () => {
    const { template } = buildService({ fleet, green: { healthCheckPath: '/ready' } });
    const command = (color: string) => resourceOf(template, 'AWS::ECS::TaskDefinition', `Svc${color}TaskDefinition`).resource.Properties.ContainerDefinitions[0].HealthCheck.Command;
    expect(command('Blue')).toEqual(['CMD-SHELL', 'curl -fsS -o /dev/null http://localhost:8080/ || exit 1']);
    expect(command('Green')).toEqual(['CMD-SHELL', 'curl -fsS -o /dev/null http://localhost:8080/ready || exit 1']);
  });
});

describe('alarm actions and the policy gates', () => {
  test('the live-only ActionsEnabled is acknowledged; no alarm finding stays open', () => {
    // GIVEN an app with the gates, and a service whose alarms have actions
    const app = newApp();
    addPolicyGates(app);
    const stack = new Stack(app, 'SvcStack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new BlueGreenService(stack, 'Svc', {
      vpc, serviceName: 'api', containerPort: 8080, fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')] },
      alarms: { alarmActions: [new cwActions.SnsAction(new sns.Topic(stack, 'Pager'))] },
    });
    // WHEN it synthesizes (the test VPC and others have findings of their own: ignored here)
    expect(() => app.synth()).toThrow();
    // THEN no finding is open on an alarm
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
    };
    const onAlarms = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`))).filter((f) => /Alarm\//.test(f));
    expect(onAlarms).toEqual([]);
  });
});

describe('with a certificate and no ports', () => {
  test('listeners default to 443 and 8443 over HTTPS; an internal load balancer stays closed', () => {
    const { template } = buildService({}, { props: (s) => ({ certificate: acm.Certificate.fromCertificateArn(s, 'Cert', CERT) }) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTPS' });
    const lb = resourceOf(template, 'AWS::EC2::SecurityGroup', 'SvcLoadBalancerSecurityGroup').resource;
    expect(lb.Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('metrics', () => {
  test('are per load balancer and per fleet', () => {
    const { service, stack } = buildService();
    const resolve = (x: unknown) => stack.resolve(x);
    expect(service.metricRequestCount().metricName).toBe('RequestCount');
    expect(service.metricTarget5xxCount(FleetColor.GREEN).metricName).toBe('HTTPCode_Target_5XX_Count');
    expect(resolve(service.metricTargetResponseTime(FleetColor.BLUE).dimensions?.TargetGroup)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SvcBlueTargetGroup/), 'TargetGroupFullName'] });
    expect(service.metricTargetResponseTime(FleetColor.BLUE).statistic).toBe('p99');
    expect(service.connections.defaultPort?.toString()).toBe('80');
  });
});

describe('BlueGreenService validation', () => {
  test.each<[string, Partial<BlueGreenServiceProps>, RegExp]>([
    ['a service name that is not a DNS label', { serviceName: 'My_Api' }, /serviceName "My_Api" must start with a letter/],
    ['the same port for both listeners', { listenerPort: 8080 }, /testListenerPort 8080 must differ from listenerPort \(8080\)/],
    ['a port out of range', { containerPort: 70000 }, /containerPort 70000 must be a port from 1 to 65535/],
    ['an unsupported network mode', { networkMode: ecs.NetworkMode.NONE }, /networkMode "none" must be one of awsvpc, host, bridge/],
    ['a live minimum of 0', { minTasks: 0 }, /minTasks 0 must be a whole number, 1 or more/],
    ['max below min', { minTasks: 3, maxTasks: 2 }, /maxTasks 2 must be a whole number, at least minTasks \(3\)/],
    ['a CPU target of 95', { cpuTargetPercent: 95 }, /cpuTargetPercent 95 must be a whole number from 10 to 90/],
    ['a health path without /', { healthCheckPath: 'health' }, /blue.healthCheckPath "health" must start with \//],
    ['a green health path without /', { green: { healthCheckPath: 'ready' } }, /green.healthCheckPath "ready" must start with \//],
    [
      'a field both as a service-level shorthand and in fleet',
      { user: '1000', fleet: { instanceTypes: [new ec2.InstanceType('t3.small')], user: '2000' } },
      /user is given both on the service and in fleet; give it once, as fleet.user/,
    ],
    ['a prefix with a dash', { parameterPrefix: 'api-' }, /parameterPrefix "api-" must be letters and digits/],
    ['a green cpu below 128', { green: { cpu: 64 } }, /green.cpu 64 must be a whole number of CPU units/],
    ['a blue memory below 128', { blue: { memoryMiB: 100 } }, /blue.memoryMiB 100 must be a whole number, at least 128/],
    ['a bad variable name', { fleet: { instanceTypes: [new ec2.InstanceType('t3.small')], environment: { 'A-B': '1' } } }, /variable name "A-B"/],
    ['an error rate of 0', { alarms: { errorRatePercent: 0 } }, /alarms.errorRatePercent 0 must be above 0/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => buildService(props)).toThrow(message);
  });

  test('rejects a second service with the same parameter prefix in one stack', () => {
    expect(() =>
      buildService({}, {
        after: (stack, vpc) => {
          new BlueGreenService(stack, 'Other', { vpc, serviceName: 'other', containerPort: 80, fleet: { instanceTypes: [new ec2.InstanceType('t3.small')] } });
        },
      }),
    ).toThrow(/parameterPrefix "" is already used by another BlueGreenService in this stack/);
  });
});
