import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates, type PeerCertificate } from 'node:tls';
import { LAMBDA_ENV } from '../../constructs/contract/names';
import type { SmokeCheckRequest, SmokeCheckResult } from '../../constructs/contract';

/**
 * The release's smoke check, run from inside the VPC: one GET through the test listener (the
 * standby fleet). Answers pass/fail with status and latency; never throws for a failed check, so
 * the caller can tell "the service failed" from "the check could not run". Only the configured
 * origin (the load balancer's test listener) may be called.
 *
 * The protocol is the test listener's, from `ALLOWED_ORIGIN`'s scheme (ReleaseSupport writes
 * `https://` when the listener has a certificate): an HTTPS listener terminates TLS, so a plain
 * HTTP request to it fails
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html).
 * The request's own scheme is not trusted: the CLI builds the URL from stack outputs that do not
 * say the protocol.
 *
 * Over HTTPS the certificate is always verified against the CAs Node.js trusts (public ACM
 * certificates chain to Amazon Trust Services roots, which Node.js bundles; a private CA's root
 * has to be added with `NODE_EXTRA_CA_CERTS`). With `TLS_SERVER_NAME` the check sends that name as
 * SNI, which the load balancer picks the listener's certificate by (the default certificate when
 * no name or no match), and as `Host`, and the certificate must be for it
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html).
 * Without it only the chain and the dates are verified, not the name: the load balancer is
 * reached by its own DNS name, which no certificate can name.
 */

const DEFAULT_TIMEOUT_MS = 5000;

/** What a test gives instead of the environment's: the CAs to trust (they replace Node's roots). */
export interface SmokeCheckOptions {
  readonly ca?: string | Buffer;
}

export async function handler(event: SmokeCheckRequest, options: SmokeCheckOptions = {}): Promise<SmokeCheckResult> {
  const allowedOrigin = process.env[LAMBDA_ENV.allowedOrigin];
  const requested = event?.url ?? '';
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return { pass: false, url: requested, latencyMs: 0, error: 'not a URL' };
  }
  const allowed = parseOrigin(allowedOrigin);
  if (!allowed || (asked.protocol !== 'http:' && asked.protocol !== 'https:') || asked.host !== allowed.host) {
    return { pass: false, url: requested, latencyMs: 0, error: `origin ${asked.origin} is not the test listener (${allowedOrigin ?? 'unset'})` };
  }
  const target = new URL(`${asked.pathname}${asked.search}`, allowed.origin);
  const url = target.toString();
  const timeoutMs = Math.min(Math.max(event.timeoutMs ?? DEFAULT_TIMEOUT_MS, 100), 25_000);
  const serverName = target.protocol === 'https:' ? process.env[LAMBDA_ENV.tlsServerName] || undefined : undefined;
  const started = Date.now();
  try {
    const status = await get(target, { timeoutMs, serverName, ca: options.ca ?? trustedCas() });
    return { pass: status >= 200 && status < 300, url, status, latencyMs: Date.now() - started };
  } catch (error) {
    return { pass: false, url, latencyMs: Date.now() - started, error: describe(error, timeoutMs, serverName) };
  }
}

function parseOrigin(origin: string | undefined): URL | undefined {
  if (!origin) return undefined;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

interface GetOptions {
  readonly timeoutMs: number;
  readonly serverName?: string;
  readonly ca?: string | Buffer | string[];
}

/** One GET; resolves with the status (a redirect is not followed), rejects on a network or TLS error or the timeout. */
function get(url: URL, o: GetOptions): Promise<number> {
  const headers: Record<string, string> = { 'user-agent': 'bluegreen-fleet-smoke-check' };
  if (o.serverName) headers.host = url.port ? `${o.serverName}:${url.port}` : o.serverName;
  const common = { method: 'GET', headers, signal: AbortSignal.timeout(o.timeoutMs) };
  // Node.js sends SNI only for a host name, and checks the certificate against `servername`. Keys
  // are left out rather than set to undefined: tls.connect asserts on an undefined checkServerIdentity.
  const tls: https.RequestOptions = { rejectUnauthorized: true, agent: false };
  if (o.ca !== undefined) tls.ca = o.ca;
  if (o.serverName) tls.servername = o.serverName;
  // Without a server name the certificate can only be checked for its chain and dates (Node has
  // done that before this is called): the load balancer's own name is on no certificate.
  else tls.checkServerIdentity = (_host: string, _cert: PeerCertificate) => undefined;
  return new Promise((resolve, reject) => {
    const onResponse = (response: http.IncomingMessage): void => {
      response.resume();
      resolve(response.statusCode ?? 0);
    };
    const request = url.protocol === 'https:' ? https.request(url, { ...common, ...tls }, onResponse) : http.request(url, { ...common, agent: false }, onResponse);
    request.on('error', reject);
    request.end();
  });
}

/**
 * Node's public roots plus `TLS_TRUSTED_CA` when set: a listener certificate from AWS Private CA
 * chains to the organisation's own root, which no public store holds. Node's `ca` option replaces
 * the default roots, so they are passed along (https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions,
 * `ca` and `tls.rootCertificates`).
 */
function trustedCas(): string[] | undefined {
  const extra = process.env[LAMBDA_ENV.tlsTrustedCa];
  return extra ? [...rootCertificates, extra] : undefined;
}

function describe(error: unknown, timeoutMs: number, serverName: string | undefined): string {
  const e = error as NodeJS.ErrnoException;
  // The request's signal is AbortSignal.timeout's, and Node.js ends a request whose signal fires
  // with an AbortError (its cause the signal's TimeoutError), over HTTP and HTTPS alike
  // (https://nodejs.org/api/http.html#httprequesturl-options-callback, `signal`).
  if (e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: the test listener's certificate is not for ${serverName}: ${e.message}`;
  if (e.code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(e.code)) return `TLS: the test listener's certificate is not trusted (${e.code}): ${e.message}`;
  return `${e.code ?? e.name}: ${e.message}`;
}
