import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, Tags, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/**
 * Tiny cloud assemblies whose construct paths and parameters follow docs/contracts.md
 * (`<stack>/Service/Blue/...`, `LiveColor`, `StandbyMinTasks`, `ProductionListenerArn`), built
 * from L1 resources so they synthesize in milliseconds and do not depend on the real constructs.
 */

export interface FleetOptions {
  readonly instanceType?: string;
  /** Extra statements on the fleet's task role. */
  readonly taskStatements?: readonly iam.PolicyStatement[];
  readonly cpu?: number;
  readonly memoryMiB?: number;
  /** Changes the launch template's user data (a change on this fleet only). */
  readonly userData?: string;
  /** Adds a resource to the fleet (nothing running changes). */
  readonly extra?: boolean;
}

export interface ServiceOptions {
  readonly blue?: FleetOptions;
  readonly green?: FleetOptions;
  readonly minTasks?: number;
  readonly listenerPort?: number;
  readonly testListenerPort?: number;
  readonly liveColorDefault?: string;
  /** Ingress rules on the load balancer's security group: CIDR and port. */
  readonly ingress?: ReadonlyArray<{ cidr: string; port: number }>;
  readonly schedules?: ReadonlyArray<{ cron: string; min: number }>;
  readonly logGroup?: boolean;
}

export interface NetworkOptions {
  readonly natGateways?: number;
  readonly interfaceEndpoints?: number;
  readonly azs?: number;
}

export interface AssemblySpec {
  readonly shared?: { readonly repositoryName?: string };
  /** Environment name to service stack options (stack `bgf-<env>-api`). */
  readonly services?: Readonly<Record<string, ServiceOptions>>;
  readonly networks?: Readonly<Record<string, NetworkOptions>>;
}

const ENV = { account: '123456789012', region: 'ap-northeast-1' };
const VPC = 'vpc-0a1b2c3d';

function tagged(app: App, name: string, environment: string): Stack {
  const stack = new Stack(app, name, { env: ENV, stackName: name });
  Tags.of(stack).add('bluegreen-fleet:environment', environment);
  return stack;
}

