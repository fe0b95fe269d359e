import { createHash } from 'node:crypto';
import type { ApplicationAutoScaling } from './app-autoscaling';
import type { Ecs } from './ecs';
import type { Elbv2 } from './elbv2';

/**
 * What a CloudFormation resource of each type does to the rest of the model when CloudFormation
 * creates, updates or deletes it, what its Ref and Fn::GetAtt give, and how its update ends.
 * Return values per type: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
 */

export interface World {
  readonly region: string;
  readonly account: string;
  now(): number;
  readonly elb: Elbv2;
  readonly ecs: Ecs;
  readonly aas: ApplicationAutoScaling;
  /** Services added by other files (alarms, groups, tables, functions, rules) listen here. */
  readonly listeners: ResourceListener[];
  /** Per-model counters (task definition revisions). */
  readonly counters: Map<string, number>;
}

export type ResourceListener = (event: { type: string; physicalId: string; props: any; stack: string; logicalId: string; change: 'create' | 'update' | 'delete'; settled: boolean }) => void;

/** How an update of a resource ends: after a time, or when a check passes (true) or fails (a reason). */
export type Completion = { readonly ms: number } | { readonly until: () => true | false | string; readonly pollMs: number };

export interface ResourceContext {
  readonly world: World;
  readonly stack: string;
  readonly logicalId: string;
}

export interface Kind {
  physicalId(ctx: ResourceContext, props: any): string;
  attributes?(ctx: ResourceContext, physicalId: string, props: any, previous?: Record<string, unknown>): Record<string, unknown>;
  /** Whether changing from `old` to `next` creates a new physical resource. */
  replaces?(old: any, next: any): boolean;
  apply?(ctx: ResourceContext, physicalId: string, props: any, old: any | undefined, settled: boolean): Completion | void;
  remove?(ctx: ResourceContext, physicalId: string, props: any): void;
  /** assumed: how long the update of this type takes when nothing is waited for. */
  readonly ms?: number;
}

export function hash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** CloudFormation's generated physical names: `<stack>-<logical id>-<random suffix>` (here a hash). */
export function generatedName(ctx: ResourceContext, max = 128): string {
  const suffix = hash(`${ctx.stack}/${ctx.logicalId}`, 12).toUpperCase();
  return `${ctx.stack}-${ctx.logicalId}`.slice(0, max - 13) + `-${suffix}`;
}

const elbArn = (ctx: ResourceContext, rest: string) => `arn:aws:elasticloadbalancing:${ctx.world.region}:${ctx.world.account}:${rest}`;
const shortName = (ctx: ResourceContext) => `${ctx.stack.slice(0, 18)}-${hash(ctx.logicalId, 8)}`;

