import { runAs } from './calls';
import type { Timeline } from './clock';
import { awsError } from './errors';

/**
 * Lambda functions whose code is the real handler module, run in-process by the model.
 *
 * Invoke with RequestResponse runs the handler and answers with its result, or with
 * FunctionError "Unhandled" and the error as payload (status 200: a function error is not an
 * API error). With InvocationType Event the invocation is queued (status 202) and runs a moment
 * later; when the handler fails, Lambda runs it again after one minute and after two more,
 * unless the function's MaximumRetryAttempts says fewer.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */

export type Handler = (event: any) => Promise<any>;

export interface LambdaFunction {
  readonly name: string;
  readonly arn: string;
  environment: Record<string, string>;
  handler?: Handler;
  /** 0..2; Lambda's default for asynchronous invocation is 2. */
  maximumRetryAttempts: number;
}

export interface Invocation {
  readonly functionName: string;
  readonly payload: any;
  readonly type: 'RequestResponse' | 'Event';
  /** 1 for the first run, 2 and 3 for Lambda's retries of an asynchronous invocation. */
  readonly attempt: number;
  readonly at: Date;
  outcome?: 'ok' | 'error';
  error?: string;
}

/** assumed: how long an asynchronous event waits in Lambda's queue before its first run. */
export const QUEUE_DELAY_MS = 100;
/** The documented waits before the two retries of a failed asynchronous invocation. */
export const RETRY_DELAYS_MS = [60_000, 120_000];

export class Lambda {
  readonly functions = new Map<string, LambdaFunction>();
  readonly invocations: Invocation[] = [];

  constructor(
    private readonly timeline: Timeline,
    private readonly now: () => number,
    private readonly region: string,
    private readonly account: string,
  ) {}

  put(name: string, environment: Record<string, string> = {}): LambdaFunction {
    const f = this.functions.get(name) ?? { name, arn: `arn:aws:lambda:${this.region}:${this.account}:function:${name}`, environment, maximumRetryAttempts: 2 };
    f.environment = environment;
    this.functions.set(name, f);
    return f;
  }

  /** A function by name, ARN or partial ARN (`function:<name>`, with an optional qualifier). */
  find(nameOrArn: string): LambdaFunction | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : nameOrArn.split(':')[0];
    return this.functions.get(name);
  }

  get(nameOrArn: string): LambdaFunction {
    const f = this.find(nameOrArn);
    if (!f) throw awsError('ResourceNotFoundException', `Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${nameOrArn}`, 404);
    return f;
  }

  async invoke(input: { FunctionName: string; InvocationType?: string; Payload?: Uint8Array | string }) {
    const f = this.get(input.FunctionName);
    const text = input.Payload === undefined ? '{}' : typeof input.Payload === 'string' ? input.Payload : new TextDecoder().decode(input.Payload);
    const payload = JSON.parse(text);
    if (input.InvocationType === 'DryRun') return { StatusCode: 204 };
    if (input.InvocationType === 'Event') {
      this.enqueue(f, payload, 1, QUEUE_DELAY_MS);
      return { StatusCode: 202 };
    }
    const result = await this.run(f, payload, 'RequestResponse', 1);
    if (result.error) {
      const e = result.error as Error;
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: e.name ?? 'Error', errorMessage: e.message, trace: [] })) };
    }
    return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result.value ?? null)) };
  }

  /** An asynchronous invocation from another service (EventBridge, Scheduler). */
  deliver(nameOrArn: string, payload: any): void {
    this.enqueue(this.get(nameOrArn), payload, 1, QUEUE_DELAY_MS);
  }

  private enqueue(f: LambdaFunction, payload: any, attempt: number, delayMs: number): void {
    this.timeline.at(
      this.now() + delayMs,
      `Lambda ${f.name} attempt ${attempt}`,
      async () => {
        const r = await this.run(f, payload, 'Event', attempt);
        if (r.error && attempt <= f.maximumRetryAttempts) this.enqueue(f, payload, attempt + 1, RETRY_DELAYS_MS[attempt - 1]);
      },
      { async: true },
    );
  }

  /** Runs the handler with the function's environment variables set, its AWS calls attributed to it. */
  private async run(f: LambdaFunction, payload: any, type: Invocation['type'], attempt: number): Promise<{ value?: any; error?: unknown }> {
    const inv: Invocation = { functionName: f.name, payload, type, attempt, at: new Date(this.now()) };
    this.invocations.push(inv);
    if (!f.handler) throw new Error(`model: function ${f.name} has no handler; register one with aws.lambda.handle(...)`);
    const saved = Object.fromEntries(Object.keys(f.environment).map((k) => [k, process.env[k]]));
    Object.assign(process.env, f.environment);
    try {
      const value = await runAs(f.name, () => f.handler!(structuredClone(payload)));
      inv.outcome = 'ok';
      return { value };
    } catch (error) {
      inv.outcome = 'error';
      inv.error = (error as Error).message;
      return { error };
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
}