function fleet(scope: Construct, color: 'Blue' | 'Green', live: CfnCondition, standby: CfnParameter, opts: FleetOptions, service: ServiceOptions): elbv2.CfnTargetGroup {
  const f = new Construct(scope, color);
  const lt = new ec2.CfnLaunchTemplate(f, 'LaunchTemplate', {
    launchTemplateData: { instanceType: opts.instanceType ?? 'm6i.large', userData: Fn.base64(opts.userData ?? '#!/bin/bash\necho ok') },
  });
  new autoscaling.CfnAutoScalingGroup(f, 'AutoScalingGroup', {
    minSize: '0', maxSize: '8',
    launchTemplate: { launchTemplateId: lt.ref, version: lt.attrLatestVersionNumber },
  });
  const role = new iam.Role(f, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:ap-northeast-1:123456789012:log-group:app'] }));
  for (const s of opts.taskStatements ?? []) role.addToPolicy(s);
  const td = new ecs.CfnTaskDefinition(f, 'TaskDefinition', {
    cpu: String(opts.cpu ?? 1024), memory: String(opts.memoryMiB ?? 2048), networkMode: 'awsvpc',
    taskRoleArn: role.roleArn,
    containerDefinitions: [{ name: 'app', image: 'app', essential: true }],
  });
  const svc = new ecs.CfnService(f, 'Service', {
    taskDefinition: td.ref, cluster: 'cluster',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'] } },
  });
  new appscaling.CfnScalableTarget(f, 'ScalableTarget', {
    minCapacity: Token.asNumber(Fn.conditionIf(live.logicalId, service.minTasks ?? 6, standby.valueAsNumber)),
    maxCapacity: 12,
    resourceId: Fn.join('', ['service/cluster/', svc.attrName]),
    scalableDimension: 'ecs:service:DesiredCount',
    serviceNamespace: 'ecs',
    // As ScheduledCapacity renders them: the whole list on the live fleet, none on the standby.
    scheduledActions: service.schedules
      ? (Fn.conditionIf(live.logicalId, service.schedules.map((s, i) => ({
        ScheduledActionName: `s${i}`,
        Schedule: `cron(${s.cron})`,
        Timezone: 'Asia/Tokyo',
        ScalableTargetAction: { MinCapacity: s.min },
      })), []) as unknown as appscaling.CfnScalableTarget.ScheduledActionProperty[])
      : undefined,
  });
  if (opts.extra) new ssm.CfnParameter(f, 'Extra', { type: 'String', value: 'x' });
  return new elbv2.CfnTargetGroup(f, 'TargetGroup', { port: 8080, protocol: 'HTTP', vpcId: VPC });
}

function serviceStack(app: App, environment: string, opts: ServiceOptions): void {
  const stack = tagged(app, `bgf-${environment}-api`, environment);
  const liveColor = new CfnParameter(stack, 'LiveColor', { type: 'String', allowedValues: ['blue', 'green'], default: opts.liveColorDefault ?? 'blue' });
  const standby = new CfnParameter(stack, 'StandbyMinTasks', { type: 'Number', default: 0 });
  const blueIsLive = new CfnCondition(stack, 'BlueIsLive', { expression: Fn.conditionEquals(liveColor.valueAsString, 'blue') });
  const greenIsLive = new CfnCondition(stack, 'GreenIsLive', { expression: Fn.conditionEquals(liveColor.valueAsString, 'green') });
  const service = new Construct(stack, 'Service');
  const blue = fleet(service, 'Blue', blueIsLive, standby, opts.blue ?? {}, opts);
  const green = fleet(service, 'Green', greenIsLive, standby, opts.green ?? {}, opts);
  const sg = new ec2.CfnSecurityGroup(service, 'LoadBalancerSecurityGroup', {
    groupDescription: 'alb', vpcId: VPC,
    securityGroupIngress: (opts.ingress ?? [{ cidr: '10.0.0.0/16', port: 80 }]).map((r) => ({ ipProtocol: 'tcp', fromPort: r.port, toPort: r.port, cidrIp: r.cidr })),
  });
  const lb = new elbv2.CfnLoadBalancer(service, 'LoadBalancer', { scheme: 'internal', subnets: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'], securityGroups: [sg.attrGroupId] });
  const forward = (first: elbv2.CfnTargetGroup, second: elbv2.CfnTargetGroup) =>
    [{ type: 'forward', targetGroupArn: Token.asString(Fn.conditionIf(blueIsLive.logicalId, first.ref, second.ref)) }];
  const production = new elbv2.CfnListener(service, 'ProductionListener', { loadBalancerArn: lb.ref, port: opts.listenerPort ?? 80, protocol: 'HTTP', defaultActions: forward(blue, green) });
  new elbv2.CfnListener(service, 'TestListener', { loadBalancerArn: lb.ref, port: opts.testListenerPort ?? 8080, protocol: 'HTTP', defaultActions: forward(green, blue) });
  if (opts.logGroup ?? true) new logs.CfnLogGroup(service, 'Logs', { retentionInDays: 30 });
  new CfnOutput(stack, 'ProductionListenerArn', { value: production.ref });
}

function networkStack(app: App, environment: string, opts: NetworkOptions): void {
  const stack = tagged(app, `bgf-${environment}-network`, environment);
  const azs = opts.azs ?? 2;
  const subnets = Array.from({ length: azs }, (_, i) => new ec2.CfnSubnet(stack, `Private${i}`, { vpcId: VPC, cidrBlock: `10.0.${i}.0/24` }));
  for (let i = 0; i < (opts.natGateways ?? 1); i++) {
    const eip = new ec2.CfnEIP(stack, `Eip${i}`, { domain: 'vpc' });
    new ec2.CfnNatGateway(stack, `Nat${i}`, { subnetId: subnets[0].ref, allocationId: eip.attrAllocationId });
  }
  for (let i = 0; i < (opts.interfaceEndpoints ?? 2); i++) {
    new ec2.CfnVPCEndpoint(stack, `Endpoint${i}`, { vpcId: VPC, serviceName: `com.amazonaws.ap-northeast-1.svc${i}`, vpcEndpointType: 'Interface', subnetIds: subnets.map((s) => s.ref) });
  }
  new ec2.CfnVPCEndpoint(stack, 'S3', { vpcId: VPC, serviceName: 'com.amazonaws.ap-northeast-1.s3', vpcEndpointType: 'Gateway' });
}

const created: string[] = [];

/** A temporary folder that `removeTemporaryFolders` deletes. */
export function temporaryFolder(prefix = 'bgf-diff-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Deletes the folders this file made; call from `afterAll`. */
export function removeTemporaryFolders(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Synthesizes the spec into a fresh temporary folder and returns the folder. */
export function synthAssembly(spec: AssemblySpec): string {
  const outdir = temporaryFolder('bgf-diff-fixture-');
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  if (spec.shared) {
    const stack = tagged(app, 'bgf-shared', 'shared');
    new ecr.CfnRepository(stack, 'ApiRepository', { repositoryName: spec.shared.repositoryName ?? 'api' });
  }
  for (const [env, opts] of Object.entries(spec.services ?? {})) serviceStack(app, env, opts);
  for (const [env, opts] of Object.entries(spec.networks ?? {})) networkStack(app, env, opts);
  app.synth();
  return outdir;
}
