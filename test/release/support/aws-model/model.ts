import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { ApplicationAutoScaling } from './app-autoscaling';
import { CallLog, currentOrigin, Fault, faultError, Hook } from './calls';
import { CfnEngine } from './cfn-engine';
import { ModelClock, Timeline } from './clock';
import { CloudFormation } from './cloudformation';
import { FakeTable } from './dynamodb';
import { Ecs } from './ecs';
import { Elbv2 } from './elbv2';
import { awsError } from './errors';
import { Lambda } from './lambda';
import { Ecr } from './ecr';
import { Observers } from './observers';
import { Scheduler } from './scheduler';
import { World } from './resources';

export const ACCOUNT = '123456789012';
export const REGION = 'ap-northeast-1';

/** Durations the model gives AWS's work; every one is an assumption, listed in one place. */
export interface ModelTimings {
  /**
   * assumed: how much fake time one API call takes. The SDK waiters the CLI uses poll in real
   * time, so the cloud must move while they poll; 0 freezes it between explicit advances.
   */
  callMs: number;
}

type Serve = (client: any, service: string, command: any, handle: (input: any, getClient: () => any) => any) => void;
/** What the model answers one command with. */
type Served = { service: string; operation: string; handle: Parameters<Serve>[3] };

/**
 * An in-memory AWS account and region that behaves like AWS where the release depends on it:
 * asynchronous CloudFormation updates that roll back and restore, tasks and targets that take
 * time, capacity that only moves into a new range, retried asynchronous Lambdas, schedules that
 * fire. Every SDK v3 client is mocked onto it (aws-sdk-client-mock), so the code under test runs
 * unchanged. See README.md.
 */
