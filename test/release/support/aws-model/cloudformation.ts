import { CfnEngine } from './cfn-engine';
import { ModelStack } from './cfn-stack';
import { awsError } from './errors';
import type { World } from './resources';
import type { Template } from './template';

/**
 * The CloudFormation API over the model's stacks: what UpdateStack refuses and accepts, and what
 * DescribeStacks / DescribeStackEvents / GetTemplate show.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html
 */

export interface UpdateInput {
  StackName: string;
  TemplateBody?: string;
  UsePreviousTemplate?: boolean;
  Parameters?: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
  Capabilities?: string[];
  RoleARN?: string;
  ClientRequestToken?: string;
}

export class CloudFormation {
  readonly stacks = new Map<string, ModelStack>();

  constructor(
    private readonly world: World,
    readonly engine: CfnEngine,
    /** SSM parameters, for parameters of type AWS::SSM::Parameter::Value<...>. */
    private readonly ssm: Map<string, string>,
  ) {}

  stack(nameOrId: string): ModelStack {
    const s = this.stacks.get(nameOrId) ?? [...this.stacks.values()].find((x) => x.id === nameOrId);
    if (!s) throw awsError('ValidationError', `Stack with id ${nameOrId} does not exist`, 400);
    return s;
  }

  /** A stack deployed a while ago: every resource exists, its tasks run and are healthy. */
  createSettled(name: string, template: Template, parameters: Record<string, string>, options: { status?: string; roleArn?: string } = {}): ModelStack {
    const values = this.parameterValues(template, parameters, {});
    const stack = new ModelStack(this.world, name, template, values, this.resolveSsm(template, values));
    // What cdk deploy passes.
    stack.capabilities = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
    stack.roleArn = options.roleArn;
    this.stacks.set(name, stack);
    stack.createSettled(options.status ?? 'UPDATE_COMPLETE');
    return stack;
  }

