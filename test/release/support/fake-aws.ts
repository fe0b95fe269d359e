import { createHash } from 'node:crypto';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../../src/release/runtime/context';
import { FakeTable } from './aws-model/dynamodb';
import { installEcr } from './fake-ecr';

/**
 * ONE stateful in-memory model of the AWS side of a release: service stacks (parameters, status,
 * outputs), the load balancer's listeners and target health, the ECS services, the alarms, ECR
 * images, the release table, Scheduler schedules and Lambda invocations. Every SDK client is
 * mocked (aws-sdk-client-mock) onto it, so the real command code runs against it; faults
 * (throttling, 5xx, errors, unhealthy targets) are injected per operation, and every call is
 * logged in order.
 */

export type Color = 'blue' | 'green';
export const ACCOUNT = '123456789012';
export const REGION = 'ap-northeast-1';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const REPOSITORY = 'bluegreen-fleet/api';

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function imageRef(text: string, repository = REPOSITORY): string {
  return `${REGISTRY}/${repository}@${digestOf(text)}`;
}

export class FakeClock implements Clock {
  constructor(public t = Date.parse('2026-03-02T01:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Call {
  readonly service: string;
  readonly operation: string;
  readonly input: any;
}

export interface Fault {
  readonly operation: string;
  readonly kind: 'throttle' | '5xx' | 'error';
  /** How many calls fail (then the operation works again). */
  times: number;
  readonly error?: Error;
  /** Fail after the call took effect (a lost response): the retry finds the work done. */
  readonly afterEffect?: boolean;
}

export function awsError(name: string, message: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/** The CDK bootstrap execution role every fake stack was deployed with (cdk deploy passes it). */
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;

/** ReleaseSupport's release role of a stack: the one the release CLI names (images, AMIs, LiveColor). */
export function releaseRoleArn(stack: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/parameter-update/${stack}-ReleaseRole-ABC`;
}

/** ReleaseSupport's narrow role of a stack: the one the Lambdas pass. */
export function parameterUpdateRoleArn(stack: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${stack}-ParameterUpdateRole-ABC`;
}

export interface FakeStack {
  name: string;
  status: string;
  capabilities: string[];
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  /** The service role CloudFormation keeps for updates that name none (cdk deploy passed the execution role). */
  roleArn?: string;
  /** DescribeStacks answers *_IN_PROGRESS this many more times after an update. */
  pendingPolls: number;
  /** The next update fails in CloudFormation and rolls back, with this reason. */
  failNextUpdate?: string;
  /** ...and its rollback fails too (UPDATE_ROLLBACK_FAILED). */
  failRollback?: boolean;
  statusReason?: string;
  /** The template's bounds of the live fleet's scalable target (config minTasks, maxTasks = StandbyMinTasks' MaxValue). */
  minTasks: number;
  maxTasks: number;
}

/** A fleet's scalable target: its bounds, and the template properties CloudFormation last applied. */
export interface FakeScalableTarget {
  min: number;
  max: number;
  /** What CloudFormation registered last; an update registers again only when this changes. */
  applied: string;
}

export interface FakeImage {
  repository: string;
  digest: string;
  tags: string[];
  sizeBytes: number;
  scanStatus: string;
  findings: Record<string, number>;
  manifest: string;
}

export class FakeAws {
  readonly clock: FakeClock;
  readonly calls: Call[] = [];
  readonly faults: Fault[] = [];
  /** Stack events, newest first (as DescribeStackEvents answers). */
  readonly events: any[] = [];
  readonly stacks = new Map<string, FakeStack>();
  /** Listener ARN -> target group ARN it forwards to. */
  readonly listeners = new Map<string, string>();
  /** ECS service (`cluster/service`) -> counts; the fake keeps them equal to what the stack asks for. */
  readonly services = new Map<string, { desired: number; running: number; color: Color; stack: string }>();
  /** Target group ARN -> health of every target ('healthy' unless a fault says otherwise). */
  readonly targetHealth = new Map<string, string>();
  readonly alarms = new Map<string, { state: string; alarmAt?: number }>();
  readonly images: FakeImage[] = [];
  readonly tables = new Map<string, FakeTable>();
  readonly schedules = new Map<string, any>();
  readonly invocations: { functionName: string; payload: any }[] = [];
  smokeResult = { pass: true, status: 200, latencyMs: 12 };
  readonly ssm = new Map<string, string>();
  /** Application Auto Scaling resource id (`service/<cluster>/<service>`) -> the fleet's scalable target. */
  readonly scalableTargets = new Map<string, FakeScalableTarget>();
  /** How many tasks the live fleet runs (its minTasks and autoscaling). */
  liveDesired = 2;
  private mocks: AwsStub<any, any, any>[] = [];

  constructor(clock = new FakeClock()) {
    this.clock = clock;
  }

  /** A service stack as the contract describes it, live on `live` with image `liveImage`. */
  addServiceStack(
    name: string,
    options: { live?: Color; liveImage?: string; standbyImage?: string; ami?: string; standbyMinTasks?: number; prefix?: string; minTasks?: number; maxTasks?: number } = {},
  ): FakeStack {
    const p = options.prefix ?? '';
    const live = options.live ?? 'blue';
    const standby: Color = live === 'blue' ? 'green' : 'blue';
    const arn = (kind: string, id: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${kind}/app/${name}/${id}`;
    const tg = (c: Color) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}-${c}/0123456789abcdef`;
    const outputs: Record<string, string> = {
      ProductionListenerArn: arn('listener', 'prod'),
      TestListenerArn: arn('listener', 'test'),
      TestListenerPort: '8443',
      LoadBalancerDnsName: `internal-${name}-123.${REGION}.elb.amazonaws.com`,
      ReleaseTableName: `${name}-ReleaseTable-ABC`,
      SmokeCheckFunctionName: `${name}-SmokeCheck-ABC`,
      AutoRollbackFunctionName: `${name}-AutoRollback-ABC`,
      StandbyCapacityFunctionName: `${name}-StandbyCapacity-ABC`,
      StandbyCapacityFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}-StandbyCapacity-ABC`,
      ReleaseSchedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/bluegreen-fleet/release-scheduler/${name}-SchedulerRole-ABC`,
      ParameterUpdateRoleArn: parameterUpdateRoleArn(name),
      ReleaseRoleArn: releaseRoleArn(name),
      CloudFormationExecutionRoleArn: EXECUTION_ROLE_ARN,
    };
    for (const c of ['blue', 'green'] as Color[]) {
      const C = c === 'blue' ? 'Blue' : 'Green';
      outputs[`${C}TargetGroupArn`] = tg(c);
      outputs[`${C}ClusterName`] = `${name}-${c}`;
      outputs[`${C}ServiceName`] = `${name}-${c}-service`;
      outputs[`${C}AutoScalingGroupName`] = `${name}-${c}-asg`;
      outputs[`${C}AlarmNames`] = `${name}-${c}-errors,${name}-${c}-latency`;
      this.alarms.set(`${name}-${c}-errors`, { state: 'OK' });
      this.alarms.set(`${name}-${c}-latency`, { state: 'OK' });
      this.services.set(`${name}-${c}/${name}-${c}-service`, { desired: 0, running: 0, color: c, stack: name });
    }
    const liveImage = options.liveImage ?? imageRef('v1');
    const ami = options.ami ?? 'ami-0aaaaaaaaaaaaaaa1';
    const stack: FakeStack = {
      name,
      status: 'UPDATE_COMPLETE',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      parameters: {
        [`${p}LiveColor`]: live,
        [`${p}${live === 'blue' ? 'Blue' : 'Green'}Image`]: liveImage,
        [`${p}${standby === 'blue' ? 'Blue' : 'Green'}Image`]: options.standbyImage ?? liveImage,
        [`${p}BlueAmi`]: ami,
        [`${p}GreenAmi`]: ami,
        [`${p}StandbyMinTasks`]: String(options.standbyMinTasks ?? 0),
        // A parameter of someone else that a release must keep (UsePreviousValue).
        OtherSetting: 'keep-me',
      },
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [`${p}${k}`, v])),
      roleArn: EXECUTION_ROLE_ARN,
      pendingPolls: 0,
      minTasks: options.minTasks ?? 1,
      maxTasks: options.maxTasks ?? 12,
    };
    this.stacks.set(name, stack);
    this.tables.set(outputs.ReleaseTableName, new FakeTable());
    this.applyRouting(stack);
    this.syncServices(stack);
    this.applyScalableTargets(stack);
    return stack;
  }

  scalableTarget(stack: string, color: Color): FakeScalableTarget {
    return this.scalableTargets.get(`service/${stack}-${color}/${stack}-${color}-service`)!;
  }

  /** A scheduled action of the live fleet fires: Application Auto Scaling sets its bounds. */
  runScheduledAction(stack: string, bounds: { min: number; max: number }): void {
    const s = this.stacks.get(stack)!;
    const live = s.parameters[`${this.prefixOf(s)}LiveColor`] as Color;
    Object.assign(this.scalableTarget(stack, live), bounds);
  }

  addImage(tagOrName: string, options: Partial<FakeImage> = {}): FakeImage {
    const image: FakeImage = {
      repository: REPOSITORY,
      digest: digestOf(tagOrName),
      tags: [tagOrName],
      sizeBytes: 200 * 1024 * 1024,
      scanStatus: 'COMPLETE',
      findings: { LOW: 3 },
      manifest: JSON.stringify({ schemaVersion: 2, config: { digest: digestOf(`config-${tagOrName}`) } }),
      ...options,
    };
    this.images.push(image);
    return image;
  }

  param(stack: string, key: string): string {
    return this.stacks.get(stack)!.parameters[key];
  }

  table(stack: string): FakeTable {
    return this.tables.get(this.stacks.get(stack)!.outputs.ReleaseTableName ?? [...this.tables.keys()][0])!;
  }

  /** The color the production listener really forwards to. */
  trafficColor(stack: string): Color | undefined {
    const s = this.stacks.get(stack)!;
    const tgArn = this.listeners.get(s.outputs.ProductionListenerArn);
    return tgArn === s.outputs.BlueTargetGroupArn ? 'blue' : tgArn === s.outputs.GreenTargetGroupArn ? 'green' : undefined;
  }

  service(stack: string, color: Color) {
    return this.services.get(`${stack}-${color}/${stack}-${color}-service`)!;
  }

  setTargetHealth(stack: string, color: Color, state: string): void {
    this.targetHealth.set(this.stacks.get(stack)!.outputs[color === 'blue' ? 'BlueTargetGroupArn' : 'GreenTargetGroupArn'], state);
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  /** Mocks every SDK client the release code uses onto this model. Call `restore()` after. */
  install(): this {
    const on = <C>(client: any, service: string, command: new (...args: any[]) => C, handle: (input: any) => any) => {
      let mock: any = this.mocks.find((m) => (m as any).__client === client);
      if (!mock) {
        mock = Object.assign(mockClient(client), { __client: client });
        this.mocks.push(mock);
      }
      mock.on(command).callsFake(async (input: any) => {
        const operation = (command as any).name.replace(/Command$/, '');
        this.calls.push({ service, operation, input });
        const fault = this.faults.find((f) => f.operation === operation && f.times > 0);
        if (!fault) return handle(input);
        fault.times--;
        if (fault.afterEffect) handle(input);
        if (fault.kind === 'throttle') throw awsError('ThrottlingException', 'Rate exceeded', 400);
        if (fault.kind === '5xx') throw awsError('InternalFailure', 'We encountered an internal error', 503);
        throw fault.error ?? awsError('ValidationError', 'injected failure', 400);
      });
    };
    on(CloudFormationClient, 'cloudformation', DescribeStacksCommand, (i) => this.describeStacks(i.StackName));
    on(CloudFormationClient, 'cloudformation', UpdateStackCommand, (i) => this.updateStack(i));
    on(CloudFormationClient, 'cloudformation', DescribeStackEventsCommand, (i) => ({ StackEvents: this.events.filter((e) => e.StackName === i.StackName) }));
    on(CloudFormationClient, 'cloudformation', GetTemplateCommand, (i) => ({ TemplateBody: JSON.stringify(this.templateOf(i.StackName)) }));
    on(ElasticLoadBalancingV2Client, 'elb', DescribeListenersCommand, (i) => ({
      Listeners: i.ListenerArns.map((arn: string) => ({ ListenerArn: arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: this.listeners.get(arn) }] })),
    }));
    on(ElasticLoadBalancingV2Client, 'elb', ModifyListenerCommand, (i) => {
      this.listeners.set(i.ListenerArn, i.DefaultActions[0].TargetGroupArn);
      return { Listeners: [] };
    });
    on(ElasticLoadBalancingV2Client, 'elb', DescribeTargetHealthCommand, (i) => ({ TargetHealthDescriptions: this.targetsOf(i.TargetGroupArn) }));
    on(ECSClient, 'ecs', DescribeServicesCommand, (i) => this.describeServices(i));
    on(CloudWatchClient, 'cloudwatch', DescribeAlarmsCommand, (i) => ({
      MetricAlarms: i.AlarmNames.filter((n: string) => this.alarms.has(n)).map((n: string) => ({ AlarmName: n, StateValue: this.alarmState(n) })),
      CompositeAlarms: [],
    }));
    on(AutoScalingClient, 'autoscaling', DescribeAutoScalingGroupsCommand, (i) => ({
      AutoScalingGroups: i.AutoScalingGroupNames.map((n: string) => ({ AutoScalingGroupName: n, Instances: [{ LifecycleState: 'InService' }, { LifecycleState: 'InService' }] })),
    }));
    installEcr(this, on, awsError);
    this.installTable(on);
    on(SchedulerClient, 'scheduler', GetScheduleCommand, (i) => {
      const s = this.schedules.get(i.Name);
      if (!s) throw awsError('ResourceNotFoundException', `Schedule ${i.Name} does not exist.`, 404);
      return structuredClone(s);
    });
    on(SchedulerClient, 'scheduler', CreateScheduleCommand, (i) => {
      if (this.schedules.has(i.Name)) throw awsError('ConflictException', `Schedule ${i.Name} already exists.`, 409);
      this.schedules.set(i.Name, structuredClone(i));
      return { ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${i.Name}` };
    });
    on(SchedulerClient, 'scheduler', UpdateScheduleCommand, (i) => {
      if (!this.schedules.has(i.Name)) throw awsError('ResourceNotFoundException', `Schedule ${i.Name} does not exist.`, 404);
      this.schedules.set(i.Name, structuredClone(i));
      return {};
    });
    on(ApplicationAutoScalingClient, 'application-autoscaling', DescribeScalableTargetsCommand, (i) => ({
      ScalableTargets: (i.ResourceIds as string[])
        .filter((id) => this.scalableTargets.has(id))
        .map((id) => ({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: this.scalableTargets.get(id)!.min, MaxCapacity: this.scalableTargets.get(id)!.max })),
    }));
    on(ApplicationAutoScalingClient, 'application-autoscaling', RegisterScalableTargetCommand, (i) => {
      const target = this.scalableTargets.get(i.ResourceId);
      // Registering an unknown id would create a target: a release only ever updates one.
      if (!target) throw awsError('ValidationException', `fake: no scalable target ${i.ResourceId}; a release must not create one`, 400);
      if (i.MinCapacity > i.MaxCapacity) throw awsError('ValidationException', 'Minimum capacity cannot be greater than maximum capacity', 400);
      Object.assign(target, { min: i.MinCapacity ?? target.min, max: i.MaxCapacity ?? target.max });
      return { ScalableTargetARN: `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/0123${i.ResourceId.length}` };
    });
    on(LambdaClient, 'lambda', InvokeCommand, (i) => {
      const payload = JSON.parse(new TextDecoder().decode(i.Payload));
      this.invocations.push({ functionName: i.FunctionName, payload });
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ ...this.smokeResult, url: payload.url })) };
    });
    on(SSMClient, 'ssm', GetParameterCommand, (i) => {
      const value = this.ssm.get(i.Name);
      if (value === undefined) throw awsError('ParameterNotFound', `${i.Name} not found`, 400);
      return { Parameter: { Name: i.Name, Value: value } };
    });
    return this;
  }

  restore(): void {
    for (const m of this.mocks) m.restore();
    this.mocks = [];
  }

  private alarmState(name: string): string {
    const a = this.alarms.get(name)!;
    if (a.alarmAt !== undefined && this.clock.now().getTime() >= a.alarmAt) return 'ALARM';
    return a.state;
  }

  private describeStacks(name: string) {
    const s = this.stacks.get(name);
    if (!s) throw awsError('ValidationError', `Stack with id ${name} does not exist`, 400);
    if (s.pendingPolls > 0) s.pendingPolls--;
    else if (s.status.endsWith('_IN_PROGRESS')) s.status = s.status === 'UPDATE_IN_PROGRESS' ? 'UPDATE_COMPLETE' : s.status;
    return {
      Stacks: [
        {
          StackName: s.name,
          StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${s.name}/1`,
          StackStatus: s.status,
          StackStatusReason: s.statusReason,
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          LastUpdatedTime: new Date('2026-03-01T00:00:00Z'),
          Capabilities: [...s.capabilities],
          RoleARN: s.roleArn,
          Parameters: Object.entries(s.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
          Outputs: Object.entries(s.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    };
  }

  /** The parts of the service stack's template the release reads: the parameter declarations. */
  private templateOf(name: string) {
    const s = this.stacks.get(name);
    if (!s) throw awsError('ValidationError', `Stack with id ${name} does not exist`, 400);
    const p = this.prefixOf(s);
    return {
      Parameters: {
        [`${p}LiveColor`]: { Type: 'String', AllowedValues: ['blue', 'green'], Default: 'blue' },
        [`${p}StandbyMinTasks`]: { Type: 'Number', Default: 0, MinValue: 0, MaxValue: s.maxTasks },
      },
    };
  }

  private updateStack(input: any) {
    const s = this.stacks.get(input.StackName);
    if (!s) throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`, 400);
    if (s.status.endsWith('_IN_PROGRESS')) throw awsError('ValidationError', `Stack:${s.name} is in ${s.status} state and can not be updated.`, 400);
    if (!input.UsePreviousTemplate) throw new Error('fake: a release must update with UsePreviousTemplate');
    for (const cap of s.capabilities) {
      if (!(input.Capabilities ?? []).includes(cap)) throw awsError('InsufficientCapabilitiesException', `Requires capabilities : [${cap}]`, 400);
    }
    const next: Record<string, string> = {};
    for (const key of Object.keys(s.parameters)) {
      const p = (input.Parameters ?? []).find((x: any) => x.ParameterKey === key);
      // CloudFormation would reset an unlisted parameter to its default: a release must list all.
      if (!p) throw awsError('ValidationError', `Parameters: [${key}] must have values`, 400);
      next[key] = p.UsePreviousValue ? s.parameters[key] : p.ParameterValue;
    }
    if (JSON.stringify(next) === JSON.stringify(s.parameters)) throw awsError('ValidationError', 'No updates are to be performed.', 400);
    const standbyMin = Number(next[`${this.prefixOf(s)}StandbyMinTasks`]);
    if (standbyMin > s.maxTasks) throw awsError('ValidationError', `Parameter '${this.prefixOf(s)}StandbyMinTasks' must be a number not greater than ${s.maxTasks}`, 400);
    // CloudFormation runs the update as the role named, else the one of the last update, and keeps it.
    const role = input.RoleARN ?? s.roleArn;
    s.roleArn = role;
    const changed = Object.keys(next).filter((k) => next[k] !== s.parameters[k]);
    const narrowOnly = [`${this.prefixOf(s)}LiveColor`, `${this.prefixOf(s)}StandbyMinTasks`];
    if (role === parameterUpdateRoleArn(s.name) && changed.some((k) => !narrowOnly.includes(k))) {
      // The parameter-update role may not register task definitions or create launch template versions.
      s.statusReason = `Resource handler returned message: "User: ${role} is not authorized to perform: ecs:RegisterTaskDefinition"`;
      s.status = 'UPDATE_ROLLBACK_COMPLETE';
      return { StackId: s.name };
    }
    if (s.failNextUpdate) {
      // A failed update rolls back: CloudFormation returns every resource it changed to the previous
      // template's state (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks.html),
      // so a listener moved by API since the last update is pointed where the old LiveColor says.
      s.statusReason = s.failNextUpdate;
      s.failNextUpdate = undefined;
      s.status = s.failRollback ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE';
      if (next[`${this.prefixOf(s)}LiveColor`] !== s.parameters[`${this.prefixOf(s)}LiveColor`]) this.applyRouting(s);
      this.events.unshift({ StackName: s.name, LogicalResourceId: 'ProductionListener', ResourceType: 'AWS::ElasticLoadBalancingV2::Listener', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: s.statusReason });
      return { StackId: s.name };
    }
    s.parameters = next;
    s.status = s.pendingPolls > 0 ? 'UPDATE_IN_PROGRESS' : 'UPDATE_COMPLETE';
    this.applyRouting(s);
    this.syncServices(s);
    this.applyScalableTargets(s);
    return { StackId: s.name };
  }

  private prefixOf(s: FakeStack): string {
    return Object.keys(s.parameters).find((k) => k.endsWith('LiveColor'))!.slice(0, -'LiveColor'.length);
  }

  /**
   * What CloudFormation does with the fleets' scalable targets: MinCapacity is `minTasks` on the
   * live fleet and `StandbyMinTasks` on the standby, the scheduled actions follow the live color.
   * A target whose properties change is registered with the template's bounds, whatever a
   * scheduled action had set; one whose properties hold is left alone.
   */
  private applyScalableTargets(s: FakeStack): void {
    const prefix = this.prefixOf(s);
    const live = s.parameters[`${prefix}LiveColor`];
    for (const color of ['blue', 'green'] as Color[]) {
      const min = color === live ? s.minTasks : Number(s.parameters[`${prefix}StandbyMinTasks`]);
      const applied = JSON.stringify({ min, max: s.maxTasks, scheduled: color === live });
      const id = `service/${s.name}-${color}/${s.name}-${color}-service`;
      const target = this.scalableTargets.get(id);
      if (target?.applied === applied) continue;
      this.scalableTargets.set(id, { min, max: s.maxTasks, applied });
    }
  }

  /** What the template's conditions do with LiveColor: production -> live, test -> standby. */
  private applyRouting(s: FakeStack): void {
    const prefix = Object.keys(s.parameters).find((k) => k.endsWith('LiveColor'))!.slice(0, -'LiveColor'.length);
    const live = s.parameters[`${prefix}LiveColor`] as Color;
    const tg = (c: Color) => s.outputs[`${prefix}${c === 'blue' ? 'Blue' : 'Green'}TargetGroupArn`];
    this.listeners.set(s.outputs[`${prefix}ProductionListenerArn`], tg(live));
    this.listeners.set(s.outputs[`${prefix}TestListenerArn`], tg(live === 'blue' ? 'green' : 'blue'));
  }

  private syncServices(s: FakeStack): void {
    const prefix = Object.keys(s.parameters).find((k) => k.endsWith('LiveColor'))!.slice(0, -'LiveColor'.length);
    const live = s.parameters[`${prefix}LiveColor`];
    for (const svc of this.services.values()) {
      if (svc.stack !== s.name) continue;
      svc.desired = svc.color === live ? this.liveDesired : Number(s.parameters[`${prefix}StandbyMinTasks`]);
      svc.running = svc.desired;
    }
  }

  private targetsOf(tgArn: string) {
    const svc = [...this.services.values()].find((v) => {
      const outputs = this.stacks.get(v.stack)!.outputs;
      return Object.entries(outputs).some(([k, out]) => out === tgArn && k.endsWith(`${v.color === 'blue' ? 'Blue' : 'Green'}TargetGroupArn`));
    });
    const state = this.targetHealth.get(tgArn) ?? 'healthy';
    return Array.from({ length: svc?.running ?? 0 }, (_, i) => ({ Target: { Id: `i-${i}`, Port: 8080 }, TargetHealth: { State: state } }));
  }

  private describeServices(input: any) {
    const services = input.services.map((name: string) => {
      const svc = this.services.get(`${input.cluster}/${name}`);
      return svc && { serviceName: name, status: 'ACTIVE', desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0, deployments: [{ status: 'PRIMARY' }] };
    });
    return { services: services.filter(Boolean), failures: services.some((s: unknown) => !s) ? [{ arn: input.services[0], reason: 'MISSING' }] : [] };
  }

  private installTable(on: (client: any, service: string, command: any, handle: (input: any) => any) => void): void {
    const t = (name: string) => {
      const table = this.tables.get(name);
      if (!table) throw awsError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`, 400);
      return table;
    };
    on(DynamoDBDocumentClient, 'dynamodb', PutCommand, (i) => (t(i.TableName).put(i.Item, i), {}));
    on(DynamoDBDocumentClient, 'dynamodb', GetCommand, (i) => ({ Item: t(i.TableName).get(i.Key) }));
    on(DynamoDBDocumentClient, 'dynamodb', DeleteCommand, (i) => (t(i.TableName).delete(i.Key, i), {}));
    on(DynamoDBDocumentClient, 'dynamodb', UpdateCommand, (i) => (t(i.TableName).update(i.Key, i.UpdateExpression, i), {}));
    on(DynamoDBDocumentClient, 'dynamodb', QueryCommand, (i) => ({ Items: t(i.TableName).query(i.ExpressionAttributeValues[':pk'], i.ScanIndexForward !== false, i.Limit) }));
  }
}
