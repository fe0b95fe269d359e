import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReleaseSupport } from '../../../constructs';
import { ScopedControlTowerValidator } from '../../../lib/policy';
import { newApp } from '../../support/synth';
import { fakeService, releaseStack } from './support';

const fn = (handler: string) => ({ Description: Match.stringLikeRegexp(handler) });

describe('ReleaseSupport with default props', () => {
  let template: Template;
  let release: ReleaseSupport;
  let assemblyDir: string;

  beforeAll(() => {
    const built = releaseStack();
    release = built.release;
    template = Template.fromStack(built.stack);
    assemblyDir = built.app.synth().directory;
  });

  test('the release table: pk/sk, TTL on expiresAt, point-in-time recovery, encrypted, on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('tableEncryptionKey defaults to the AWS-managed key, removalPolicy to RETAIN, deletionProtection to false', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ SSESpecification: { SSEEnabled: true }, DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Retain',
    });
    expect(JSON.stringify(template.findResources('AWS::DynamoDB::Table'))).not.toMatch(/KMSMasterKeyId/);
  });

  test('three Lambdas on the latest Node.js runtime, arm64, bundled with the AWS SDK left out', () => {
    for (const name of ['smoke check', 'moves traffic back', 'warms and cools']) {
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], ...fn(name) });
    }
    const bundles = fs.readdirSync(assemblyDir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assemblyDir, d, 'index.js')));
    expect(bundles).toHaveLength(3);
    for (const dir of bundles) {
      const code = fs.readFileSync(path.join(assemblyDir, dir, 'index.js'), 'utf8');
      // The contract's zod/mini schemas (events and table items are parsed, not cast) add about 14 KB.
      expect(code.length).toBeLessThan(60_000);
      // Minified: no indentation left; the SDK is required from the runtime, not bundled.
      expect(code).not.toMatch(/\n {2}\S/);
      expect(code).not.toMatch(/class CloudFormationClient/);
    }
    const autoRollback = bundles.map((d) => fs.readFileSync(path.join(assemblyDir, d, 'index.js'), 'utf8')).find((c) => c.includes('auto-rollback'))!;
    expect(autoRollback).toMatch(/require\("@aws-sdk\/client-elastic-load-balancing-v2"\)/);
  });

  test('the smoke check runs in the private subnets, and only it reaches the test listener', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...fn('smoke check'),
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }], SecurityGroupIds: Match.anyValue() },
      Environment: { Variables: { ALLOWED_ORIGIN: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Lb'), 'DNSName'] }, ':8443']] }, TLS_SERVER_NAME: Match.absent() } },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 8443, ToPort: 8443, IpProtocol: 'tcp', GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SmokeCheckSecurityGroup'), 'GroupId'] } });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SmokeCheckSecurityGroup'), 'GroupId'] } });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('smoke check'), SecurityGroupEgress: Match.absent() });
    expect(release.connections.securityGroups).toHaveLength(1);
  });

  test('smokeCheckSubnets defaults to the private subnets with egress', () => {
    const smoke = Object.values(template.findResources('AWS::Lambda::Function', { Properties: fn('smoke check') }))[0];
    expect(JSON.stringify(smoke.Properties.VpcConfig.SubnetIds)).not.toMatch(/Public/);
  });

  test('logRetention defaults to a year, logRemovalPolicy to RETAIN, logKey to none', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups)).toHaveLength(3);
    for (const g of Object.values(groups)) {
      expect(g.Properties.RetentionInDays).toBe(365);
      expect(g.Properties.KmsKeyId).toBeUndefined();
      expect(g.DeletionPolicy).toBe('Retain');
    }
  });

  test('each role may write only to its own log group (no managed policy) ', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('AutoRollbackLogs'), 'Arn'] } })]) },
    });
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      if (JSON.stringify(role).includes('lambda.amazonaws.com') && !JSON.stringify(role).includes('VPCAccess')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('an EventBridge rule sends the fleets\' ALARM state changes to the auto-rollback Lambda', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('blueAlarm0'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('greenAlarm0'), 'Arn'] }],
        detail: { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseAutoRollback'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 } })],
    });
    expect(release.alarmRule).toBeDefined();
  });

  test('auto-rollback: ModifyListener on the production listener only; one at a time', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'elasticloadbalancing:ModifyListener', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('LbProduction') } }]) },
      Roles: [{ Ref: Match.stringLikeRegexp('AutoRollbackRole') }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { ...fn('moves traffic back'), ReservedConcurrentExecutions: 1 });
  });

  test('auto-rollback carries the scheduled capacity: ECS desired counts only, and only this stack\'s services may be updated; it has the time to wait for the LiveColor update', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: Match.arrayWith(['application-autoscaling:DescribeScalableTargets']), Effect: 'Allow', Resource: '*' },
          { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: ['arn:aws:ecs:ap-northeast-1:123456789012:service/fleet/api-blue', 'arn:aws:ecs:ap-northeast-1:123456789012:service/fleet/api-green'] },
          {
            Action: 'application-autoscaling:RegisterScalableTarget',
            Effect: 'Allow',
            Resource: 'arn:aws:application-autoscaling:ap-northeast-1:123456789012:scalable-target/*',
            Condition: { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
          },
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('AutoRollbackRole') }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { ...fn('moves traffic back'), Timeout: 600 });
    const standby = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('StandbyCapacityRole')));
    expect(standby).not.toMatch(/RegisterScalableTarget|UpdateService/);
    // warm reads the standby's MaxCapacity (StandbyMinTasks' MaxValue) and nothing of the template.
    expect(standby).toMatch(/"application-autoscaling:DescribeScalableTargets"/);
    expect(standby).not.toMatch(/GetTemplate/);
  });

  const policiesOf = (role: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
  const actionsOf = (statements: Array<{ Action: string | string[] }>) => statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])).sort();

  test('stack updates: this stack only, and the Lambdas may pass only the parameter-update role, only to CloudFormation', () => {
    for (const role of ['AutoRollbackRole', 'StandbyCapacityRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
            {
              Action: 'cloudformation:UpdateStack',
              Effect: 'Allow',
              Resource: { Ref: 'AWS::StackId' },
              // Issue 16 item 4: an update that names no role (or another) is denied.
              Condition: { ArnEquals: { 'cloudformation:RoleArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseParameterUpdateRole'), 'Arn'] } } },
            },
          ]),
        },
        Roles: [{ Ref: Match.stringLikeRegexp(role) }],
      });
      const passes = policiesOf(role).filter((st) => actionsOf([st]).some((a) => a.startsWith('iam:')));
      const toCloudFormation = {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/ReleaseParameterUpdateRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      };
      // The standby-capacity function also schedules its own cool-down retries, as the scheduler role.
      const toScheduler = {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/ReleaseSchedulerRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      };
      expect(passes).toEqual(role === 'StandbyCapacityRole' ? [toCloudFormation, toScheduler] : [toCloudFormation]);
      expect(JSON.stringify(policiesOf(role))).not.toMatch(/cfn-exec-role/);
    }
  });

  test('the Lambdas name the parameter-update role on their updates; the execution role is published for the CLI', () => {
    for (const handler of ['moves traffic back', 'warms and cools']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        ...fn(handler),
        Environment: { Variables: Match.objectLike({ UPDATE_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseParameterUpdateRole'), 'Arn'] } }) },
      });
    }
    template.hasOutput('ParameterUpdateRoleArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseParameterUpdateRole'), 'Arn'] } });
    template.hasOutput('CloudFormationExecutionRoleArn', {
      Value: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-ap-northeast-1' },
    });
  });

  test('ReleaseFleet.taskDefinition defaults to none: no release role, and the CLI names the execution role', () => {
    expect(release.releaseRole).toBeUndefined();
    expect(Object.keys(template.findOutputs('ReleaseRoleArn'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes('ReleaseRole'))).toEqual([]);
  });

  test('the parameter-update role: assumed by CloudFormation, allowed only what a LiveColor/StandbyMinTasks change makes it do', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.includes('ParameterUpdateRole'));
    expect(roles).toHaveLength(1);
    const [id, role] = roles[0];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } }]);
    const statements = policiesOf(id);
    expect(actionsOf(statements)).toEqual(
      [
        'application-autoscaling:DeleteScheduledAction',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScheduledActions',
        'application-autoscaling:PutScheduledAction',
        'application-autoscaling:RegisterScalableTarget',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:PutMetricAlarm',
        'ec2:DescribeImages',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'ecs:DescribeServices',
        'ecs:ListServiceDeployments',
        'ecs:ListTagsForResource',
        'ecs:TagResource',
        'ecs:UntagResource',
        'ecs:UpdateService',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyListenerAttributes',
        'iam:PassRole',
        'ssm:GetParameter',
        'ssm:GetParameters',
      ].sort(),
    );
    // What an image or AMI change needs stays with the execution role.
    for (const denied of ['ecs:RegisterTaskDefinition', 'ec2:CreateLaunchTemplateVersion', 'autoscaling:UpdateAutoScalingGroup', 'iam:CreateRole', 'lambda:UpdateFunctionCode']) {
      expect(actionsOf(statements)).not.toContain(denied);
    }
    expect(JSON.stringify(statements)).not.toMatch(/"(ecs|ec2|iam|elasticloadbalancing|cloudformation):\*"|"\*:\*"/);
    const writes = statements.filter((st) => actionsOf([st]).some((a) => !/:Describe/.test(a)));
    for (const st of writes) {
      if (actionsOf([st]).includes('application-autoscaling:RegisterScalableTarget')) {
        expect(st.Condition).toEqual({ StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } });
      } else {
        expect(JSON.stringify(st.Resource)).not.toBe('"*"');
      }
    }
    const passRole = statements.find((st) => actionsOf([st]).includes('iam:PassRole'))!;
    expect(JSON.stringify(passRole.Resource)).toMatch(/role\/aws-service-role\/ecs.application-autoscaling.amazonaws.com\/AWSServiceRoleForApplicationAutoScaling_ECSService/);
  });

  test('the smoke check (a VPC function with a role of its own) may manage its ENIs, and is created after that policy', () => {
    // Lambda checks the role at CreateFunction: https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    const [roleId, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.includes('SmokeCheckRole'))!;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/:iam::aws:policy\/service-role\/AWSLambdaVPCAccessExecutionRole/);
    const smoke = Object.values(template.findResources('AWS::Lambda::Function', { Properties: fn('smoke check') }))[0];
    expect(smoke.DependsOn).toEqual(expect.arrayContaining([roleId]));
    for (const other of ['AutoRollbackRole', 'StandbyCapacityRole']) {
      const [, r] = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.includes(other))!;
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the Lambdas that call UpdateStack may resolve every SSM-typed parameter of the stack (BootstrapVersion included)', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html
    const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default?: string }>;
    const ssmTyped = Object.values(parameters).filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value<'));
    expect(ssmTyped.map((p) => p.Default)).toEqual(['/cdk-bootstrap/hnb659fds/version']);
    for (const role of ['AutoRollbackRole', 'StandbyCapacityRole', 'ParameterUpdateRole']) {
      const reads = policiesOf(role).filter((st) => actionsOf([st]).includes('ssm:GetParameters'));
      expect(reads).toHaveLength(1);
      expect(JSON.stringify(reads[0].Resource)).toMatch(/:parameter\/cdk-bootstrap\/hnb659fds\/version"/);
    }
  });

  test('table rights: auto-rollback reads and writes items; standby-capacity only reads', () => {
    const policyOf = (role: string) => JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(role)));
    expect(policyOf('AutoRollbackRole')).toMatch(/"dynamodb:GetItem","dynamodb:PutItem","dynamodb:UpdateItem"/);
    expect(policyOf('StandbyCapacityRole')).toMatch(/"Action":"dynamodb:GetItem"/);
    expect(policyOf('StandbyCapacityRole')).not.toMatch(/PutItem|ModifyListener/);
  });

  test('the standby-capacity function may create only retry schedules, and only the auto-rollback function none', () => {
    const creates = (role: string) => policiesOf(role).filter((st) => actionsOf([st]).includes('scheduler:CreateSchedule'));
    expect(creates('StandbyCapacityRole')).toEqual([
      {
        Action: 'scheduler:CreateSchedule',
        Effect: 'Allow',
        Resource: 'arn:aws:scheduler:ap-northeast-1:123456789012:schedule/default/*-retry-*',
      },
    ]);
    expect(creates('AutoRollbackRole')).toEqual([]);
  });

  test('the scheduler role: only EventBridge Scheduler of this account, only the standby-capacity function', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      // The path lets callers pass exactly these roles to Scheduler (constructs/ci/release-permissions.ts).
      Path: '/bluegreen-fleet/release-scheduler/',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseStandbyCapacity'), 'Arn'] } }] },
    });
  });

  test('outputs named by the contract; parameterPrefix defaults to none, environmentName to the stack name', () => {
    for (const name of ['ReleaseTableName', 'SmokeCheckFunctionName', 'AutoRollbackFunctionName', 'StandbyCapacityFunctionName', 'StandbyCapacityFunctionArn', 'ReleaseSchedulerRoleArn']) {
      template.hasOutput(name, {});
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...fn('moves traffic back'),
      Environment: { Variables: Match.objectLike({ STACK_NAME: 'bgf-test-api', PARAMETER_PREFIX: '', ENVIRONMENT_NAME: 'bgf-test-api', SERVICE_NAME: 'api', TABLE_NAME: { Ref: Match.stringLikeRegexp('ReleaseTable') } }) },
    });
  });
});