  /**
   * Parameter values of an update. A parameter given with UsePreviousValue keeps its value; one
   * not given at all takes the template's Default (not its previous value), and one with neither
   * is refused. Values are checked against AllowedValues, AllowedPattern, MinValue and MaxValue.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
   */
  private parameterValues(template: Template, given: Record<string, string | { previous: true }>, previous: Record<string, string>): Record<string, string> {
    const declared = template.Parameters ?? {};
    const unknown = Object.keys(given).filter((k) => !(k in declared));
    if (unknown.length) throw awsError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`, 400);
    const out: Record<string, string> = {};
    const missing: string[] = [];
    for (const [key, p] of Object.entries(declared)) {
      const g = given[key];
      const value = typeof g === 'object' ? previous[key] : g ?? (p.Default === undefined ? undefined : String(p.Default));
      if (value === undefined) {
        missing.push(key);
        continue;
      }
      if (p.AllowedValues && !p.AllowedValues.map(String).includes(value)) {
        throw awsError('ValidationError', `Parameter '${key}' must be one of AllowedValues`, 400);
      }
      if (p.AllowedPattern && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) {
        throw awsError('ValidationError', p.ConstraintDescription ? `Parameter '${key}' failed to satisfy constraint: ${p.ConstraintDescription}` : `Parameter '${key}' must match pattern ${p.AllowedPattern}`, 400);
      }
      if (p.Type === 'Number' && (Number.isNaN(Number(value)) || value.trim() === '')) throw awsError('ValidationError', `Parameter '${key}' must be a number`, 400);
      if (p.MaxValue !== undefined && Number(value) > Number(p.MaxValue)) throw awsError('ValidationError', `Parameter '${key}' must be a number not greater than ${p.MaxValue}`, 400);
      if (p.MinValue !== undefined && Number(value) < Number(p.MinValue)) throw awsError('ValidationError', `Parameter '${key}' must be a number not less than ${p.MinValue}`, 400);
      out[key] = value;
    }
    if (missing.length) throw awsError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`, 400);
    return out;
  }

  /**
   * SSM-typed parameters are resolved by CloudFormation at every create and update.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types
   */
  private resolveSsm(template: Template, values: Record<string, string>): Record<string, string> {
    const out = { ...values };
    for (const [key, p] of Object.entries(template.Parameters ?? {})) {
      if (!p.Type.startsWith('AWS::SSM::Parameter::Value<')) continue;
      const v = this.ssm.get(values[key]);
      if (v === undefined) throw awsError('ValidationError', `Unable to fetch parameters [${values[key]}] from parameter store for this account.`, 400);
      out[key] = v;
    }
    return out;
  }

  /**
   * UpdateStack. Refused while the stack is busy or in UPDATE_ROLLBACK_FAILED, with the message
   * AWS gives ("Stack:<arn> is in UPDATE_IN_PROGRESS state and can not be updated."), and when
   * nothing would change ("No updates are to be performed."), both as ValidationError.
   * https://github.com/stratospheric-dev/stratospheric/issues/21 (the exact message)
   * https://github.com/Nextdoor/kingpin/issues/298 ("No updates are to be performed." is a ValidationError)
   */
  updateStack(input: UpdateInput): { StackId: string } {
    const stack = this.stack(input.StackName);
    const request = JSON.stringify({ ...input, StackName: stack.name });
    if (input.ClientRequestToken && stack.tokens.includes(input.ClientRequestToken)) {
      // The token lets CloudFormation recognize a retry of a request it already received.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html#API_UpdateStack_RequestParameters
      // assumed: a retry of the latest operation with the same request is answered with its
      // StackId and starts nothing; the token of an older operation, or with another request, is
      // refused with TokenAlreadyExistsException (the error UpdateStack documents).
      if (stack.tokens[stack.tokens.length - 1] === input.ClientRequestToken && stack.operation?.request === request) return { StackId: stack.id };
      throw awsError('TokenAlreadyExistsException', `Another Stack operation with the same client request token ${input.ClientRequestToken} already exists.`, 400);
    }
    if (stack.busy() || stack.status === 'UPDATE_ROLLBACK_FAILED') {
      throw awsError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`, 400);
    }
    let template: Template;
    if (input.UsePreviousTemplate) template = stack.template;
    else if (input.TemplateBody) template = JSON.parse(input.TemplateBody) as Template;
    else throw awsError('ValidationError', 'Either Template URL or Template Body must be specified.', 400);
    const given: Record<string, string | { previous: true }> = {};
    for (const p of input.Parameters ?? []) {
      if (p.UsePreviousValue && p.ParameterValue !== undefined) throw awsError('ValidationError', `Invalid input for parameter key ${p.ParameterKey}. Cannot specify usePreviousValue as true and non empty value for a parameter`, 400);
      if (p.UsePreviousValue && !(p.ParameterKey in stack.parameters)) throw awsError('ValidationError', `Invalid input for parameter key ${p.ParameterKey}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`, 400);
      given[p.ParameterKey] = p.UsePreviousValue ? { previous: true } : (p.ParameterValue ?? '');
    }
    const values = this.parameterValues(template, given, stack.parameters);
    const resolved = this.resolveSsm(template, values);
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#using-iam-capabilities
    for (const cap of requiredCapabilities(template)) {
      if (!(input.Capabilities ?? []).includes(cap) && !(cap === 'CAPABILITY_IAM' && input.Capabilities?.includes('CAPABILITY_NAMED_IAM'))) {
        throw awsError('InsufficientCapabilitiesException', `Requires capabilities : [${cap}]`, 400);
      }
    }
    // The role named is used and kept for later operations; without one, the stack's role.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
    const roleArn = input.RoleARN ?? stack.roleArn;
    const same = JSON.stringify(template) === JSON.stringify(stack.template) && JSON.stringify(values) === JSON.stringify(stack.parameters) && JSON.stringify(resolved) === JSON.stringify(stack.resolvedParameters);
    if (same && roleArn === stack.roleArn) throw awsError('ValidationError', 'No updates are to be performed.', 400);
    const previous = { template: stack.template, parameters: stack.parameters, resolved: stack.resolvedParameters };
    // assumed: DescribeStacks shows the new parameter values from the start of the update, and
    // the previous ones again once a rollback starts.
    stack.template = template;
    stack.parameters = values;
    stack.resolvedParameters = resolved;
    stack.roleArn = roleArn;
    stack.capabilities = [...(input.Capabilities ?? [])];
    this.engine.start(stack, { token: input.ClientRequestToken, previous, changed: [], obsolete: [], request });
    return { StackId: stack.id };
  }

  continueUpdateRollback(input: { StackName: string; ResourcesToSkip?: string[]; RoleARN?: string }): object {
    const stack = this.stack(input.StackName);
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED') {
      throw awsError('ValidationError', `Stack ${stack.id} is in ${stack.status} state and can not continue update rollback.`, 400);
    }
    if (input.RoleARN) stack.roleArn = input.RoleARN;
    this.engine.continueRollback(stack, input.ResourcesToSkip ?? []);
    return {};
  }

  cancelUpdateStack(input: { StackName: string }): object {
    const stack = this.stack(input.StackName);
    if (stack.status !== 'UPDATE_IN_PROGRESS') throw awsError('ValidationError', `CancelUpdateStack cannot be called from current stack status`, 400);
    this.engine.cancel(stack);
    return {};
  }

  describeStacks(input: { StackName?: string }) {
    const stacks = input.StackName ? [this.stack(input.StackName)] : [...this.stacks.values()];
    return {
      Stacks: stacks.map((s) => ({
        StackName: s.name,
        StackId: s.id,
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        CreationTime: s.creationTime,
        LastUpdatedTime: s.lastUpdatedTime,
        Capabilities: [...s.capabilities],
        RoleARN: s.roleArn,
        Parameters: Object.entries(s.parameters).map(([ParameterKey, ParameterValue]) =>
          s.resolvedParameters[ParameterKey] !== ParameterValue ? { ParameterKey, ParameterValue, ResolvedValue: s.resolvedParameters[ParameterKey] } : { ParameterKey, ParameterValue },
        ),
        Outputs: Object.entries(s.outputs()).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      })),
    };
  }

  /** Newest first. https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html */
  describeStackEvents(input: { StackName: string }) {
    return { StackEvents: [...this.stack(input.StackName).events].reverse().map((e) => ({ ...e })) };
  }

  getTemplate(input: { StackName: string }) {
    return { TemplateBody: JSON.stringify(this.stack(input.StackName).template), StagesAvailable: ['Original', 'Processed'] };
  }

  describeStackResources(input: { StackName: string; LogicalResourceId?: string }) {
    const s = this.stack(input.StackName);
    const all = [...s.resources.values()].filter((r) => !input.LogicalResourceId || r.logicalId === input.LogicalResourceId);
    return { StackResources: all.map((r) => ({ StackName: s.name, StackId: s.id, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type, ResourceStatus: 'UPDATE_COMPLETE', Timestamp: new Date(this.world.now()) })) };
  }
}

/** IAM resources need CAPABILITY_IAM; named ones CAPABILITY_NAMED_IAM. */
export function requiredCapabilities(template: Template): string[] {
  const iam = Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::IAM::'));
  if (!iam.length) return [];
  const named = iam.some((r) => r.Properties && ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'].some((k) => k in r.Properties!));
  return named ? ['CAPABILITY_NAMED_IAM'] : ['CAPABILITY_IAM'];
}
