import type { Timeline } from './clock';
import type { Elbv2 } from './elbv2';
import { awsError } from './errors';

/**
 * ECS services as deployments of tasks that take time: a task goes PROVISIONING → PENDING →
 * RUNNING, is registered with its target group when RUNNING, and on stop is DEACTIVATING while its
 * target drains, then STOPPED.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
 */

export interface Timings {
  /** PROVISIONING: capacity is found (with a capacity provider, an instance may launch). assumed: 30 s. */
  provisioningMs: number;
  /** PENDING: image pull and container start. assumed: 15 s. */
  pendingMs: number;
  /** How often the service scheduler looks at a service. assumed: 5 s. */
  tickMs: number;
}

interface Task {
  readonly id: string;
  readonly deploymentId: string;
  readonly ip: string;
  readonly createdAt: number;
  readonly pendingAt: number;
  readonly runningAt: number;
  /** A task that fails to start stops when it would have run. */
  readonly failReason?: string;
  stopAt?: number;
  stoppedAt?: number;
}

export interface Deployment {
  readonly id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  readonly taskDefinition: string;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  readonly createdAt: number;
  failedTasks: number;
}

export interface Service {
  readonly arn: string;
  readonly cluster: string;
  readonly name: string;
  desiredCount: number;
  readonly targetGroupArn?: string;
  readonly containerPort: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  readonly deployments: Deployment[];
  readonly tasks: Task[];
  readonly events: { id: string; createdAt: Date; message: string }[];
  /** Set by a test: tasks of these task definitions fail to start with this reason. */
  failing?: { taskDefinition?: string; reason: string };
}

export class Ecs {
  readonly services = new Map<string, Service>();
  private seq = 0;
  private ticking = false;

  constructor(
    private readonly now: () => number,
    private readonly timeline: Timeline,
    private readonly elb: Elbv2,
    readonly timings: Timings,
  ) {}

  /** `cluster/service` (names). */
  service(cluster: string, name: string): Service | undefined {
    return this.services.get(`${cluster}/${name}`);
  }

  byResourceId(resourceId: string): Service | undefined {
    const [, cluster, name] = resourceId.split('/');
    return this.service(cluster, name);
  }

  /**
   * A new service. Without DesiredCount in the template CloudFormation creates it with 1.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount
   * `settled` starts its tasks long enough ago that they run and are healthy (a world that has
   * been deployed for a while).
   */
  createService(s: { arn: string; cluster: string; name: string; taskDefinition: string; desiredCount?: number; targetGroupArn?: string; containerPort: number; circuitBreaker: Service['circuitBreaker'] }, settled: boolean): Service {
    const svc: Service = { ...s, desiredCount: s.desiredCount ?? 1, deployments: [], tasks: [], events: [] };
    this.services.set(`${s.cluster}/${s.name}`, svc);
    this.startDeployment(svc, s.taskDefinition, settled);
    return svc;
  }

  /** A new task definition: a new PRIMARY deployment; the old one becomes ACTIVE until drained. */
  /** Returns the deployment the update started, if it started one. */
  updateService(svc: Service, update: { taskDefinition?: string; desiredCount?: number }): Deployment | undefined {
    if (update.desiredCount !== undefined) this.setDesired(svc, update.desiredCount);
    let started: Deployment | undefined;
    if (update.taskDefinition && update.taskDefinition !== this.primary(svc).taskDefinition) {
      this.startDeployment(svc, update.taskDefinition, false);
      started = this.primary(svc);
    }
    this.wake();
    return started;
  }

  setDesired(svc: Service, n: number): void {
    svc.desiredCount = n;
    const p = this.primary(svc);
    if (p.rolloutState === 'COMPLETED' && this.liveTasks(svc, p).length !== n) p.rolloutState = 'IN_PROGRESS';
    this.wake();
  }

  primary(svc: Service): Deployment {
    return svc.deployments.find((d) => d.status === 'PRIMARY')!;
  }