describe('ReleaseSupport with every prop set', () => {
  let template: Template;
  beforeAll(() => {
    const app = newApp();
    const keys = new Stack(app, 'Keys', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const tableKey = new kms.Key(keys, 'TableKey');
    const logKey = new kms.Key(keys, 'LogKey');
    const { stack } = releaseStack(
      {
        parameterPrefix: 'Api',
        environmentName: 'staging',
        tableEncryptionKey: tableKey,
        removalPolicy: RemovalPolicy.DESTROY,
        deletionProtection: true,
        logRetention: logs.RetentionDays.ONE_MONTH,
        logKey,
        logRemovalPolicy: RemovalPolicy.DESTROY,
        cloudFormationRoleArn: 'arn:aws:iam::123456789012:role/deployer',
        smokeCheckSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['ap-northeast-1a'] },
      },
      app,
    );
    template = Template.fromStack(stack);
  });

  test('outputs and the Lambdas carry the prefix', () => {
    template.hasOutput('ApiReleaseTableName', {});
    template.hasOutput('ApiReleaseSchedulerRoleArn', {});
    template.hasResourceProperties('AWS::Lambda::Function', { ...fn('warms and cools'), Environment: { Variables: Match.objectLike({ PARAMETER_PREFIX: 'Api', ENVIRONMENT_NAME: 'staging' }) } });
  });

  test('table: customer-managed key, DESTROY, deletion protection', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() }, DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Delete',
    });
  });

  test('log groups: retention, key and removal policy as given', () => {
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.RetentionInDays).toBe(30);
      expect(g.Properties.KmsKeyId).toBeDefined();
      expect(g.DeletionPolicy).toBe('Delete');
    }
  });

  test('the given CloudFormation role is published for the CLI, and no Lambda may pass it; the given subnets are used', () => {
    template.hasOutput('ApiCloudFormationExecutionRoleArn', { Value: 'arn:aws:iam::123456789012:role/deployer' });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/role\/deployer/);
    template.hasResourceProperties('AWS::Lambda::Function', { ...fn('smoke check'), VpcConfig: Match.objectLike({ SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }] }) });
  });
});