export class AwsCore {
  readonly clock: ModelClock;
  readonly timeline: Timeline;
  readonly log = new CallLog();
  readonly timings: ModelTimings = { callMs: 1_000 };
  readonly world: World;
  readonly elb: Elbv2;
  readonly ecs: Ecs;
  readonly aas: ApplicationAutoScaling;
  readonly engine: CfnEngine;
  readonly cloudFormation: CloudFormation;
  readonly lambda: Lambda;
  readonly observers: Observers;
  readonly ecr: Ecr;
  readonly scheduler: Scheduler;
  readonly ssm = new Map<string, string>([['/cdk-bootstrap/hnb659fds/version', '30']]);
  readonly tables = new Map<string, FakeTable>();
  /** Who GetCallerIdentity says the caller is. */
  caller = { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/release/alice`, UserId: 'AROAEXAMPLE:alice' };
  /** Roles AssumeRole lets the caller assume (others: AccessDenied). */
  readonly assumableRoles = new Set<string>();
  private mocks: AwsStub<any, any, any>[] = [];
  /** Extra services (ecr, scheduler) plug their commands in here. */
  readonly installers: ((serve: Serve) => void)[] = [];

  constructor(clock = new ModelClock()) {
    this.clock = clock;
    this.timeline = new Timeline(clock);
    const now = () => this.clock.t;
    this.elb = new Elbv2(now);
    this.ecs = new Ecs(now, this.timeline, this.elb, { provisioningMs: 30_000, pendingMs: 15_000, tickMs: 5_000 });
    this.aas = new ApplicationAutoScaling(this.ecs);
    this.world = { region: REGION, account: ACCOUNT, now, elb: this.elb, ecs: this.ecs, aas: this.aas, listeners: [], counters: new Map() };
    this.engine = new CfnEngine(this.timeline, { stepMs: 1_000, cleanupMs: 5_000, defaultResourceMs: 5_000 });
    this.cloudFormation = new CloudFormation(this.world, this.engine, this.ssm);
    this.lambda = new Lambda(this.timeline, now, REGION, ACCOUNT);
    this.observers = new Observers(this.world, this.lambda);
    this.ecr = new Ecr(now, ACCOUNT, REGION);
    this.scheduler = new Scheduler(this.timeline, now, this.lambda, REGION, ACCOUNT);
    this.world.listeners.push((e) => {
      if (e.type === 'AWS::DynamoDB::Table' && e.change !== 'delete' && !this.tables.has(e.physicalId)) this.tables.set(e.physicalId, new FakeTable());
    });
  }

  get calls() {
    return this.log.calls;
  }

  /** Calls of an operation by the code under test (or by `from`, a function name; undefined: anyone). */
  count(operation: string, from?: string | null): number {
    return this.log.count(operation, from === null ? undefined : (from ?? 'client'));
  }

  inject(fault: Fault): void {
    this.log.faults.push(fault);
  }

  /**
   * Runs `run` before the model answers the nth call of `operation` (counted from now): the way to
   * make an in-cloud handler, a schedule or another operator act at an exact await point of the
   * code under test.
   */
  before(operation: string, nth: number, run: (input: any) => void | Promise<void>, options: { origin?: Hook['origin'] } = {}): void {
    this.log.hooks.push({ operation, nth, run, origin: options.origin, seen: 0, done: false });
  }

  /** Lets the cloud work for `ms` of fake time (running everything due on the way). */
  runFor(ms: number): Promise<Date> {
    return this.timeline.runFor(ms);
  }

  /** Mocks every SDK client the release code and the handlers use onto this model. Call `restore()` after. */
  install(): this {
    // One sinon stub per client class, answering by the command's class: aws-sdk-client-mock's
    // `on(Command)` would add a sinon behaviour per command, and sinon then deep-compares every
    // call's arguments with each of them (a tenth of the release tests' time). A command the
    // model does not serve is an error naming it, not the `undefined` an unconfigured
    // aws-sdk-client-mock stub answers.
    const tables = new Map<any, Map<unknown, Served>>();
    const serve: Serve = (client, service, command, handle) => {
      let table = tables.get(client);
      if (!table) tables.set(client, (table = new Map()));
      table.set(command, { service, operation: (command as { name: string }).name.replace(/Command$/, ''), handle });
    };
    const cfn = this.cloudFormation;
    serve(CloudFormationClient, 'cloudformation', DescribeStacksCommand, (i) => cfn.describeStacks(i));
    serve(CloudFormationClient, 'cloudformation', UpdateStackCommand, (i) => cfn.updateStack(i));
    serve(CloudFormationClient, 'cloudformation', GetTemplateCommand, (i) => cfn.getTemplate(i));
    serve(CloudFormationClient, 'cloudformation', DescribeStackEventsCommand, (i) => cfn.describeStackEvents(i));
    serve(CloudFormationClient, 'cloudformation', DescribeStackResourcesCommand, (i) => cfn.describeStackResources(i));
    serve(CloudFormationClient, 'cloudformation', ContinueUpdateRollbackCommand, (i) => cfn.continueUpdateRollback(i));
    serve(CloudFormationClient, 'cloudformation', CancelUpdateStackCommand, (i) => cfn.cancelUpdateStack(i));
    serve(ElasticLoadBalancingV2Client, 'elasticloadbalancing', DescribeListenersCommand, (i) => this.elb.describeListeners(i));
    serve(ElasticLoadBalancingV2Client, 'elasticloadbalancing', ModifyListenerCommand, (i) => this.elb.modifyListener(i));
    serve(ElasticLoadBalancingV2Client, 'elasticloadbalancing', DescribeTargetHealthCommand, (i) => this.elb.describeTargetHealth(i));
    serve(ECSClient, 'ecs', DescribeServicesCommand, (i) => this.ecs.describeServices(i));
    serve(ECSClient, 'ecs', ListTasksCommand, (i) => this.ecs.listTasks(i));
    serve(ApplicationAutoScalingClient, 'application-autoscaling', DescribeScalableTargetsCommand, (i) => this.aas.describeScalableTargets(i));
    serve(ApplicationAutoScalingClient, 'application-autoscaling', DescribeScheduledActionsCommand, (i) => this.aas.describeScheduledActions(i));
    serve(ApplicationAutoScalingClient, 'application-autoscaling', RegisterScalableTargetCommand, (i) => {
      const t = this.aas.register(i);
      return { ScalableTargetARN: `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/${t.resourceId.length}${t.resourceId.split('/').pop()}` };
    });
    serve(CloudWatchClient, 'cloudwatch', DescribeAlarmsCommand, (i) => this.observers.describeAlarms(i));
    serve(AutoScalingClient, 'autoscaling', DescribeAutoScalingGroupsCommand, (i) => this.observers.describeAutoScalingGroups(i));
    serve(LambdaClient, 'lambda', InvokeCommand, (i) => this.lambda.invoke(i));
    serve(SSMClient, 'ssm', GetParameterCommand, (i) => {
      const value = this.ssm.get(i.Name);
      if (value === undefined) throw awsError('ParameterNotFound', '', 400);
      return { Parameter: { Name: i.Name, Type: 'String', Value: value } };
    });
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    serve(STSClient, 'sts', GetCallerIdentityCommand, () => ({ ...this.caller }));
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    serve(STSClient, 'sts', AssumeRoleCommand, (i) => {
      if (!this.assumableRoles.has(i.RoleArn)) throw awsError('AccessDenied', `User: ${this.caller.Arn} is not authorized to perform: sts:AssumeRole on resource: ${i.RoleArn}`, 403);
      const account = i.RoleArn.split(':')[4];
      return {
        Credentials: { AccessKeyId: 'ASIAMODEL', SecretAccessKey: 'model', SessionToken: 'model', Expiration: new Date(this.clock.t + (i.DurationSeconds ?? 3600) * 1000) },
        AssumedRoleUser: { Arn: `arn:aws:sts::${account}:assumed-role/${i.RoleArn.split('/').pop()}/${i.RoleSessionName}`, AssumedRoleId: `AROAMODEL:${i.RoleSessionName}` },
      };
    });
    this.installTables(serve);
    this.ecr.install(serve);
    this.scheduler.install(serve);
    for (const install of this.installers) install(serve);
    for (const [client, table] of tables) {
      const mock = mockClient(client);
      this.mocks.push(mock);
      const answer = (entry: Served, input: any, getClient: () => any) => this.answer(entry, input, getClient);
      mock.send.callsFake(async function (this: unknown, command: { input: unknown; constructor: unknown }): Promise<any> {
        const entry = table.get(command.constructor) ?? [...table].find(([c]) => command instanceof (c as new () => unknown))?.[1];
        if (!entry) {
          // An answer of `undefined` would be kinder than AWS (which answers every operation):
          // code reading a field of it would see "nothing there" instead of the model's gap.
          throw new Error(`the AWS model does not serve ${(command.constructor as { name?: string }).name ?? 'this command'}: model it in test/release/support/aws-model (with its AWS source) before a test relies on it`);
        }
        return answer(entry, command.input, () => this);
      });
    }
    return this;
  }

  /** One API call to the model: the clock moves, the call is logged, hooks and faults apply. */
  private async answer(entry: Served, input: any, getClient: () => any): Promise<unknown> {
    const { service, operation, handle } = entry;
    const origin = currentOrigin();
    this.clock.advance(this.timings.callMs);
    this.log.calls.push({ service, operation, input: structuredClone(input), origin, at: this.clock.now() });
    await this.log.runHooks(operation, input, origin);
    await this.timeline.settle();
    const fault = this.log.takeFault(operation, input, origin);
    if (!fault) return handle(input, getClient);
    if (fault.afterEffect) await handle(input, getClient);
    throw faultError(fault, service);
  }

  restore(): void {
    for (const m of this.mocks) m.restore();
    this.mocks = [];
  }

  table(name: string): FakeTable {
    const t = this.tables.get(name);
    if (!t) throw awsError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`, 400);
    return t;
  }

  private installTables(serve: Serve): void {
    const t = (name: string) => this.table(name);
    // The document client marshals every input on the way out with its own marshallOptions, and
    // the real marshall throws on an `undefined` attribute unless removeUndefinedValues is set
    // (lib-dynamodb's marshalling middleware; @aws-sdk/util-dynamodb marshall, "Pass
    // options.removeUndefinedValues=true to remove undefined values"). The model runs that same
    // marshall and unmarshall on what the code sends, so a client built without the option fails
    // here as it fails against DynamoDB:
    // https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-lib-dynamodb/
    const wire = (i: any, getClient: () => any): any => {
      const options = getClient().config?.translateConfig?.marshallOptions ?? {};
      const out = { ...i };
      for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
        if (out[field] !== undefined) out[field] = unmarshall(marshall(out[field], options));
      }
      return out;
    };
    serve(DynamoDBDocumentClient, 'dynamodb', PutCommand, (i, c) => ((i = wire(i, c)), t(i.TableName).put(i.Item, i), {}));
    serve(DynamoDBDocumentClient, 'dynamodb', GetCommand, (i, c) => ((i = wire(i, c)), { Item: t(i.TableName).get(i.Key) }));
    serve(DynamoDBDocumentClient, 'dynamodb', DeleteCommand, (i, c) => ((i = wire(i, c)), t(i.TableName).delete(i.Key, i), {}));
    serve(DynamoDBDocumentClient, 'dynamodb', UpdateCommand, (i, c) => ((i = wire(i, c)), t(i.TableName).update(i.Key, i.UpdateExpression, i), {}));
    serve(DynamoDBDocumentClient, 'dynamodb', QueryCommand, (i, c) => {
      i = wire(i, c);
      return { Items: t(i.TableName).query(i.ExpressionAttributeValues[':pk'], i.ScanIndexForward !== false, i.Limit) };
    });
  }
}
