import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { stackNames } from '../../lib/app';
import { ENVIRONMENTS, EnvironmentConfig, ServiceConfig } from '../../lib/config';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { ServiceStack } from '../../lib/stacks/service-stack';
import { GatedApp, gatedApp } from '../support/gated-app';
import { buildTestApp, newApp } from '../support/synth';

interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
}

describe('the production environment', () => {
  // The production stacks of the whole app, gates on, synthesized once per version of the app (test/support/gated-app.ts).
  const names = ENVIRONMENTS.production.services.map((s) => s.name);
  let app: GatedApp;
  let templates: Record<string, Template>;
  beforeAll(() => {
    app = gatedApp();
    templates = Object.fromEntries(names.map((n) => [n, app.stack(stackNames.service('production', n)).template]));
  });

  test('has one stack per configured service, named bgf-production-<service>', () => {
    expect(app.stacks.map((s) => s.stackName).filter((n) => /^bgf-production-/.test(n) && n !== stackNames.network('production'))).toEqual(['bgf-production-web', 'bgf-production-api']);
  });

  test('passes cdk-nag and cfn-guard with no unacknowledged finding', () => {
    const open = app.report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName} ${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath).join(',')}`));
    expect(open).toEqual([]);
  });

  test.each(['web', 'api'])('%s: two clusters, two groups with capacity providers, one internal ALB, two listeners, two target groups, the parameters', (name) => {
    const t = templates[name];
    t.resourceCountIs('AWS::ECS::Cluster', 2);
    t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    t.resourceCountIs('AWS::ECS::CapacityProvider', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.hasParameter('LiveColor', { AllowedValues: ['blue', 'green'] });
    for (const p of ['BlueImage', 'GreenImage', 'BlueAmi', 'GreenAmi', 'StandbyMinTasks']) t.hasParameter(p, {});
  });

  test.each(['web', 'api'])('%s: IMDSv2 and encrypted roots, no desired capacity, a desired count only for a cold standby, circuit breakers on', (name) => {
    const t = templates[name];
    t.resourcePropertiesCountIs('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ MetadataOptions: Match.objectLike({ HttpTokens: 'required' }), BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })] }) }, 2);
    for (const asg of Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'))) expect(asg.Properties.DesiredCapacity).toBeUndefined();
    for (const svc of Object.values(t.findResources('AWS::ECS::Service'))) {
      expect(JSON.stringify(svc.Properties.DesiredCount)).toMatch(/^\{"Fn::If":\["(Blue|Green)IsLive",\{"Ref":"AWS::NoValue"\},\{"Fn::If":\["StandbyIsCold",0,\{"Ref":"AWS::NoValue"\}\]\}\]\}$/);
      expect(svc.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    }
  });

  test('production protects: deletion protection, termination protection, retained logs on the log key', () => {
    for (const name of names) {
      const t = templates[name];
      expect(app.stack(stackNames.service('production', name)).terminationProtection).toBe(true);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]) });
      t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 90, KmsKeyId: Match.anyValue() } });
      t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
    }
  });

  test('outside production the release table goes with its stack', () => {
    const { built } = buildTestApp({ env: 'dev' });
    const t = Template.fromStack(built.environments[0].services[0]);
    t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('web may call api through its internal name over HTTPS (production requires TLS), and nothing else may call either', () => {
    // The release smoke check (ReleaseSupport) may reach each load balancer's test listener only.
    const isSmokeCheck = (p: any) => /^release smoke check of /.test(p.Description) && p.FromPort === 8443 && p.ToPort === 8443;
    const ingress = (t: Template) => Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties).filter((p) => !isSmokeCheck(p));
    const api = templates.api;
    const apiLb = Object.keys(api.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith('ServiceLoadBalancerSecurityGroup'))!;
    const toApiLb = ingress(api).filter((p) => p.GroupId['Fn::GetAtt']?.[0] === apiLb);
    expect(toApiLb).toHaveLength(1);
    expect(toApiLb[0]).toMatchObject({ FromPort: 443, ToPort: 443, Description: 'web calls api' });
    for (const port of [443, 8443]) api.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(JSON.stringify(toApiLb[0].SourceSecurityGroupId)).toMatch(/bgf-production-web.*ServiceTaskSecurityGroup/);
    const web = templates.web;
    const webLb = Object.keys(web.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith('ServiceLoadBalancerSecurityGroup'))!;
    expect(ingress(web).filter((p) => p.GroupId['Fn::GetAtt']?.[0] === webLb)).toEqual([]);
    api.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.production.internal.', Type: 'A' });
    api.hasOutput('ServiceDnsName', { Value: 'api.production.internal' });
    app.stack(stackNames.network('production')).template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'production.internal.', VPCs: [Match.objectLike({})] });
  });

  test('each service stack stays far below the CloudFormation limits (500 resources, 1 MB)', () => {
    for (const name of names) {
      const count = Object.keys(templates[name].toJSON().Resources).length;
      const bytes = fs.statSync(path.join(app.directory, app.stack(stackNames.service('production', name)).templateFile)).size;
      expect(count).toBeLessThan(100);
      expect(bytes).toBeLessThan(200 * 1024);
    }
  });
});

describe('the policy gates on the roles application teams extend', () => {
  test('a Resource * grant added to a task role or an execution role fails synth (cdk-nag IAM5)', () => {
    // GIVEN the dev environment, which passes the gates as it is (app.test.ts)
    const { app, built } = buildTestApp({ env: 'dev' });
    const api = built.environments[0].services.find((s) => s.config.name === 'api')!.service;
    // WHEN an application adds unscoped statements
    api.green.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    api.blue.taskDefinition.addToExecutionRolePolicy(new iam.PolicyStatement({ actions: ['ssm:DescribeParameters'], resources: ['*'] }));
    // THEN the acknowledgments of ECS Exec and the registry login do not cover them
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Violation[] }> };
    const open = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${p.pluginName} ${v.ruleName} ${c.constructPath}`)));
    expect(open.sort()).toEqual([
      'AwsSolutions AwsSolutions-IAM5[Resource::*] bgf-dev-api/Service/Blue/TaskDefinition/ExecutionRole/DefaultPolicy/Resource',
      'AwsSolutions AwsSolutions-IAM5[Resource::*] bgf-dev-api/Service/Green/TaskDefinition/TaskRole/DefaultPolicy/Resource',
    ]);
  });
});

