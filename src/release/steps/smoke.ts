import { InvokeCommand } from '@aws-sdk/client-lambda';
import { call, ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { SmokeCheckRequest, SmokeCheckResult } from '../../../constructs/contract';
import { requireOutput, StackState } from '../core/stack-state';

/** The URL the smoke check calls: the test listener, which forwards to the standby fleet. */
export function testListenerUrl(state: StackState, path: string): string {
  const host = requireOutput(state, 'LoadBalancerDnsName', 'for the smoke check');
  const port = requireOutput(state, 'TestListenerPort', 'for the smoke check');
  return `http://${host}:${port}${path}`;
}

/**
 * Runs the service's smoke check through the test listener from inside the VPC (the CLI runs
 * outside it): the smoke-check Lambda makes the request and answers pass/fail.
 */
export async function runSmokeCheck(ctx: ReleaseContext, state: StackState, path: string): Promise<SmokeCheckResult> {
  const functionName = requireOutput(state, 'SmokeCheckFunctionName', 'for the smoke check');
  const request: SmokeCheckRequest = { url: testListenerUrl(state, path) };
  const out = await call(ctx, 'Invoke', `Lambda ${functionName}`, () =>
    ctx.clients.lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) })),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    throw new ReleaseError(ExitCode.Error, `smoke-check Lambda ${functionName} failed (${out.FunctionError}): ${text.slice(0, 300)}`);
  }
  try {
    return JSON.parse(text) as SmokeCheckResult;
  } catch {
    throw new ReleaseError(ExitCode.Error, `smoke-check Lambda ${functionName} answered something that is not JSON: ${text.slice(0, 300)}`);
  }
}