describe('ReleaseSupport validation and edge cases', () => {
  test('a parameterPrefix that is not letters and digits is refused', () => {
    expect(() => releaseStack({ parameterPrefix: 'api-1' })).toThrow(/parameterPrefix "api-1" must be letters and digits only/);
  });

  test('a test listener port out of range is refused', () => {
    const app = newApp();
    const { service } = releaseStackParts(app);
    expect(() => new ReleaseSupport(new Stack(app, 'Other'), 'Release', { vpc: service.vpc, service: { releaseParts: { ...service.service.releaseParts, testListenerPort: 70000 } } })).toThrow(/testListenerPort 70000 must be a port number/);
  });

  test('reserveConcurrency defaults to one reserved execution per control-plane Lambda; false reserves none (new accounts with a concurrency quota of 10)', () => {
    const reserved = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties.ReservedConcurrentExecutions).filter((r) => r !== undefined);
    expect(reserved(Template.fromStack(releaseStack().stack))).toEqual([1, 1]);
    expect(reserved(Template.fromStack(releaseStack({ reserveConcurrency: false }).stack))).toEqual([]);
  });

  test('fleets without alarms get no rule (nothing to roll back on)', () => {
    const { release, stack } = releaseStack({}, newApp(), 0);
    expect(release.alarmRule).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('ReleaseSupport under the policy gates', () => {
  test('cdk-nag and cfn-guard leave no unacknowledged finding on it', () => {
    const app = newApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ScopedControlTowerValidator());
    const network = new Stack(app, 'Network', { env: { account: '123456789012', region: 'ap-northeast-1' } });
    const logKey = new kms.Key(network, 'LogKey', { enableKeyRotation: true, rotationPeriod: Duration.days(365) });
    const { stack } = releaseStack({ logKey }, app);
    // The stand-in service is not under test: only findings under Release/ count.
    Validations.of(stack).acknowledge(...standInFindings());
    Validations.of(network).acknowledge({ id: 'cdk-validator-cfnguard::kms_create_grant_aws_service_check', reason: 'A key of the test; the Network construct hardens its own.' });
    app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    expect(JSON.stringify(report)).toMatch(/AwsSolutions[\s\S]*cdk-validator-cfnguard/);
    expect(unacknowledged(report).filter((p) => p.includes('/Release/'))).toEqual([]);
  });
});

function releaseStackParts(app: ReturnType<typeof newApp>) {
  const stack = new Stack(app, 'Parts', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  return { service: fakeService(stack) };
}

function standInFindings(): { id: string; reason: string }[] {
  const reason = 'The stand-in BlueGreenService of this test; BlueGreenService has its own tests.';
  return [
    'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
    'cdk-validator-cfnguard::subnet_auto_assign_public_ip_disabled_check',
    'cdk-validator-cfnguard::alb_http_to_https_redirection_check',
    'cdk-validator-cfnguard::alb_http_drop_invalid_header_enabled_check',
    'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
    'cdk-validator-cfnguard::elbv2_logging_enabled_check',
    'AwsSolutions::AwsSolutions-VPC7',
    'AwsSolutions::AwsSolutions-ELB2',
    'AwsSolutions::AwsSolutions-EC23',
  ].map((id) => ({ id, reason }));
}

/** Paths of constructs with a finding nobody acknowledged, from a validation report. */
function unacknowledged(report: unknown): string[] {
  const paths: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.violatingConstructs) && !record.acknowledgedId) {
      for (const c of record.violatingConstructs as { constructPath: string }[]) paths.push(c.constructPath);
    }
    Object.values(record).forEach(visit);
  };
  visit(report);
  return paths;
}
