import { createHash } from 'node:crypto';
import type { ModelStack } from './cfn-stack';
import { Image, MEDIA } from './ecr';
import type { Handler } from './lambda';
import { ACCOUNT, AwsCore, REGION } from './model';
import { prefixed, serviceTemplate } from './service-template';
import type { Template } from './template';

export type Color = 'blue' | 'green';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const REPOSITORY = 'bluegreen-fleet/api';
/** What cdk deploy passes as the stacks' execution role (the bootstrap's). */
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function imageRef(text: string, repository = REPOSITORY): string {
  return `${REGISTRY}/${repository}@${digestOf(text)}`;
}

export interface ServiceStackOptions {
  live?: Color;
  liveImage?: string;
  standbyImage?: string;
  ami?: string;
  standbyMinTasks?: number;
  /** Parameters and outputs named `<prefix>LiveColor` etc. */
  prefix?: string;
  /** Overrides of the service config the template is synthesized from. */
  minTasks?: number;
  maxTasks?: number;
  /** Another template than the app's `bgf-<env>-<service>`. */
  template?: Template;
  /** Extra parameter values (e.g. of a hand-written template). */
  parameters?: Record<string, string>;
  /**
   * Tasks the live fleet runs (within its scalable target's range). Default 2.
   * The standby runs StandbyMinTasks. On creation ECS starts a service without DesiredCount at 1
   * and the scalable target's range (0..max for a cold standby) keeps it there; the world assumes
   * target tracking has since scaled the idle standby in to its minimum (the model has no load).
   */
  liveTasks?: number;
}

const C = (c: Color) => (c === 'blue' ? 'Blue' : 'Green');

/**
 * The model with the vocabulary of this project's service stacks: a stack deployed from the real
 * template, its fleets, listeners and scalable targets by color. The API followed the old
 * instant FakeAws where it could, so the tests ported onto it kept their shape.
 */
export class AwsModel extends AwsCore {
  readonly stacks = new Map<string, ModelStack>();
  /** What the SmokeCheck function answers (its real handler calls the test listener over HTTP). */
  smokeResult = { pass: true, status: 200, latencyMs: 12 };

  /** Every Lambda invocation (each retry of an asynchronous one is another entry). */
  get invocations() {
    return this.lambda.invocations;
  }

  /** Scheduler schedules of the default group by name. */
  get schedules(): Map<string, any> {
    return new Map([...this.scheduler.schedules.values()].filter((s) => s.GroupName === 'default').map((s) => [s.Name, s]));
  }

  get images(): Image[] {
    return this.ecr.images;
  }

  /**
   * Pushes an image `name` (digest `digestOf(name)`, tag `name`), scanned on push an hour ago
   * unless `scanStatus` says otherwise ('IN_PROGRESS': the scan finishes in a minute; 'NONE').
   */
  addImage(name: string, options: { registryId?: string; repository?: string; tags?: string[]; mediaType?: string; manifest?: string; sizeBytes?: number; findings?: Record<string, number>; scanStatus?: 'COMPLETE' | 'IN_PROGRESS' | 'NONE' } = {}): Image {
    const mediaType = options.mediaType ?? MEDIA.ociManifest;
    return this.ecr.push({
      registryId: options.registryId,
      repository: options.repository ?? REPOSITORY,
      digest: digestOf(name),
      tags: options.tags ?? [name],
      mediaType,
      manifest: options.manifest ?? JSON.stringify({ schemaVersion: 2, mediaType, config: { digest: digestOf(`config-${name}`) } }),
      sizeBytes: options.sizeBytes,
      findings: options.findings,
      scanned: options.scanStatus !== 'NONE',
      scanAgeMs: options.scanStatus === 'IN_PROGRESS' ? 0 : undefined,
    });
  }

  /** The handler code of one of a stack's functions (its `<name>FunctionName` output). */
  handle(stack: string, fn: 'AutoRollback' | 'StandbyCapacity' | 'SmokeCheck', handler: Handler): void {
    this.lambda.get(this.outputs(stack)[`${fn}FunctionName`]).handler = handler;
  }

