import { checkBuildOptions } from '../../src/build/options';
import { runBuild } from '../../src/commands/build';
import { FakeDocker, REGISTRY, Registry, SecretStore } from './fakes';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

describe('bluegreen-fleet build: option parsing', () => {
  const base = { repository: 'bluegreen-fleet/api', tag: ['v1'], context: os.tmpdir() };

  test('--secret <id> reads <prefix><id>; --secret id=name names the secret; the prefix defaults to bluegreen-fleet/build/', () => {
    expect(checkBuildOptions({ ...base, secret: ['git-deploy-key', 'npm=arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:x-AbCdEf'] }).secrets).toEqual([
      { id: 'git-deploy-key', secretId: 'bluegreen-fleet/build/git-deploy-key' },
      { id: 'npm', secretId: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:x-AbCdEf' },
    ]);
    expect(checkBuildOptions({ ...base, secret: ['token'], secretPrefix: 'team/' }).secrets).toEqual([{ id: 'token', secretId: 'team/token' }]);
    expect(() => checkBuildOptions({ ...base, secret: ['=x'] })).toThrow(/must be <id> or <id>=/);
    expect(() => checkBuildOptions({ ...base, secret: ['id='] })).toThrow(/names no valid Secrets Manager secret/);
  });

  test('--build-arg KEY=VALUE keeps "=" inside values', () => {
    expect(checkBuildOptions({ ...base, buildArg: ['A=1', 'URL=http://x/?a=b'] }).buildArgs).toEqual({ A: '1', URL: 'http://x/?a=b' });
    expect(() => checkBuildOptions({ ...base, buildArg: ['NOVALUE'] })).toThrow(/must be KEY=VALUE/);
  });
});

describe('bluegreen-fleet build: the command line', () => {
  test('--help and a usage error do not load the AWS SDK or the build module', async () => {
    let loaded = 0;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('@aws-sdk/client-secrets-manager', () => {
        loaded++;
        return {};
      });
      jest.doMock('../../src/commands/build', () => {
        loaded++;
        return {};
      });
      const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const { main } = await import('../../src/cli/main');
        expect(await main(['node', 'bluegreen-fleet', 'build', '--help'])).toBe(0);
        expect(await main(['node', 'bluegreen-fleet', 'build', '--tag', 'v1'])).toBe(2);
        expect(String(out.mock.calls.flat().join(''))).toMatch(/--secret <id\[=secret\]>/);
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
    });
    expect(loaded).toBe(0);
  });

  test('runBuild builds with the parsed options and prints the pinned image as JSON', async () => {
    const store = new SecretStore();
    store.values.set('bluegreen-fleet/build/git-deploy-key', { SecretString: 'a-deploy-key-value' });
    const registry = new Registry();
    const docker = new FakeDocker(registry);
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-cmd-test-'));
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-cmd-context-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const code = await runBuild(
        { repository: 'bluegreen-fleet/api', tag: ['v2'], secret: ['git-deploy-key'], push: true, json: true, tmpDir, context },
        { secretsManager: store.client, ecr: registry.client, run: docker.run, log: () => undefined, env: {} },
      );
      expect(code).toBe(0);
      expect(JSON.parse(log.mock.calls[0][0])).toEqual({
        images: [`${REGISTRY}/bluegreen-fleet/api:v2`],
        digest: `sha256:${'c'.repeat(64)}`,
        pinned: `${REGISTRY}/bluegreen-fleet/api@sha256:${'c'.repeat(64)}`,
      });
      expect(docker.argsOf('build')[0].slice(-1)).toEqual([context]);
      expect(fs.readdirSync(tmpDir)).toEqual([]);
    } finally {
      log.mockRestore();
      store.mock.restore();
      registry.mock.restore();
      fs.rmSync(tmpDir, { recursive: true, force: true });
      fs.rmSync(context, { recursive: true, force: true });
    }
  });
});
