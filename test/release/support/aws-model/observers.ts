import type { Lambda } from './lambda';
import type { World } from './resources';

/**
 * The smaller services the release reads, fed by the CloudFormation resources that make them:
 * CloudWatch alarms (their states), EventBridge rules (alarm state changes invoke their Lambda
 * targets), Auto Scaling groups (instances behind the ECS capacity providers) and Lambda
 * functions (their environment).
 */

export interface Alarm {
  readonly name: string;
  readonly arn: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  updatedAt: Date;
}

export interface Rule {
  readonly name: string;
  readonly pattern: any;
  readonly targets: { Arn: string; Id: string }[];
  readonly enabled: boolean;
}

export interface Group {
  readonly name: string;
  min: number;
  max: number;
}

export class Observers {
  readonly alarms = new Map<string, Alarm>();
  readonly rules = new Map<string, Rule>();
  readonly groups = new Map<string, Group>();
  /** Capacity provider name -> Auto Scaling group name. */
  private readonly providers = new Map<string, string>();
  /** ECS service ARN -> capacity provider name. */
  private readonly serviceProvider = new Map<string, string>();

  constructor(
    private readonly world: World,
    private readonly lambda: Lambda,
  ) {
    world.listeners.push((e) => {
      if (e.change === 'delete') return;
      switch (e.type) {
        case 'AWS::CloudWatch::Alarm':
          // A new alarm starts in INSUFFICIENT_DATA until it has evaluated its metric.
          // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
          if (!this.alarms.has(e.physicalId)) {
            this.alarms.set(e.physicalId, { name: e.physicalId, arn: `arn:aws:cloudwatch:${world.region}:${world.account}:alarm:${e.physicalId}`, state: e.settled ? 'OK' : 'INSUFFICIENT_DATA', reason: 'created', updatedAt: new Date(world.now()) });
          }
          break;
        case 'AWS::Events::Rule':
          this.rules.set(e.physicalId, { name: e.physicalId, pattern: e.props.EventPattern, targets: e.props.Targets ?? [], enabled: e.props.State !== 'DISABLED' });
          break;
        case 'AWS::Lambda::Function':
          this.lambda.put(e.physicalId, e.props.Environment?.Variables ?? {});
          break;
        case 'AWS::AutoScaling::AutoScalingGroup':
          this.groups.set(e.physicalId, { name: e.physicalId, min: Number(e.props.MinSize), max: Number(e.props.MaxSize) });
          break;
        case 'AWS::ECS::CapacityProvider':
          this.providers.set(e.physicalId, String(e.props.AutoScalingGroupProvider?.AutoScalingGroupArn).split('/').pop()!);
          break;
        case 'AWS::ECS::Service':
          if (e.props.CapacityProviderStrategy?.[0]) this.serviceProvider.set(e.physicalId, e.props.CapacityProviderStrategy[0].CapacityProvider);
          break;
        default:
      }
    });
  }

  /**
   * An alarm changes state; into ALARM, every enabled rule whose pattern matches the "CloudWatch
   * Alarm State Change" event invokes its Lambda targets asynchronously.
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html (Lambda targets are invoked asynchronously)
   */
  setAlarm(name: string, state: Alarm['state'], reason = `Threshold Crossed: model set ${state}`): void {
    const a = this.alarms.get(name);
    if (!a) throw new Error(`model: no alarm ${name}`);
    if (a.state === state) return;
    const previous = a.state;
    Object.assign(a, { state, reason, updatedAt: new Date(this.world.now()) });
    const event = {
      version: '0',
      id: `alarm-${name}-${this.world.now()}`,
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: this.world.account,
      time: new Date(this.world.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.world.region,
      resources: [a.arn],
      detail: { alarmName: name, state: { value: state, reason, timestamp: a.updatedAt.toISOString() }, previousState: { value: previous } },
    };
    for (const rule of this.rules.values()) {
      if (!rule.enabled || !matches(rule.pattern, event)) continue;
      for (const t of rule.targets) if (String(t.Arn).includes(':lambda:') && this.lambda.find(t.Arn)) this.lambda.deliver(t.Arn, event);
    }
  }

  describeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string }) {
    const all = [...this.alarms.values()].filter((a) => (!input.AlarmNames || input.AlarmNames.includes(a.name)) && (!input.AlarmNamePrefix || a.name.startsWith(input.AlarmNamePrefix)));
    return { MetricAlarms: all.map((a) => ({ AlarmName: a.name, AlarmArn: a.arn, StateValue: a.state, StateReason: a.reason, StateUpdatedTimestamp: a.updatedAt })), CompositeAlarms: [] };
  }

  /**
   * Instances of a group: one per task placed on it (assumed: one task per instance; the
   * capacity provider's managed scaling launches an instance while the task is PROVISIONING).
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
   */
  describeAutoScalingGroups(input: { AutoScalingGroupNames?: string[] }) {
    const groups = [...this.groups.values()].filter((g) => !input.AutoScalingGroupNames || input.AutoScalingGroupNames.includes(g.name));
    return {
      AutoScalingGroups: groups.map((g) => {
        const instances: { InstanceId: string; LifecycleState: string; HealthStatus: string }[] = [];
        for (const svc of this.world.ecs.services.values()) {
          const provider = this.serviceProvider.get(svc.arn);
          if (!provider || this.providers.get(provider) !== g.name) continue;
          for (const t of svc.tasks) {
            const st = this.world.ecs.status(t);
            if (st === 'STOPPED') continue;
            instances.push({ InstanceId: `i-${t.id.split('/')[1].slice(-17)}`, LifecycleState: st === 'PROVISIONING' ? 'Pending' : 'InService', HealthStatus: 'Healthy' });
          }
        }
        return { AutoScalingGroupName: g.name, MinSize: g.min, MaxSize: g.max, DesiredCapacity: instances.length, Instances: instances };
      }),
    };
  }
}

/** EventBridge pattern matching for the shapes our rules use: arrays of allowed values, nested objects. */
export function matches(pattern: any, event: any): boolean {
  if (!pattern) return false;
  return Object.entries(pattern).every(([k, want]) => {
    const got = event?.[k];
    if (Array.isArray(want)) return (Array.isArray(got) ? got : [got]).some((g) => want.includes(g));
    if (want && typeof want === 'object') return matches(want, got);
    return got === want;
  });
}