  status(t: Task): 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPED' {
    const now = this.now();
    if (t.stoppedAt !== undefined && now >= t.stoppedAt) return 'STOPPED';
    if (t.stopAt !== undefined && now >= t.stopAt) return t.stopAt >= t.runningAt ? 'DEACTIVATING' : 'STOPPED';
    if (now < t.pendingAt) return 'PROVISIONING';
    if (now < t.runningAt) return 'PENDING';
    return 'RUNNING';
  }

  /** Counts as DescribeServices reports them: pending counts PROVISIONING and PENDING tasks (assumed). */
  counts(svc: Service, deployment?: Deployment) {
    const tasks = svc.tasks.filter((t) => !deployment || t.deploymentId === deployment.id);
    const st = tasks.map((t) => this.status(t));
    return { running: st.filter((s) => s === 'RUNNING').length, pending: st.filter((s) => s === 'PROVISIONING' || s === 'PENDING').length };
  }

  /**
   * Whether a deployment (default: the primary) completed, or why it failed. A deployment the
   * circuit breaker rolled back has failed, even though the service is steady again.
   */
  stable(svc: Service, deployment = this.primary(svc)): true | false | string {
    if (deployment.rolloutState === 'FAILED') return deployment.rolloutStateReason ?? 'deployment failed';
    if (deployment.status !== 'PRIMARY') return false;
    return deployment.rolloutState === 'COMPLETED' && this.primary(svc).rolloutState === 'COMPLETED';
  }

  // --- the service scheduler ---

  private startDeployment(svc: Service, taskDefinition: string, settled: boolean): void {
    for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const d: Deployment = { id: `ecs-svc/${++this.seq}`, status: 'PRIMARY', taskDefinition, rolloutState: settled ? 'COMPLETED' : 'IN_PROGRESS', createdAt: this.now(), failedTasks: 0 };
    svc.deployments.unshift(d);
    this.event(svc, `(service ${svc.name}) has started a deployment ${d.id}.`);
    if (settled) for (let i = 0; i < svc.desiredCount; i++) this.startTask(svc, d, this.now() - 3_600_000);
    this.wake();
  }

  private startTask(svc: Service, d: Deployment, at = this.now()): void {
    const n = ++this.seq;
    const failing = svc.failing && (!svc.failing.taskDefinition || svc.failing.taskDefinition === d.taskDefinition) ? svc.failing.reason : undefined;
    const t: Task = {
      id: `${svc.cluster}/${n.toString(16).padStart(32, '0')}`,
      deploymentId: d.id,
      ip: `10.0.${(n >> 8) & 255}.${n & 255}`,
      createdAt: at,
      pendingAt: at + this.timings.provisioningMs,
      runningAt: at + this.timings.provisioningMs + this.timings.pendingMs,
      failReason: failing,
    };
    if (failing) t.stoppedAt = t.runningAt;
    svc.tasks.push(t);
    if (svc.targetGroupArn && !failing) this.elb.register(svc.targetGroupArn, t.ip, svc.containerPort, t.runningAt);
    this.event(svc, `(service ${svc.name}) has started 1 tasks: (task ${t.id.split('/')[1]}).`);
  }

  private stopTask(svc: Service, t: Task): void {
    const now = this.now();
    t.stopAt = now;
    if (svc.targetGroupArn && now >= t.runningAt) {
      this.elb.deregister(svc.targetGroupArn, t.ip, now);
      t.stoppedAt = this.elb.drainedAt(svc.targetGroupArn, now);
    } else {
      if (svc.targetGroupArn && !t.failReason) this.elb.forget(svc.targetGroupArn, t.ip);
      t.stoppedAt = now;
    }
  }

  /** Tasks of a deployment that are not stopping. */
  private liveTasks(svc: Service, d: Deployment): Task[] {
    return svc.tasks.filter((t) => t.deploymentId === d.id && t.stopAt === undefined && this.status(t) !== 'STOPPED');
  }

  private healthy(svc: Service, t: Task): boolean {
    if (this.status(t) !== 'RUNNING') return false;
    if (!svc.targetGroupArn) return true;
    return this.elb.health(svc.targetGroupArn).some((h) => h.id === t.ip && h.state === 'healthy');
  }

  private wake(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.timeline.after(0, 'ECS service scheduler', () => this.tick());
  }

  private tick(): void {
    this.ticking = false;
    let busy = false;
    for (const svc of this.services.values()) busy = this.reconcile(svc) || busy;
    if (busy) {
      this.ticking = true;
      this.timeline.after(this.timings.tickMs, 'ECS service scheduler', () => this.tick());
    }
  }

  /** Brings a service to its desired count now (world setup); later ticks finish the rest. */
  reconcileNow(svc: Service): void {
    this.reconcile(svc);
  }

  /** One look of the scheduler at a service; true while it is not steady. */
  private reconcile(svc: Service): boolean {
    const now = this.now();
    const p = this.primary(svc);
    // Tasks that failed to start count towards the circuit breaker's threshold: half the desired
    // count, at least 3 and at most 200.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
    for (const t of svc.tasks) {
      if (t.failReason && t.stoppedAt! <= now && !(t as { counted?: boolean }).counted) {
        (t as { counted?: boolean }).counted = true;
        const d = svc.deployments.find((x) => x.id === t.deploymentId);
        if (d) d.failedTasks++;
        this.event(svc, `(service ${svc.name}) task ${t.id.split('/')[1]} stopped: ${t.failReason}`);
      }
    }
    const threshold = Math.min(200, Math.max(3, Math.ceil(svc.desiredCount / 2)));
    if (p.rolloutState === 'IN_PROGRESS' && svc.circuitBreaker.enable && p.failedTasks >= threshold) {
      p.rolloutState = 'FAILED';
      p.rolloutStateReason = `ECS deployment circuit breaker: tasks failed to start.`;
      this.event(svc, `(service ${svc.name}) (deployment ${p.id}) deployment failed: tasks failed to start.`);
      const previous = svc.deployments.find((d) => d !== p && d.status === 'ACTIVE');
      if (svc.circuitBreaker.rollback && previous) {
        // Rollback: the last completed deployment becomes primary again.
        p.status = 'ACTIVE';
        svc.deployments.splice(svc.deployments.indexOf(previous), 1);
        svc.deployments.unshift(previous);
        previous.status = 'PRIMARY';
        previous.rolloutState = 'IN_PROGRESS';
        (svc as { rolledBackFrom?: Deployment }).rolledBackFrom = p;
      }
      return true;
    }
    const primary = this.primary(svc);
    const live = this.liveTasks(svc, primary);
    // A failed deployment without rollback launches nothing more (assumed).
    if (primary.rolloutState !== 'FAILED') {
      for (let i = live.length; i < svc.desiredCount; i++) this.startTask(svc, primary);
      // Scale-in stops the newest tasks first (assumed: ECS's task selection for scale-in is
      // placement-strategy driven; newest first keeps the model deterministic).
      for (const t of live.slice(svc.desiredCount).reverse()) this.stopTask(svc, t);
    }
    const healthyPrimary = this.liveTasks(svc, primary).filter((t) => this.healthy(svc, t)).length;
    // minimumHealthyPercent 100 / maximumPercent 200: the old tasks stop once the new ones are healthy.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
    if (healthyPrimary >= svc.desiredCount) {
      for (const d of svc.deployments) if (d !== primary) for (const t of this.liveTasks(svc, d)) this.stopTask(svc, t);
    }
    for (const d of [...svc.deployments]) {
      if (d === primary) continue;
      if (svc.tasks.every((t) => t.deploymentId !== d.id || this.status(t) === 'STOPPED')) {
        svc.deployments.splice(svc.deployments.indexOf(d), 1);
      }
    }
    const allStopped = svc.tasks.every((t) => t.stopAt === undefined || this.status(t) === 'STOPPED');
    const steady = svc.deployments.length === 1 && healthyPrimary === svc.desiredCount && live.length === svc.desiredCount && allStopped;
    if (steady && primary.rolloutState === 'IN_PROGRESS') {
      primary.rolloutState = 'COMPLETED';
      this.event(svc, `(service ${svc.name}) has reached a steady state.`);
    }
    svc.tasks.splice(0, svc.tasks.length, ...svc.tasks.filter((t) => !(this.status(t) === 'STOPPED' && now - t.stoppedAt! > 3_600_000)));
    return !steady;
  }

  private event(svc: Service, message: string): void {
    svc.events.unshift({ id: `ev-${++this.seq}`, createdAt: new Date(this.now()), message });
  }

  // --- the API ---

  /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html */
  describeServices(input: { cluster?: string; services: string[] }) {
    const services: any[] = [];
    const failures: any[] = [];
    for (const name of input.services) {
      const svc = this.service((input.cluster ?? 'default').split('/').pop()!, name.split('/').pop()!);
      if (!svc) {
        failures.push({ arn: name, reason: 'MISSING' });
        continue;
      }
      const c = this.counts(svc);
      services.push({
        serviceArn: svc.arn,
        serviceName: svc.name,
        clusterArn: `arn:aws:ecs:${svc.arn.split(':')[3]}:${svc.arn.split(':')[4]}:cluster/${svc.cluster}`,
        status: 'ACTIVE',
        desiredCount: svc.desiredCount,
        runningCount: c.running,
        pendingCount: c.pending,
        taskDefinition: this.primary(svc).taskDefinition,
        deployments: svc.deployments.map((d) => {
          const dc = this.counts(svc, d);
          return {
            id: d.id,
            status: d.status,
            taskDefinition: d.taskDefinition,
            desiredCount: d.status === 'PRIMARY' ? svc.desiredCount : 0,
            runningCount: dc.running,
            pendingCount: dc.pending,
            failedTasks: d.failedTasks,
            rolloutState: d.rolloutState,
            rolloutStateReason: d.rolloutStateReason,
            createdAt: new Date(d.createdAt),
          };
        }),
        events: svc.events.slice(0, 100).map((e) => ({ ...e })),
      });
    }
    return { services, failures };
  }

  listTasks(input: { cluster: string; serviceName?: string }) {
    const svc = input.serviceName ? this.service(input.cluster, input.serviceName) : undefined;
    if (input.serviceName && !svc) throw awsError('ServiceNotFoundException', 'Service not found.', 400);
    return { taskArns: (svc?.tasks ?? []).filter((t) => this.status(t) !== 'STOPPED').map((t) => t.id) };
  }
}
