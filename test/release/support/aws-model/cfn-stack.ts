import { genericAttribute, kindOf, ResourceContext, World } from './resources';
import { dependencyOrder, evaluateCondition, resolve, Scope, Template } from './template';

/** One stack as CloudFormation keeps it: template, parameters, resources, status and events. */

export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  physicalId: string;
  attributes: Record<string, unknown>;
  /** The resolved properties CloudFormation last applied. */
  properties: unknown;
}

export interface StackEvent {
  readonly EventId: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly ClientRequestToken?: string;
}

export interface Operation {
  readonly token?: string;
  readonly previous: { template: Template; parameters: Record<string, string>; resolved: Record<string, string> };
  /** Resources this operation changed, in order, with what they were before. */
  readonly changed: { logicalId: string; before: StackResource; replaced: boolean }[];
  /** Resources still to restore when a rollback stopped (UPDATE_ROLLBACK_FAILED). */
  toRestore?: { logicalId: string; before: StackResource; replaced: boolean }[];
  /** Physical resources to delete in the cleanup phase. */
  readonly obsolete: StackResource[];
  /** A fingerprint of the request, for ClientRequestToken retries. */
  readonly request: string;
  /** The resource being updated now (for CancelUpdateStack). */
  current?: string;
  /** Set by CancelUpdateStack: the update's pending steps do nothing. */
  cancelled?: boolean;
}

export class ModelStack {
  readonly id: string;
  status = 'CREATE_COMPLETE';
  statusReason?: string;
  roleArn?: string;
  capabilities: string[] = [];
  readonly resources = new Map<string, StackResource>();
  readonly events: StackEvent[] = [];
  /** Tokens of every operation so far, the latest last. */
  readonly tokens: string[] = [];
  operation?: Operation;
  readonly creationTime: Date;
  lastUpdatedTime?: Date;
  private eventSeq = 0;

  constructor(
    readonly world: World,
    readonly name: string,
    public template: Template,
    /** Parameter values as given (for SSM-typed ones, the parameter name). */
    public parameters: Record<string, string>,
    /** Parameter values as resources see them (SSM-typed ones resolved). */
    public resolvedParameters: Record<string, string>,
  ) {
    this.id = `arn:aws:cloudformation:${world.region}:${world.account}:stack/${name}/${hashId(name)}`;
    this.creationTime = new Date(world.now());
  }

  scope(parameters = this.resolvedParameters): Scope {
    return {
      parameters,
      pseudo: {
        'AWS::Region': this.world.region,
        'AWS::AccountId': this.world.account,
        'AWS::StackName': this.name,
        'AWS::StackId': this.id,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      },
      resources: {
        ref: (id) => {
          const r = this.resources.get(id);
          if (!r) throw new Error(`model: ${this.name} references ${id}, which does not exist (yet)`);
          return r.physicalId;
        },
        getAtt: (id, attr) => {
          const r = this.resources.get(id);
          if (!r) throw new Error(`model: ${this.name} reads ${id}.${attr}, which does not exist (yet)`);
          return attr in r.attributes ? r.attributes[attr] : genericAttribute(r.physicalId, attr);
        },
      },
    };
  }

  /** Logical ids in update order, only those whose Condition holds. */
  order(template = this.template, parameters = this.resolvedParameters): string[] {
    const scope = this.scope(parameters);
    return dependencyOrder(template).filter((id) => {
      const c = template.Resources[id].Condition;
      return !c || evaluateCondition(template, c, scope);
    });
  }

  resolveProperties(logicalId: string, template = this.template, parameters = this.resolvedParameters): unknown {
    return resolve(template, template.Resources[logicalId].Properties ?? {}, this.scope(parameters));
  }

  context(logicalId: string): ResourceContext {
    return { world: this.world, stack: this.name, logicalId };
  }

  outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    const scope = this.scope();
    for (const [k, o] of Object.entries(this.template.Outputs ?? {})) {
      if (o.Condition && !evaluateCondition(this.template, o.Condition, scope)) continue;
      try {
        out[k] = String(resolve(this.template, o.Value, scope));
      } catch {
        // An output of a resource that does not exist yet (mid-create): not shown.
      }
    }
    return out;
  }

  /** Events are kept oldest first; DescribeStackEvents returns them newest first. */
  event(e: { logicalId?: string; physicalId?: string; type?: string; status: string; reason?: string }): void {
    this.events.push({
      EventId: `${this.name}-${++this.eventSeq}`,
      StackId: this.id,
      StackName: this.name,
      LogicalResourceId: e.logicalId ?? this.name,
      PhysicalResourceId: e.physicalId ?? (e.logicalId ? undefined : this.id),
      ResourceType: e.type ?? 'AWS::CloudFormation::Stack',
      Timestamp: new Date(this.world.now()),
      ResourceStatus: e.status,
      ResourceStatusReason: e.reason,
      ClientRequestToken: this.operation?.token,
    });
  }

  setStatus(status: string, reason?: string): void {
    this.status = status;
    this.statusReason = reason;
    this.event({ status, reason });
  }

  /** Creates every resource at once, as a stack deployed a while ago (no events but CREATE_COMPLETE). */
  createSettled(status: string): void {
    for (const id of this.order()) {
      const type = this.template.Resources[id].Type;
      const kind = kindOf(type);
      const props = this.resolveProperties(id);
      const ctx = this.context(id);
      const physicalId = kind.physicalId(ctx, props);
      const r: StackResource = { logicalId: id, type, physicalId, attributes: kind.attributes?.(ctx, physicalId, props) ?? {}, properties: props };
      this.resources.set(id, r);
      kind.apply?.(ctx, physicalId, props, undefined, true);
      for (const l of this.world.listeners) l({ type, physicalId, props, stack: this.name, logicalId: id, change: 'create', settled: true });
    }
    this.status = status;
    this.event({ status: 'CREATE_COMPLETE' });
  }

  busy(): boolean {
    return this.status.endsWith('_IN_PROGRESS');
  }
}

function hashId(name: string): string {
  const h = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
