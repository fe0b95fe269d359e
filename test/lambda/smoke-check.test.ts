import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { handler } from '../../lambda/smoke-check';

describe('smoke-check', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.statusCode = req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 500;
      res.end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.ALLOWED_ORIGIN = origin;
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

  test('no answer within the timeout fails and says so', async () => {
    expect(await handler({ url: `${origin}/slow`, timeoutMs: 150 })).toMatchObject({ pass: false, error: 'no answer within 150 ms' });
  });

  test('only the test listener may be called: another origin is refused without a request', async () => {
    let called = false;
    const fetcher = (async () => ((called = true), new Response('x'))) as typeof fetch;
    expect(await handler({ url: 'http://169.254.169.254/latest/meta-data' }, fetcher)).toMatchObject({ pass: false, error: expect.stringMatching(/is not the test listener/) });
    expect(await handler({ url: 'not a url' }, fetcher)).toMatchObject({ pass: false, error: 'not a URL' });
    expect(called).toBe(false);
  });

  test('a connection error fails with its name', async () => {
    server.closeAllConnections();
    const fetcher = (async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TypeError' }))) as typeof fetch;
    expect(await handler({ url: `${origin}/healthz` }, fetcher)).toMatchObject({ pass: false, error: 'TypeError: connect ECONNREFUSED' });
  });
});