describe('a service config with secrets, an override and host networking', () => {
  let template: Template;
  beforeAll(() => {
    const base = ENVIRONMENTS.dev;
    const api = base.services.find((s) => s.name === 'api')!;
    const service: ServiceConfig = {
      ...api,
      networkMode: 'host',
      fleet: { ...api.fleet, secrets: { DB_PASSWORD: 'api/db-password', API_KEY: 'ssm:/api/key', DB_AGAIN: 'api/db-password' } },
      overrides: { green: { cpu: 1024, instanceTypes: ['m6i.large', 'm5.large'] } },
    };
    const env: EnvironmentConfig = { ...base, services: [service] };
    const app = newApp();
    const network = new NetworkStack(app, 'Net', { env: { account: env.account, region: env.region }, config: env });
    const stack = new ServiceStack(app, 'Api', { env: { account: env.account, region: env.region }, environment: env, service, network: network.network, hostedZone: network.hostedZone });
    template = Template.fromStack(stack);
  });

  test('secrets are injected by reference: Secrets Manager by name, SSM by parameter', () => {
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const secrets = td.Properties.ContainerDefinitions[0].Secrets as Array<{ Name: string; ValueFrom: unknown }>;
    expect(secrets.map((s) => s.Name).sort()).toEqual(['API_KEY', 'DB_AGAIN', 'DB_PASSWORD']);
    const text = JSON.stringify(secrets);
    expect(text).toContain(':secret:api/db-password');
    expect(text).toContain(':parameter/api/key');
  });

  test('the override reaches green only; host networking registers instances', () => {
    const tds = template.findResources('AWS::ECS::TaskDefinition');
    const cpu = (prefix: string) => Object.entries(tds).find(([id]) => id.startsWith(prefix))![1].Properties.ContainerDefinitions[0].Cpu;
    expect(cpu('ServiceBlue')).toBe(512);
    expect(cpu('ServiceGreen')).toBe(1024);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance' }, 2);
    template.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { NetworkMode: 'host' }, 2);
  });
});
