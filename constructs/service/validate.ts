import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { STANDBY_MIN_TASKS_CEILING } from './parameters';

export interface CheckedProps {
  readonly serviceName: string;
  readonly containerPort: number;
  readonly networkMode: ecs.NetworkMode;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly cpuTargetPercent: number;
  readonly prefix: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,23}$/;
const PREFIX = /^([A-Za-z][A-Za-z0-9]{0,31})?$/;
const prefixesByStack = new WeakMap<Stack, Set<string>>();

/** Rejects props that would synthesize a broken service, naming the prop and the value. */
export function validateServiceProps(scope: Construct, props: CheckedProps, listenerPort: number, testListenerPort: number): void {
  const fail = (message: string): never => {
    throw new Error(`BlueGreenService ${scope.node.path}: ${message}`);
  };
  if (!SERVICE_NAME.test(props.serviceName)) {
    fail(`serviceName "${props.serviceName}" must start with a letter and use lowercase letters, digits and dashes, at most 24 characters (it is a DNS label)`);
  }
  const port = (name: string, value: number) => {
    if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1 || value > 65535)) fail(`${name} ${value} must be a port from 1 to 65535`);
  };
  port('containerPort', props.containerPort);
  port('listenerPort', listenerPort);
  port('testListenerPort', testListenerPort);
  if (listenerPort === testListenerPort) fail(`testListenerPort ${testListenerPort} must differ from listenerPort (${listenerPort})`);
  const modes = [ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.HOST, ecs.NetworkMode.BRIDGE];
  if (!modes.includes(props.networkMode)) fail(`networkMode "${props.networkMode}" must be one of ${modes.join(', ')}`);
  if (!Number.isInteger(props.minTasks) || props.minTasks < 1) fail(`minTasks ${props.minTasks} must be a whole number, 1 or more (the live fleet never scales to zero)`);
  if (!Number.isInteger(props.maxTasks) || props.maxTasks < props.minTasks) fail(`maxTasks ${props.maxTasks} must be a whole number, at least minTasks (${props.minTasks})`);
  if (props.maxTasks > STANDBY_MIN_TASKS_CEILING) {
    fail(`maxTasks ${props.maxTasks} must be at most ${STANDBY_MIN_TASKS_CEILING}, the largest StandbyMinTasks the template can clamp to maxTasks`);
  }
  if (!Number.isInteger(props.cpuTargetPercent) || props.cpuTargetPercent < 10 || props.cpuTargetPercent > 90) {
    fail(`cpuTargetPercent ${props.cpuTargetPercent} must be a whole number from 10 to 90`);
  }
  if (!PREFIX.test(props.prefix)) fail(`parameterPrefix "${props.prefix}" must be letters and digits, starting with a letter, at most 32`);
  // Parameters and outputs have fixed logical ids: two services in one stack need two prefixes.
  const stack = Stack.of(scope);
  const used = prefixesByStack.get(stack) ?? new Set<string>();
  if (used.has(props.prefix)) fail(`parameterPrefix "${props.prefix}" is already used by another BlueGreenService in this stack; give each one its own`);
  used.add(props.prefix);
  prefixesByStack.set(stack, used);
}
