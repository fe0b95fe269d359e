import { ECRClient } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

/**
 * Bad `bluegreen-fleet build` command lines: each exits 2 (a usage error) naming the option,
 * before any AWS call (both SDK clients are mocked and must see no command).
 */
const ecr = mockClient(ECRClient);
const sm = mockClient(SecretsManagerClient);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-bad-build-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
});
beforeEach(() => {
  ecr.reset();
  sm.reset();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  ecr.restore();
  sm.restore();
});

const ok = () => ['--repository', 'bluegreen-fleet/api', '--tag', 'v1', '--context', dir];

const CASES: ReadonlyArray<[string, () => string[], string, RegExp?]> = [
  ['no --repository', () => ['--tag', 'v1'], '--repository'],
  ['no --tag', () => ['--repository', 'bluegreen-fleet/api'], '--tag'],
  ['an upper-case repository name', () => [...ok(), '--repository', 'BlueGreen/API'], '--repository', /is not an ECR repository name/],
  ['a repository URI of another registry', () => [...ok(), '--repository', 'docker.io/library/nginx'], '--repository'],
  ['a tag with a colon', () => [...ok(), '--tag', 'v1:latest'], '--tag', /is not a valid image tag/],
  ['a tag starting with a dot', () => [...ok(), '--tag', '.v1'], '--tag'],
  ['a tag of 129 characters', () => [...ok(), '--tag', 'a'.repeat(129)], '--tag'],
  ['the same tag twice', () => [...ok(), '--tag', 'v1'], '--tag', /given twice/],
  ['a context that does not exist', () => [...ok(), '--context', path.join(os.tmpdir(), 'no-such-context-dir')], '--context', /is not a directory/],
  ['a Dockerfile that does not exist', () => [...ok(), '--file', path.join(dir, 'Nope.Dockerfile')], '--file', /is not a file/],
  ['a --secret with an empty id', () => [...ok(), '--secret', '=npm'], '--secret'],
  ['a --secret given twice', () => [...ok(), '--secret', 'npm', '--secret', 'npm'], '--secret', /given twice/],
  ['a --secret that is a token, not a name', () => [...ok(), '--secret', `npm=ghp_${'a1B2'.repeat(9)}`], '--secret', /looks like a secret value/],
  ['a --build-arg without =', () => [...ok(), '--build-arg', 'VERSION'], '--build-arg', /must be KEY=VALUE/],
  ['a --build-arg name with a dash', () => [...ok(), '--build-arg', 'APP-VERSION=1'], '--build-arg', /must be letters, digits and underscores/],
  ['a --build-arg given twice', () => [...ok(), '--build-arg', 'V=1', '--build-arg', 'V=2'], '--build-arg', /given twice/],
  ['a --build-arg named like a password', () => [...ok(), '--build-arg', 'DB_PASS=x'], '--build-arg', /DB_PASS looks like a secret/],
  ['a --build-arg holding an AWS key', () => [...ok(), '--build-arg', 'ID=AKIAIOSFODNN7EXAMPLE'], '--build-arg', /AWS access key id/],
  ['a --build-arg holding a GitHub token', () => [...ok(), '--build-arg', `GH=ghp_${'a1B2'.repeat(9)}`], '--build-arg', /GitHub token/],
  ['a --build-arg holding a URL with a password', () => [...ok(), '--build-arg', 'REGISTRY=https://ci:hunter2@npm.example.com'], '--build-arg', /URL with a password/],
  ['a --build-arg holding a private key', () => [...ok(), '--build-arg', 'KEYDATA=-----BEGIN OPENSSH PRIVATE KEY-----'], '--build-arg', /private key/],
  ['a --build-arg holding a Slack token', () => [...ok(), '--build-arg', 'HOOK=xoxb-123456789012-abcdefghijkl'], '--build-arg', /Slack token/],
  ['a --build-arg holding password=', () => [...ok(), '--build-arg', 'DSN=host=db;password=hunter2'], '--build-arg', /password assignment/],
  ['a --build-arg holding a random key', () => [...ok(), '--build-arg', 'X=Zx8kQ2mN4pL7vR1tY6wE3sA9'], '--build-arg', /random-looking/],
  ['a --platform without an architecture', () => [...ok(), '--platform', 'linux'], '--platform'],
  ['a --target with a space', () => [...ok(), '--target', 'build stage'], '--target'],
  ['a --region that is not one', () => [...ok(), '--region', 'tokyo'], '--region'],
  ['a --tmp-dir that does not exist', () => [...ok(), '--tmp-dir', path.join(os.tmpdir(), 'no-such-tmp-dir')], '--tmp-dir'],
  ['an unknown option', () => [...ok(), '--no-cache'], '--no-cache'],
  ['a --secret-prefix with a space', () => [...ok(), '--secret-prefix', 'team build/'], '--secret-prefix'],
];

describe('bad bluegreen-fleet build invocations', () => {
  // Objects, not rows: a row shorter than the callback's parameters makes jest pass `done`.
  test.each(CASES.map(([name, args, option, message]) => ({ name, args, option, message })))('$name: exit 2, names $option', async ({ args, option, message }) => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const errLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    process.exitCode = undefined;
    try {
      const code = await main(['node', 'bluegreen-fleet', 'build', ...args()]);
      const printed = [...err.mock.calls.map((c) => String(c[0])), ...errLog.mock.calls.map((c) => c.join(' '))].join('\n');
      expect({ code, named: printed.includes(option) }).toEqual({ code: 2, named: true });
      if (message) expect(printed).toMatch(message);
      // The refused value of a secret-looking build argument is never printed.
      expect(printed).not.toMatch(/hunter2|AKIAIOSFODNN7EXAMPLE|Zx8kQ2mN4pL7vR1tY6wE3sA9/);
      expect(ecr.calls().length + sm.calls().length).toBe(0);
    } finally {
      process.exitCode = undefined;
      err.mockRestore();
      errLog.mockRestore();
      out.mockRestore();
      log.mockRestore();
    }
  });

  test('--json prints one JSON object naming the option', async () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['node', 'bluegreen-fleet', 'build', ...ok(), '--tag', 'bad:tag', '--json'])).toBe(2);
      expect(JSON.parse(log.mock.calls[0][0])).toEqual({ error: expect.stringMatching(/^--tag "bad:tag"/), option: '--tag', exitCode: 2 });
    } finally {
      process.exitCode = undefined;
      err.mockRestore();
      log.mockRestore();
    }
  });
});