  /** A service stack deployed a while ago, live on `live` with `liveImage`, standby cold. */
  addServiceStack(name: string, options: ServiceStackOptions = {}): ModelStack {
    const m = /^bgf-([a-z0-9]+)-([a-z0-9-]+)$/.exec(name);
    const base = options.template ?? (m ? serviceTemplate({ env: ['dev', 'staging', 'production', 'load'].includes(m[1]) ? m[1] : 'dev', service: m[2], minTasks: options.minTasks, maxTasks: options.maxTasks }) : undefined);
    if (!base) throw new Error(`model: ${name} is not bgf-<env>-<service>; pass options.template`);
    const p = options.prefix ?? '';
    const template = prefixed(base, p);
    const live = options.live ?? 'blue';
    const standby: Color = live === 'blue' ? 'green' : 'blue';
    const liveImage = options.liveImage ?? imageRef('v1');
    const ami = options.ami ?? 'ami-0aaaaaaaaaaaaaaa1';
    const declared = template.Parameters ?? {};
    const values: Record<string, string> = {};
    const set = (k: string, v: string) => {
      if (`${p}${k}` in declared) values[`${p}${k}`] = v;
    };
    set('LiveColor', live);
    set(`${C(live)}Image`, liveImage);
    set(`${C(standby)}Image`, options.standbyImage ?? liveImage);
    set('BlueAmi', ami);
    set('GreenAmi', ami);
    set('StandbyMinTasks', String(options.standbyMinTasks ?? 0));
    Object.assign(values, options.parameters);
    const stack = this.cloudFormation.createSettled(name, template, values, { roleArn: EXECUTION_ROLE_ARN });
    this.stacks.set(name, stack);
    const smoke = stack.outputs()[`${p}SmokeCheckFunctionName`];
    if (smoke) this.lambda.get(smoke).handler = async (event) => ({ ...this.smokeResult, url: event.url });
    this.settleTasks(name, live, options.liveTasks ?? 2);
    this.settleTasks(name, standby, options.standbyMinTasks ?? 0);
    // The Lambdas' narrow role may change LiveColor and StandbyMinTasks only: anything that
    // registers a task definition, versions a launch template or rewrites a policy is denied.
    const narrow = stack.outputs()[`${p}ParameterUpdateRoleArn`];
    if (narrow) {
      this.engine.denials.push({ roleArn: narrow, types: ['AWS::ECS::TaskDefinition'], action: 'ecs:RegisterTaskDefinition' });
      this.engine.denials.push({ roleArn: narrow, types: ['AWS::EC2::LaunchTemplate'], action: 'ec2:CreateLaunchTemplateVersion' });
      this.engine.denials.push({ roleArn: narrow, types: ['AWS::IAM::Policy'], action: 'iam:PutRolePolicy' });
    }
    // The release CLI's role may also replace task definitions and version launch templates, but
    // touches no IAM (constructs/release/parameter-update-role.ts createReleaseRole).
    const release = stack.outputs()[`${p}ReleaseRoleArn`];
    if (release) this.engine.denials.push({ roleArn: release, types: ['AWS::IAM::Policy'], action: 'iam:PutRolePolicy' });
    return stack;
  }

  /** Sets a fleet's count as if it had run there for an hour (tasks running, targets healthy). */
  private settleTasks(stack: string, color: Color, n: number): void {
    const svc = this.service(stack, color).model;
    const t = this.scalableTarget(stack, color);
    const count = Math.min(t.max, Math.max(t.min, n));
    const saved = this.clock.t;
    this.clock.t -= 3_600_000;
    this.ecs.setDesired(svc, count);
    this.ecs.reconcileNow(svc);
    this.clock.t = saved;
  }

  stack(name: string): ModelStack {
    return this.cloudFormation.stack(name);
  }

  prefixOf(stack: string): string {
    return Object.keys(this.stack(stack).parameters).find((k) => k.endsWith('LiveColor'))!.slice(0, -'LiveColor'.length);
  }

  /** The stack's outputs by unprefixed name. */
  outputs(stack: string): Record<string, string> {
    const p = this.prefixOf(stack);
    return Object.fromEntries(Object.entries(this.stack(stack).outputs()).map(([k, v]) => [k.startsWith(p) ? k.slice(p.length) : k, v]));
  }

  param(stack: string, key: string): string {
    return this.stack(stack).parameters[key];
  }

  status(stack: string): string {
    return this.stack(stack).status;
  }

  /** The release table of a stack (its ReleaseTableName output), or a table by name. */
  override table(stackOrTable: string): ReturnType<AwsCore['table']> {
    const s = this.cloudFormation.stacks.get(stackOrTable);
    return super.table(s ? this.outputs(stackOrTable).ReleaseTableName : stackOrTable);
  }

