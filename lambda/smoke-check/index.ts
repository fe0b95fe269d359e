import type { SmokeCheckRequest, SmokeCheckResult } from '../../constructs/contract';

/**
 * The release's smoke check, run from inside the VPC: one HTTP GET through the test listener
 * (the standby fleet). Answers pass/fail with status and latency; never throws for a failed
 * check, so the caller can tell "the service failed" from "the check could not run". Only the
 * configured origin (the load balancer's test listener) may be called.
 */

const DEFAULT_TIMEOUT_MS = 5000;

export async function handler(event: SmokeCheckRequest, fetcher: typeof fetch = fetch): Promise<SmokeCheckResult> {
  const allowed = process.env.ALLOWED_ORIGIN;
  const url = event?.url ?? '';
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return { pass: false, url, latencyMs: 0, error: 'not a URL' };
  }
  if (!allowed || origin !== new URL(allowed).origin) {
    return { pass: false, url, latencyMs: 0, error: `origin ${origin} is not the test listener (${allowed ?? 'unset'})` };
  }
  const timeoutMs = Math.min(Math.max(event.timeoutMs ?? DEFAULT_TIMEOUT_MS, 100), 25_000);
  const started = Date.now();
  try {
    const response = await fetcher(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'bluegreen-fleet-smoke-check' } });
    await response.body?.cancel();
    const latencyMs = Date.now() - started;
    return { pass: response.status >= 200 && response.status < 300, url, status: response.status, latencyMs };
  } catch (error) {
    const e = error as Error;
    return { pass: false, url, latencyMs: Date.now() - started, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.name}: ${e.message}` };
  }
}
