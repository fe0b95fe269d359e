import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { createServer as createTlsServer, Server as TlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { handler } from '../../lambda/smoke-check';

const tlsDir = path.join(__dirname, 'fixtures', 'tls');
const ca = fs.readFileSync(path.join(tlsDir, 'ca.pem'));

function listen(server: Server | TlsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function answer(req: IncomingMessage, res: { statusCode: number; end(body?: string): void }): void {
  if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000).unref();
  const status = /^\/status\/(\d{3})$/.exec(req.url ?? '');
  res.statusCode = status ? Number(status[1]) : req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 500;
  res.end('body');
}

describe('smoke-check, HTTP test listener', () => {
  let server: Server;
  let origin: string;
  let requests = 0;
  let connections = 0;
  let headers: IncomingMessage['headers'][] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      headers.push(req.headers);
      answer(req, res);
    });
    server.on('connection', () => (connections += 1));
    origin = `http://127.0.0.1:${await listen(server)}`;
  });
  beforeEach(() => {
    process.env.ALLOWED_ORIGIN = origin;
    delete process.env.TLS_SERVER_NAME;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a 2xx answer passes, with status and latency', async () => {
    expect(await handler({ url: `${origin}/healthz` })).toEqual({ pass: true, url: `${origin}/healthz`, status: 200, latencyMs: expect.any(Number) });
  });

  test('5xx and redirects fail (a redirect is not followed)', async () => {
    expect(await handler({ url: `${origin}/boom` })).toMatchObject({ pass: false, status: 500 });
    expect(await handler({ url: `${origin}/moved` })).toMatchObject({ pass: false, status: 302 });
  });

  test('the 2xx range is exactly 200 to 299: 299 passes, 300 fails', async () => {
    expect(await handler({ url: `${origin}/status/299` })).toMatchObject({ pass: true, status: 299 });
    expect(await handler({ url: `${origin}/status/300` })).toMatchObject({ pass: false, status: 300 });
    expect(await handler({ url: `${origin}/status/204` })).toMatchObject({ pass: true, status: 204 });
  });

  test('no answer within the timeout fails and says so', async () => {
    expect(await handler({ url: `${origin}/slow`, timeoutMs: 150 })).toMatchObject({ pass: false, error: 'no answer within 150 ms' });
  });

  test('only the test listener may be called: another host, port or scheme is refused without a request', async () => {
    const before = requests;
    expect(await handler({ url: 'http://169.254.169.254/latest/meta-data' })).toMatchObject({ pass: false, error: expect.stringMatching(/is not the test listener/) });
    expect(await handler({ url: `${origin.replace(/:\d+$/, ':1')}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/is not the test listener/) });
    expect(await handler({ url: `ftp://${origin.slice('http://'.length)}/etc/passwd` })).toMatchObject({ pass: false, error: expect.stringMatching(/is not the test listener/) });
    expect(await handler({ url: 'not a url' })).toMatchObject({ pass: false, error: 'not a URL' });
    delete process.env.ALLOWED_ORIGIN;
    expect(await handler({ url: `${origin}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/\(unset\)/) });
    expect(requests).toBe(before);
  });

  test('an https URL to an HTTP listener is called over HTTP: the listener, not the caller, says the protocol', async () => {
    const asked = `${origin.replace('http:', 'https:')}/healthz`;
    expect(await handler({ url: asked })).toMatchObject({ pass: true, status: 200, url: `${origin}/healthz` });
  });

  test('the latency is the time the answer took, not a sum of clock readings', async () => {
    const before = Date.now();
    const result = await handler({ url: `${origin}/healthz` });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeLessThanOrEqual(Date.now() - before);
    const failed = await handler({ url: `${origin}/slow`, timeoutMs: 150 });
    expect(failed.latencyMs).toBeGreaterThanOrEqual(140);
    expect(failed.latencyMs).toBeLessThan(2000);
  });

  test('an event without a URL, or no event at all, fails as "not a URL" instead of throwing', async () => {
    expect(await handler({} as never)).toEqual({ pass: false, url: '', latencyMs: 0, error: 'not a URL' });
    expect(await handler(undefined as never)).toEqual({ pass: false, url: '', latencyMs: 0, error: 'not a URL' });
  });

  test('an ALLOWED_ORIGIN that is not http(s) allows nothing', async () => {
    const before = requests;
    process.env.ALLOWED_ORIGIN = origin.replace('http:', 'ftp:');
    expect(await handler({ url: `${origin}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/is not the test listener \(ftp:/) });
    expect(requests).toBe(before);
  });

  test('the request says it is the smoke check (user-agent), and Host stays the listener\'s over HTTP even with a TLS server name set', async () => {
    headers = [];
    process.env.TLS_SERVER_NAME = 'api.internal.example';
    expect(await handler({ url: `${origin}/healthz` })).toMatchObject({ pass: true });
    expect(headers).toEqual([expect.objectContaining({ 'user-agent': 'bluegreen-fleet-smoke-check', host: origin.slice('http://'.length) })]);
  });

  test('each check opens its own connection: no socket is kept for the next invocation, which may come after the function was frozen', async () => {
    // A kept-alive socket can be closed by the peer while the Lambda environment is frozen and
    // fail the next request (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
    // "freezes the execution environment"); Node.js's global agent keeps sockets alive since
    // Node.js 19 (https://nodejs.org/api/http.html#httpglobalagent).
    const before = connections;
    await handler({ url: `${origin}/healthz` });
    await handler({ url: `${origin}/healthz` });
    expect(connections - before).toBe(2);
  });

  test('a connection error fails with its code', async () => {
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    process.env.ALLOWED_ORIGIN = `http://127.0.0.1:${port}`;
    expect(await handler({ url: `http://127.0.0.1:${port}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/^ECONNREFUSED: /) });
  });
});

describe('smoke-check, HTTPS test listener (a certificate on the service)', () => {
  let server: TlsServer;
  let port: number;
  let seen: { sni: string | false | null | undefined; host: string | undefined }[] = [];
  beforeAll(async () => {
    server = createTlsServer({ cert: fs.readFileSync(path.join(tlsDir, 'server.pem')), key: fs.readFileSync(path.join(tlsDir, 'server.key')) }, (req, res) => {
      seen.push({ sni: (req.socket as TLSSocket).servername, host: req.headers.host });
      answer(req, res);
    });
    port = await listen(server);
  });
  beforeEach(() => {
    seen = [];
    // What ReleaseSupport writes for an HTTPS test listener (test/constructs/release/release-support.test.ts).
    process.env.ALLOWED_ORIGIN = `https://127.0.0.1:${port}`;
    process.env.TLS_SERVER_NAME = 'api.internal.example';
  });
  afterAll(() => {
    delete process.env.TLS_SERVER_NAME;
    server.closeAllConnections();
    server.close();
  });

  test('the http:// URL the CLI builds is called over TLS, with the service name as SNI and Host', async () => {
    const result = await handler({ url: `http://127.0.0.1:${port}/healthz` }, { ca });
    expect(result).toEqual({ pass: true, url: `https://127.0.0.1:${port}/healthz`, status: 200, latencyMs: expect.any(Number) });
    expect(seen).toEqual([{ sni: 'api.internal.example', host: `api.internal.example:${port}` }]);
  });

  test('no answer within the timeout over TLS fails and says so, as over HTTP', async () => {
    expect(await handler({ url: `https://127.0.0.1:${port}/slow`, timeoutMs: 150 }, { ca })).toMatchObject({ pass: false, error: 'no answer within 150 ms' });
  });

  test('a failing answer over TLS fails with its status', async () => {
    expect(await handler({ url: `https://127.0.0.1:${port}/boom` }, { ca })).toMatchObject({ pass: false, status: 500 });
  });

  test('a certificate that is not for the service name fails the check, naming the name', async () => {
    process.env.TLS_SERVER_NAME = 'other.internal.example';
    const result = await handler({ url: `https://127.0.0.1:${port}/healthz` }, { ca });
    expect(result).toMatchObject({ pass: false, error: expect.stringMatching(/^TLS: the test listener's certificate is not for other\.internal\.example/) });
    expect(seen).toEqual([]);
  });

  test('a certificate no trusted CA issued fails the check, with or without a server name', async () => {
    expect(await handler({ url: `https://127.0.0.1:${port}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/^TLS: the test listener's certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT)/) });
    delete process.env.TLS_SERVER_NAME;
    expect(await handler({ url: `https://127.0.0.1:${port}/healthz` })).toMatchObject({ pass: false, error: expect.stringMatching(/^TLS: .* not trusted/) });
    expect(seen).toEqual([]);
  });

  test('a private root given in TLS_TRUSTED_CA is trusted beside the public roots (the environment, not the test\'s ca option)', async () => {
    process.env.TLS_TRUSTED_CA = ca.toString('utf8');
    try {
      expect(await handler({ url: `https://127.0.0.1:${port}/healthz` })).toMatchObject({ pass: true, status: 200 });
      expect(seen).toEqual([{ sni: 'api.internal.example', host: `api.internal.example:${port}` }]);
    } finally {
      delete process.env.TLS_TRUSTED_CA;
    }
  });

  test('the certificate is verified even when the environment turns verification off (NODE_TLS_REJECT_UNAUTHORIZED=0)', async () => {
    // Node.js takes tls.connect's default for rejectUnauthorized from that variable
    // (https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue); the check sets it
    // itself. Node reads the real process environment, which jest's sandbox copies, so the
    // handler runs in a child process here.
    const script = [
      `const { handler } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'scripts', 'require-ts.js'))}).requireTs(${JSON.stringify(path.join(__dirname, '..', '..', 'lambda', 'smoke-check', 'index.ts'))});`,
      `handler({ url: process.argv[1] }).then((r) => process.stdout.write(JSON.stringify(r)));`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, `https://127.0.0.1:${port}/healthz`], {
      env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ pass: false, error: expect.stringMatching(/^TLS: .* not trusted/) });
    expect(seen).toEqual([]);
  });

  test('each check over TLS opens its own connection, as over HTTP', async () => {
    let connections = 0;
    const count = () => (connections += 1);
    server.on('secureConnection', count);
    try {
      await handler({ url: `https://127.0.0.1:${port}/healthz` }, { ca });
      await handler({ url: `https://127.0.0.1:${port}/healthz` }, { ca });
      expect(connections).toBe(2);
    } finally {
      server.off('secureConnection', count);
    }
  });

  test('without a server name the chain is still checked, the name is not (the load balancer\'s own name is on no certificate)', async () => {
    delete process.env.TLS_SERVER_NAME;
    expect(await handler({ url: `http://127.0.0.1:${port}/healthz` }, { ca })).toMatchObject({ pass: true, status: 200 });
    expect(seen).toEqual([{ sni: false, host: `127.0.0.1:${port}` }]);
  });
});