  /** The color the production listener really forwards to. */
  trafficColor(stack: string, listener: 'Production' | 'Test' = 'Production'): Color | undefined {
    const o = this.outputs(stack);
    const tg = this.elb.forwardsTo(o[`${listener}ListenerArn`]);
    return tg === o.BlueTargetGroupArn ? 'blue' : tg === o.GreenTargetGroupArn ? 'green' : undefined;
  }

  /** The ECS service of a fleet, with its counts as DescribeServices reports them now. */
  service(stack: string, color: Color) {
    const o = this.outputs(stack);
    const svc = this.ecs.service(o[`${C(color)}ClusterName`], o[`${C(color)}ServiceName`]);
    if (!svc) throw new Error(`model: ${stack} has no ${color} service`);
    const c = this.ecs.counts(svc);
    return { model: svc, desired: svc.desiredCount, running: c.running, pending: c.pending, deployments: svc.deployments.length };
  }

  targetGroupArn(stack: string, color: Color): string {
    return this.outputs(stack)[`${C(color)}TargetGroupArn`];
  }

  /** From now on the fleet's health checks pass or fail (targets still go through `initial`). */
  setTargetHealth(stack: string, color: Color, state: 'healthy' | 'unhealthy'): void {
    this.elb.targetGroups.get(this.targetGroupArn(stack, color))!.checks = state === 'healthy' ? 'pass' : 'fail';
  }

  resourceId(stack: string, color: Color): string {
    const o = this.outputs(stack);
    return `service/${o[`${C(color)}ClusterName`]}/${o[`${C(color)}ServiceName`]}`;
  }

  scalableTarget(stack: string, color: Color) {
    return this.aas.target(this.resourceId(stack, color))!;
  }

  /** A scheduled action of the live fleet runs with these bounds. */
  runScheduledAction(stack: string, bounds: { min?: number; max?: number }): void {
    const live = this.param(stack, `${this.prefixOf(stack)}LiveColor`) as Color;
    this.aas.runScheduledAction(this.scalableTarget(stack, live), bounds);
  }

  /** Target tracking (or an operator) sets the fleet's count, within its scalable target's range. */
  scaleTo(stack: string, color: Color, n: number): void {
    this.aas.scaleTo(this.scalableTarget(stack, color), n);
  }

  alarmNames(stack: string, color: Color): string[] {
    return this.outputs(stack)[`${C(color)}AlarmNames`].split(',');
  }

  /**
   * The update (phase 'update') or the rollback's restore (phase 'rollback') of matching resources
   * fails with `reason` (the root cause the stack events show), `times` times.
   */
  failResource(stack: string, match: string | ((logicalId: string, type: string) => boolean), reason: string, options: { phase?: 'update' | 'rollback'; times?: number } = {}): void {
    const matches = typeof match === 'string' ? (id: string, type: string) => id === match || type === match || id.startsWith(match) : match;
    this.engine.failures.push({ stack, matches, reason, phase: options.phase ?? 'update', times: options.times ?? 1 });
  }

  /** The first resource the next update changes fails with `reason`. */
  failNextUpdate(stack: string, reason: string): void {
    this.failResource(stack, () => true, reason);
  }

  /**
   * Someone else updates the stack (cdk deploy, a warm/cool schedule): an UpdateStack that is not
   * the code under test's call, so it is not in `calls`.
   */
  updateOutOfBand(stack: string, parameters: Record<string, string>, options: { template?: Template; roleArn?: string } = {}): void {
    const s = this.stack(stack);
    this.cloudFormation.updateStack({
      StackName: stack,
      UsePreviousTemplate: !options.template,
      TemplateBody: options.template && JSON.stringify(options.template),
      Parameters: Object.keys(s.template.Parameters ?? {}).map((k) => (k in parameters ? { ParameterKey: k, ParameterValue: parameters[k] } : { ParameterKey: k, UsePreviousValue: true })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      RoleARN: options.roleArn,
    });
  }

  /** Runs the cloud until the stack is no longer *_IN_PROGRESS (or `maxMs` passed). */
  async settleStack(stack: string, maxMs = 3_600_000): Promise<string> {
    const end = this.clock.t + maxMs;
    while (this.stack(stack).busy() && this.clock.t < end) await this.runFor(5_000);
    return this.status(stack);
  }
}
