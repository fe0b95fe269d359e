import { awsError } from './errors';

/**
 * Elastic Load Balancing v2 as the release sees it: listeners (their default actions), target
 * groups and the health of each registered target over time.
 */

export interface Listener {
  readonly arn: string;
  readonly loadBalancerArn: string;
  port: number;
  protocol: string;
  defaultActions: any[];
}

interface Target {
  readonly id: string;
  readonly port: number;
  /** When the target is registered (a task's RUNNING time: ECS registers it then). */
  readonly registeredAt: number;
  deregisteredAt?: number;
}

export interface TargetGroup {
  readonly arn: string;
  readonly name: string;
  /**
   * How long a deregistered target stays `draining`: the target group attribute
   * `deregistration_delay.timeout_seconds`, 300 s unless the template sets it.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
   */
  deregistrationDelayMs: number;
  /**
   * A new target is `initial` until it passed `HealthyThresholdCount` consecutive checks
   * `HealthCheckIntervalSeconds` apart (ALB defaults 5 and 30 s).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
   */
  healthyAfterMs: number;
  /** Set by a test: what the health checks find once a target is past `initial`. */
  checks: 'pass' | 'fail';
  readonly targets: Target[];
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface TargetHealthView {
  readonly id: string;
  readonly port: number;
  readonly state: TargetState;
  readonly reason?: string;
}

export class Elbv2 {
  readonly listeners = new Map<string, Listener>();
  readonly targetGroups = new Map<string, TargetGroup>();

  constructor(private readonly now: () => number) {}

  putListener(l: Listener): void {
    const existing = this.listeners.get(l.arn);
    if (existing) Object.assign(existing, { port: l.port, protocol: l.protocol, defaultActions: structuredClone(l.defaultActions) });
    else this.listeners.set(l.arn, { ...l, defaultActions: structuredClone(l.defaultActions) });
  }

  putTargetGroup(arn: string, name: string, settings: { deregistrationDelayMs: number; healthyAfterMs: number }): void {
    const tg = this.targetGroups.get(arn);
    if (tg) Object.assign(tg, settings);
    else this.targetGroups.set(arn, { arn, name, ...settings, checks: 'pass', targets: [] });
  }

  /** The target group a listener forwards to (its first forward action). */
  forwardsTo(listenerArn: string): string | undefined {
    const a = this.listeners.get(listenerArn)?.defaultActions.find((x) => x.Type === 'forward');
    return a?.TargetGroupArn ?? a?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
  }

  register(tgArn: string, id: string, port: number, at: number): void {
    this.group(tgArn).targets.push({ id, port, registeredAt: at });
  }

  /** Deregistration starts draining now; the target is gone after the deregistration delay. */
  deregister(tgArn: string, id: string, at: number): void {
    const t = this.group(tgArn).targets.find((x) => x.id === id && x.deregisteredAt === undefined);
    if (t) t.deregisteredAt = Math.max(at, t.registeredAt);
  }

  /**
   * Target states over time: `initial` (Elb.RegistrationInProgress, then Elb.InitialHealthChecking)
   * → `healthy` or `unhealthy`; after deregistration `draining` (Target.DeregistrationInProgress)
   * for the deregistration delay, then the target is no longer described.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
   */
  health(tgArn: string): TargetHealthView[] {
    const tg = this.group(tgArn);
    const now = this.now();
    const out: TargetHealthView[] = [];
    for (const t of tg.targets) {
      if (t.registeredAt > now) continue;
      if (t.deregisteredAt !== undefined && t.deregisteredAt <= now) {
        if (now < t.deregisteredAt + tg.deregistrationDelayMs) out.push({ id: t.id, port: t.port, state: 'draining', reason: 'Target.DeregistrationInProgress' });
        continue;
      }
      if (now < t.registeredAt + tg.healthyAfterMs) out.push({ id: t.id, port: t.port, state: 'initial', reason: 'Elb.InitialHealthChecking' });
      else if (tg.checks === 'fail') out.push({ id: t.id, port: t.port, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' });
      else out.push({ id: t.id, port: t.port, state: 'healthy' });
    }
    return out;
  }

  /** A target whose task stopped before it ever ran: it was never registered. */
  forget(tgArn: string, id: string): void {
    const tg = this.group(tgArn);
    const i = tg.targets.findIndex((x) => x.id === id && x.deregisteredAt === undefined);
    if (i >= 0) tg.targets.splice(i, 1);
  }

  /** When a target registered at `at` would first be healthy (undefined while checks fail). */
  healthyAt(tgArn: string, at: number): number | undefined {
    const tg = this.group(tgArn);
    return tg.checks === 'fail' ? undefined : at + tg.healthyAfterMs;
  }

  /** When a target deregistered at `at` is gone. */
  drainedAt(tgArn: string, at: number): number {
    return at + this.group(tgArn).deregistrationDelayMs;
  }

  // --- the API ---

  describeListeners(input: { ListenerArns?: string[]; LoadBalancerArn?: string }) {
    const all = input.ListenerArns ? input.ListenerArns.map((arn) => this.listener(arn)) : [...this.listeners.values()].filter((l) => l.loadBalancerArn === input.LoadBalancerArn);
    return { Listeners: all.map((l) => ({ ListenerArn: l.arn, LoadBalancerArn: l.loadBalancerArn, Port: l.port, Protocol: l.protocol, DefaultActions: structuredClone(l.defaultActions) })) };
  }

  /**
   * Replaces the listener's default actions. Every target group it names must exist.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html
   */
  modifyListener(input: { ListenerArn: string; DefaultActions?: any[]; Port?: number; Protocol?: string }) {
    const l = this.listener(input.ListenerArn);
    for (const a of input.DefaultActions ?? []) {
      const arns = [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t: any) => t.TargetGroupArn)].filter(Boolean);
      for (const arn of arns) this.group(arn);
    }
    if (input.DefaultActions) l.defaultActions = structuredClone(input.DefaultActions);
    if (input.Port) l.port = input.Port;
    if (input.Protocol) l.protocol = input.Protocol;
    return this.describeListeners({ ListenerArns: [l.arn] });
  }

  describeTargetHealth(input: { TargetGroupArn: string }) {
    return {
      TargetHealthDescriptions: this.health(input.TargetGroupArn).map((t) => ({
        Target: { Id: t.id, Port: t.port },
        HealthCheckPort: String(t.port),
        TargetHealth: { State: t.state, ...(t.reason ? { Reason: t.reason } : {}) },
      })),
    };
  }

  private listener(arn: string): Listener {
    const l = this.listeners.get(arn);
    if (!l) throw awsError('ListenerNotFound', 'One or more listeners not found', 400);
    return l;
  }

  private group(arn: string): TargetGroup {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw awsError('TargetGroupNotFound', `Target groups '${arn}' not found`, 400);
    return tg;
  }
}
