import { AsyncLocalStorage } from 'node:async_hooks';
import { accessDenied, awsError, timeoutError } from './errors';

/** Who made a call: the code under test (`client`) or an in-cloud handler (its function name). */
const origin = new AsyncLocalStorage<string>();

export function currentOrigin(): string {
  return origin.getStore() ?? 'client';
}

/** Runs `fn` with every AWS call it makes attributed to `name` (an in-cloud handler). */
export function runAs<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return origin.run(name, fn);
}

export interface Call {
  readonly service: string;
  readonly operation: string;
  readonly input: any;
  /** `client` for the code under test, else the function name of the handler that called. */
  readonly origin: string;
  readonly at: Date;
}

export type FaultKind = 'throttle' | '5xx' | 'access-denied' | 'timeout' | 'error';

export interface Fault {
  readonly operation: string;
  readonly kind: FaultKind;
  /** How many matching calls fail (then the operation works again). */
  times: number;
  /** For kind 'error': what to throw. */
  readonly error?: Error;
  /** Fail after the call took effect (a lost response): a retry finds the work done. */
  readonly afterEffect?: boolean;
  /** Only calls whose input (and origin) this accepts. */
  readonly when?: (input: any, origin: string) => boolean;
}

export interface Hook {
  readonly operation: string;
  /** Runs before the answer to the nth matching call (1-based, counted from when it was added). */
  readonly nth: number;
  readonly run: (input: any) => void | Promise<void>;
  /** Which callers count; default only the code under test. */
  readonly origin?: string | ((origin: string) => boolean);
  seen: number;
  done: boolean;
}

export const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/release/alice';

/**
 * The faults of each kind as the SDK sees them. Throttling is a 400 with the service's throttling
 * code; an internal error a 500/503; retried by the SDK's standard retry strategy only when the
 * client allows attempts (the release CLI builds its clients with maxAttempts 1).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function faultError(f: Fault, service: string): Error {
  switch (f.kind) {
    case 'throttle':
      return awsError(service === 'cloudformation' || service === 'elasticloadbalancing' ? 'Throttling' : 'ThrottlingException', 'Rate exceeded', 400);
    case '5xx':
      return awsError('InternalFailure', 'We encountered an internal error. Please try again.', 503);
    case 'access-denied':
      return accessDenied(service, f.operation, PRINCIPAL);
    case 'timeout':
      return timeoutError();
    default:
      return f.error ?? awsError('ValidationError', 'injected failure', 400);
  }
}

/** The calls, faults and interleave hooks of one model. */
export class CallLog {
  readonly calls: Call[] = [];
  readonly faults: Fault[] = [];
  readonly hooks: Hook[] = [];

  count(operation: string, from: string | undefined = 'client'): number {
    return this.calls.filter((c) => c.operation === operation && (from === undefined || c.origin === from)).length;
  }

  /** The first fault that applies to this call, consumed. */
  takeFault(operation: string, input: any, from: string): Fault | undefined {
    const f = this.faults.find((x) => x.operation === operation && x.times > 0 && (!x.when || x.when(input, from)));
    if (f) f.times--;
    return f;
  }

  /** Runs the hooks due before answering this call, in the order they were added. */
  async runHooks(operation: string, input: any, from: string): Promise<void> {
    for (const h of this.hooks) {
      if (h.done || h.operation !== operation) continue;
      const accepts = h.origin === undefined ? from === 'client' : typeof h.origin === 'string' ? h.origin === from : h.origin(from);
      if (!accepts) continue;
      h.seen++;
      if (h.seen === h.nth) {
        h.done = true;
        await h.run(input);
      }
    }
  }
}