export const KINDS: Record<string, Kind> = {
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    physicalId: (ctx, p) => elbArn(ctx, `loadbalancer/app/${p.Name ?? shortName(ctx)}/${hash(ctx.stack + ctx.logicalId)}`),
    attributes: (ctx, arn) => {
      const [, , name, id] = arn.split(':').pop()!.split('/');
      return { LoadBalancerFullName: `app/${name}/${id}`, LoadBalancerName: name, DNSName: `internal-${name}-${parseInt(id.slice(0, 8), 16)}.${ctx.world.region}.elb.amazonaws.com`, LoadBalancerArn: arn };
    },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    physicalId: (ctx, p) => elbArn(ctx, `targetgroup/${p.Name ?? shortName(ctx)}/${hash(ctx.stack + ctx.logicalId)}`),
    attributes: (_ctx, arn) => {
      const [, name, id] = arn.split(':').pop()!.split('/');
      return { TargetGroupFullName: `targetgroup/${name}/${id}`, TargetGroupName: name, TargetGroupArn: arn };
    },
    apply: (ctx, arn, p) => {
      const attr = (k: string) => (p.TargetGroupAttributes ?? []).find((a: any) => a.Key === k)?.Value;
      // Defaults of an ALB target group: deregistration delay 300 s, checks every 30 s, healthy after 5.
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
      const delay = Number(attr('deregistration_delay.timeout_seconds') ?? 300);
      const interval = Number(p.HealthCheckIntervalSeconds ?? 30);
      const healthy = Number(p.HealthyThresholdCount ?? 5);
      ctx.world.elb.putTargetGroup(arn, arn.split('/')[1], { deregistrationDelayMs: delay * 1000, healthyAfterMs: interval * healthy * 1000 });
    },
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    physicalId: (ctx, p) => {
      const [, , name, id] = String(p.LoadBalancerArn).split(':').pop()!.split('/');
      return elbArn(ctx, `listener/app/${name}/${id}/${hash(ctx.logicalId)}`);
    },
    attributes: (_ctx, arn) => ({ ListenerArn: arn }),
    apply: (ctx, arn, p) => ctx.world.elb.putListener({ arn, loadBalancerArn: p.LoadBalancerArn, port: Number(p.Port), protocol: p.Protocol, defaultActions: p.DefaultActions ?? [] }),
    ms: 2_000,
  },
  'AWS::ECS::Cluster': {
    physicalId: (ctx, p) => p.ClusterName ?? generatedName(ctx, 255),
    attributes: (ctx, name) => ({ Arn: `arn:aws:ecs:${ctx.world.region}:${ctx.world.account}:cluster/${name}` }),
  },
  // Every property of a task definition requires replacement: an update registers a new revision.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html
  'AWS::ECS::TaskDefinition': {
    physicalId: (ctx, p) => {
      const family = p.Family ?? `${ctx.stack}${ctx.logicalId}`.replace(/[^A-Za-z0-9_-]/g, '');
      const rev = (ctx.world.counters.get(family) ?? 0) + 1;
      ctx.world.counters.set(family, rev);
      return `arn:aws:ecs:${ctx.world.region}:${ctx.world.account}:task-definition/${family}:${rev}`;
    },
    attributes: (_ctx, arn) => ({ TaskDefinitionArn: arn }),
    replaces: () => true,
    ms: 2_000,
  },
  'AWS::ECS::Service': {
    physicalId: (ctx, p) => `arn:aws:ecs:${ctx.world.region}:${ctx.world.account}:service/${p.Cluster}/${p.ServiceName ?? generatedName(ctx, 255)}`,
    attributes: (_ctx, arn) => ({ Name: arn.split('/').pop(), ServiceArn: arn }),
    apply: (ctx, arn, p, _old, settled) => {
      const [cluster, name] = arn.split('/').slice(-2);
      const ecs = ctx.world.ecs;
      let svc = ecs.service(cluster, name);
      let started: ReturnType<Ecs['updateService']>;
      const lb = (p.LoadBalancers ?? [])[0];
      const cb = p.DeploymentConfiguration?.DeploymentCircuitBreaker;
      if (!svc) {
        svc = ecs.createService(
          { arn, cluster, name, taskDefinition: p.TaskDefinition, desiredCount: p.DesiredCount === undefined ? undefined : Number(p.DesiredCount), targetGroupArn: lb?.TargetGroupArn, containerPort: Number(lb?.ContainerPort ?? 80), circuitBreaker: { enable: Boolean(cb?.Enable), rollback: Boolean(cb?.Rollback) } },
          settled,
        );
      } else {
        svc.circuitBreaker = { enable: Boolean(cb?.Enable), rollback: Boolean(cb?.Rollback) };
        // An update without DesiredCount keeps the service's current count.
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount
        started = ecs.updateService(svc, { taskDefinition: p.TaskDefinition, desiredCount: p.DesiredCount === undefined ? undefined : Number(p.DesiredCount) });
      }
      // CloudFormation waits for the service to be stable; the circuit breaker failing it fails the update.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
      const s = svc;
      return {
        pollMs: 15_000,
        until: () => {
          const st = ecs.stable(s, started);
          return typeof st === 'string' ? `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (RequestToken: ${hash(arn, 8)}, HandlerErrorCode: GeneralServiceException)` : st;
        },
      };
    },
  },
  'AWS::ApplicationAutoScaling::ScalableTarget': {
    physicalId: (_ctx, p) => `${p.ResourceId}|${p.ScalableDimension}|${p.ServiceNamespace}`,
    // assumed: CloudFormation registers the target with the template's bounds on any change of
    // the resource (scheduled actions included), which moves the count into those bounds.
    apply: (ctx, _id, p) => {
      const t = ctx.world.aas.register({ ServiceNamespace: p.ServiceNamespace, ResourceId: p.ResourceId, ScalableDimension: p.ScalableDimension, MinCapacity: Number(p.MinCapacity), MaxCapacity: Number(p.MaxCapacity) });
      t.scheduledActions = structuredClone(p.ScheduledActions ?? []);
    },
    ms: 3_000,
  },
  'AWS::EC2::LaunchTemplate': {
    physicalId: (ctx) => `lt-${hash(ctx.stack + ctx.logicalId, 17)}`,
    // An update creates a new version (CloudFormation makes it the default).
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-launchtemplate.html
    attributes: (_ctx, id, _p, previous) => {
      const v = String(Number(previous?.LatestVersionNumber ?? 0) + 1);
      return { LaunchTemplateId: id, LatestVersionNumber: v, DefaultVersionNumber: v };
    },
    ms: 3_000,
  },
  'AWS::EC2::SecurityGroup': {
    physicalId: (ctx) => `sg-${hash(ctx.stack + ctx.logicalId, 17)}`,
    attributes: (_ctx, id) => ({ GroupId: id, VpcId: 'vpc-0model' }),
  },
  'AWS::IAM::Role': {
    physicalId: (ctx, p) => p.RoleName ?? generatedName(ctx, 64),
    attributes: (ctx, name, p) => ({ Arn: `arn:aws:iam::${ctx.world.account}:role${p.Path ?? '/'}${name}`, RoleId: `AROA${hash(name, 17).toUpperCase()}` }),
  },
  'AWS::IAM::InstanceProfile': {
    physicalId: (ctx, p) => p.InstanceProfileName ?? generatedName(ctx, 128),
    attributes: (ctx, name) => ({ Arn: `arn:aws:iam::${ctx.world.account}:instance-profile/${name}` }),
  },
  'AWS::Logs::LogGroup': {
    physicalId: (ctx, p) => p.LogGroupName ?? generatedName(ctx, 512),
    attributes: (ctx, name) => ({ Arn: `arn:aws:logs:${ctx.world.region}:${ctx.world.account}:log-group:${name}:*` }),
  },
  'AWS::Lambda::Function': {
    physicalId: (ctx, p) => p.FunctionName ?? generatedName(ctx, 64),
    attributes: (ctx, name) => ({ Arn: `arn:aws:lambda:${ctx.world.region}:${ctx.world.account}:function:${name}` }),
  },
  'AWS::DynamoDB::Table': {
    physicalId: (ctx, p) => p.TableName ?? generatedName(ctx, 255),
    attributes: (ctx, name) => ({ Arn: `arn:aws:dynamodb:${ctx.world.region}:${ctx.world.account}:table/${name}` }),
  },
  'AWS::CloudWatch::Alarm': {
    physicalId: (ctx, p) => p.AlarmName ?? generatedName(ctx, 255),
    attributes: (ctx, name) => ({ Arn: `arn:aws:cloudwatch:${ctx.world.region}:${ctx.world.account}:alarm:${name}` }),
    ms: 2_000,
  },
  'AWS::AutoScaling::AutoScalingGroup': {
    physicalId: (ctx, p) => p.AutoScalingGroupName ?? generatedName(ctx, 255),
  },
  'AWS::Events::Rule': {
    physicalId: (ctx, p) => p.Name ?? generatedName(ctx, 64),
    attributes: (ctx, name) => ({ Arn: `arn:aws:events:${ctx.world.region}:${ctx.world.account}:rule/${name}` }),
  },
  'AWS::Scheduler::Schedule': {
    physicalId: (ctx, p) => p.Name ?? generatedName(ctx, 64),
    attributes: (ctx, name, p) => ({ Arn: `arn:aws:scheduler:${ctx.world.region}:${ctx.world.account}:schedule/${p.GroupName ?? 'default'}/${name}` }),
  },
};

/** Types the model gives no behaviour: a stable physical id, attributes `<id>:<name>`. */
export const GENERIC: Kind = { physicalId: (ctx) => generatedName(ctx) };

export function kindOf(type: string): Kind {
  return KINDS[type] ?? GENERIC;
}

export function genericAttribute(physicalId: string, attribute: string): string {
  return `${physicalId}:${attribute}`;
}
