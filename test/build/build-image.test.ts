import { DescribeImagesCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILD_SECRET_PLACEHOLDER_FIELD } from '../../constructs';
import { buildImage, BuildImageOptions, SignalHooks } from '../../src/build/build-image';
import { FakeDocker, REGISTRY, REGISTRY_PASSWORD, Registry, SecretStore } from './fakes';

const DEPLOY_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';
const NPM_TOKEN = 'npm_abcdefghijklmnopqrstuvwxyz0123456789';
const URI = `${REGISTRY}/bluegreen-fleet/api`;

const SECRETS = [
  { id: 'git-deploy-key', secretId: 'bluegreen-fleet/build/git-deploy-key' },
  { id: 'npm-registry-token', secretId: 'bluegreen-fleet/build/npm-registry-token' },
];

class FakeSignals implements SignalHooks {
  readonly emitter = new EventEmitter();
  readonly raised: string[] = [];
  on(signal: NodeJS.Signals, handler: () => void): void {
    this.emitter.on(signal, handler);
  }
  off(signal: NodeJS.Signals, handler: () => void): void {
    this.emitter.off(signal, handler);
  }
  raise(signal: NodeJS.Signals): void {
    this.raised.push(signal);
  }
  listeners(): number {
    return this.emitter.listenerCount('SIGINT') + this.emitter.listenerCount('SIGTERM');
  }
}

describe('buildImage', () => {
  let store: SecretStore;
  let registry: Registry;
  let docker: FakeDocker;
  let signals: FakeSignals;
  let tmpRoot: string;
  let logs: string[];

  beforeEach(() => {
    store = new SecretStore();
    store.values.set(SECRETS[0].secretId, { SecretString: DEPLOY_KEY });
    store.values.set(SECRETS[1].secretId, { SecretString: NPM_TOKEN });
    registry = new Registry();
    docker = new FakeDocker(registry);
    signals = new FakeSignals();
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-build-test-'));
    logs = [];
  });

  afterEach(() => {
    store.mock.restore();
    registry.mock.restore();
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  });

  const options = (more: Partial<BuildImageOptions> = {}): BuildImageOptions => ({
    context: 'services/api',
    repository: URI,
    tags: ['v1.4.0'],
    secrets: SECRETS,
    push: false,
    tmpRoot,
    ...more,
  });
  const run = (more: Partial<BuildImageOptions> = {}) =>
    buildImage(options(more), { secretsManager: store.client, ecr: registry.client, run: docker.run, log: (l) => logs.push(l), signals, env: { PATH: '/usr/bin' } });
  const leftOnDisk = () => fs.readdirSync(tmpRoot);

  test('GIVEN two build secrets WHEN building THEN docker gets exactly one --secret mount per secret and nothing else carries them', async () => {
    const result = await run({ dockerfile: 'services/api/Dockerfile', tags: ['v1.4.0', 'sha-0123abc'], buildArgs: { NODE_ENV: 'production' }, platform: 'linux/arm64', target: 'runtime' });

    const [build] = docker.argsOf('build');
    const dir = path.dirname(docker.seen[0].path);
    expect(path.dirname(dir)).toBe(tmpRoot);
    expect(path.basename(dir)).toMatch(/^bgf-build-/);
    expect(build).toEqual([
      'build',
      '--file', 'services/api/Dockerfile',
      '--secret', `id=git-deploy-key,src=${dir}/git-deploy-key`,
      '--secret', `id=npm-registry-token,src=${dir}/npm-registry-token`,
      '--build-arg', 'NODE_ENV=production',
      '--platform', 'linux/arm64',
      '--target', 'runtime',
      '--tag', `${URI}:v1.4.0`,
      '--tag', `${URI}:sha-0123abc`,
      'services/api',
    ]);
    expect(docker.calls[0].env).toEqual({ PATH: '/usr/bin', DOCKER_BUILDKIT: '1' });
    expect(result).toEqual({ images: [`${URI}:v1.4.0`, `${URI}:sha-0123abc`] });
    expect(docker.argsOf('login')).toEqual([]);
    expect(docker.argsOf('push')).toEqual([]);
  });

  test('during the build the files exist with the values, mode 0600, in a 0700 directory; afterwards nothing is left', async () => {
    await run();
    expect(docker.seen.map((s) => ({ id: s.id, mode: s.mode, dirMode: s.dirMode, content: s.content.toString() }))).toEqual([
      { id: 'git-deploy-key', mode: 0o600, dirMode: 0o700, content: DEPLOY_KEY },
      { id: 'npm-registry-token', mode: 0o600, dirMode: 0o700, content: NPM_TOKEN },
    ]);
    expect(fs.existsSync(docker.seen[0].path)).toBe(false);
    expect(leftOnDisk()).toEqual([]);
  });

  test('no secret value appears in any argv, environment, stdin or log line', async () => {
    await run({ push: true });
    const everything = JSON.stringify({ calls: docker.calls.map((c) => ({ args: c.args, env: c.env, input: c.args[0] === 'login' ? undefined : c.input })), logs });
    expect(everything).not.toContain(NPM_TOKEN);
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toContain('--build-arg');
    expect(logs).toContain(`build secret npm-registry-token: bluegreen-fleet/build/npm-registry-token (${NPM_TOKEN.length} bytes)`);
  });

  test('the logged docker command shows build-argument names, not their values', async () => {
    await run({ buildArgs: { NODE_ENV: 'production', COMMIT: 'abc123' } });
    const line = logs.find((l) => l.startsWith('docker build'))!;
    expect(line).toContain('--build-arg NODE_ENV=*** --build-arg COMMIT=***');
    expect(line).not.toMatch(/production|abc123/);
    expect(docker.calls.find((c) => c.args[0] === 'build')!.args).toEqual(expect.arrayContaining(['NODE_ENV=production', 'COMMIT=abc123']));
  });

  test('a binary secret is written byte for byte', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    store.values.set(SECRETS[0].secretId, { SecretBinary: bytes });
    await run();
    expect([...docker.seen[0].content]).toEqual([...bytes]);
  });

  test('WHEN docker build fails THEN the error says so and the files are removed', async () => {
    docker.buildExit = 1;
    await expect(run()).rejects.toThrow(/docker build failed \(exit 1\)/);
    expect(docker.seen).toHaveLength(2);
    expect(leftOnDisk()).toEqual([]);
    expect(signals.listeners()).toBe(0);
  });

  test('WHEN the runner throws (no docker on PATH) THEN the files are removed too', async () => {
    docker.buildThrows = Object.assign(new Error('spawn docker ENOENT'), { code: 'ENOENT' });
    await expect(run()).rejects.toThrow(/ENOENT/);
    expect(leftOnDisk()).toEqual([]);
  });

  test('WHEN SIGTERM arrives mid-build THEN the directory is removed at once and the signal is re-raised', async () => {
    let existedAfterSignal: boolean | undefined;
    docker.duringBuild = () => {
      const dir = path.dirname(docker.seen[0].path);
      signals.emitter.emit('SIGTERM');
      existedAfterSignal = fs.existsSync(dir);
    };
    docker.buildExit = 143;
    await expect(run()).rejects.toThrow(/exit 143/);
    expect(existedAfterSignal).toBe(false);
    expect(signals.raised).toEqual(['SIGTERM']);
    expect(signals.listeners()).toBe(0);
    expect(leftOnDisk()).toEqual([]);
  });

  test('signal handlers are removed after a successful build', async () => {
    await run();
    expect(signals.listeners()).toBe(0);
    expect(signals.raised).toEqual([]);
  });

  test('GIVEN a missing secret THEN the error names it, docker never runs and nothing is written', async () => {
    store.values.delete(SECRETS[1].secretId);
    await expect(run()).rejects.toThrow(/build secret "npm-registry-token" \(bluegreen-fleet\/build\/npm-registry-token\) does not exist in Secrets Manager/);
    expect(docker.calls).toEqual([]);
    expect(leftOnDisk()).toEqual([]);
    expect(store.mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(SECRETS.map((s) => s.secretId));
  });

  test.each([
    ['access is denied', (s: SecretStore) => s.denied.add(SECRETS[0].secretId), /"git-deploy-key" .* cannot be read by these credentials; the build role needs BuildSecrets.grantRead/],
    ['KMS cannot decrypt it', (s: SecretStore) => s.undecryptable.add(SECRETS[0].secretId), /"git-deploy-key" .* could not be decrypted/],
    ['it still holds the placeholder', (s: SecretStore) => s.values.set(SECRETS[0].secretId, { SecretString: JSON.stringify({ [BUILD_SECRET_PLACEHOLDER_FIELD]: 'x', unused: 'random' }) }), /still holds the placeholder .* put-secret-value --secret-id bluegreen-fleet\/build\/git-deploy-key/],
    ['it is empty', (s: SecretStore) => s.values.set(SECRETS[0].secretId, { SecretString: '' }), /"git-deploy-key" .* is empty/],
  ])('GIVEN a secret where %s THEN a clear error, no docker, nothing on disk', async (_what, fault, message) => {
    fault(store);
    await expect(run()).rejects.toThrow(message);
    expect(docker.calls).toEqual([]);
    expect(leftOnDisk()).toEqual([]);
  });

  test('a build argument that carries a secret value is refused before anything is written, and the error does not repeat the value', async () => {
    const error = await run({ buildArgs: { NPM_TOKEN: `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` } }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/--build-arg NPM_TOKEN carries the value of build secret "npm-registry-token"/);
    expect((error as Error).message).not.toContain(NPM_TOKEN);
    expect(docker.calls).toEqual([]);
    expect(leftOnDisk()).toEqual([]);
  });

  test('WITH --push THEN login by stdin, build, push every tag, and report the pinned digest', async () => {
    const result = await run({ push: true, tags: ['v1.4.0', 'sha-0123abc'] });
    expect(docker.calls.map((c) => c.args[0])).toEqual(['login', 'build', 'push', 'push']);
    expect(docker.calls[0]).toMatchObject({ args: ['login', '--username', 'AWS', '--password-stdin', REGISTRY], input: REGISTRY_PASSWORD });
    expect(JSON.stringify(docker.calls.map((c) => c.args))).not.toContain(REGISTRY_PASSWORD);
    expect(docker.argsOf('push')).toEqual([['push', `${URI}:v1.4.0`], ['push', `${URI}:sha-0123abc`]]);
    expect(registry.mock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    expect(registry.mock.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({ registryId: '123456789012', repositoryName: 'bluegreen-fleet/api', imageIds: [{ imageTag: 'v1.4.0' }] });
    expect(result).toEqual({ images: [`${URI}:v1.4.0`, `${URI}:sha-0123abc`], digest: `sha256:${'c'.repeat(64)}`, pinned: `${URI}@sha256:${'c'.repeat(64)}` });
    expect(leftOnDisk()).toEqual([]);
  });

  test('WHEN a push fails THEN the error names the image and the files are gone', async () => {
    docker.pushExit = 1;
    await expect(run({ push: true })).rejects.toThrow(`docker push ${URI}:v1.4.0 failed (exit 1)`);
    expect(leftOnDisk()).toEqual([]);
  });

  test('a repository name is resolved to its URI through ECR; an unknown one is a clear error', async () => {
    await run({ repository: 'bluegreen-fleet/api' });
    expect(docker.argsOf('build')[0]).toContain(`${URI}:v1.4.0`);
    await expect(run({ repository: 'bluegreen-fleet/nope' })).rejects.toThrow(/ECR repository "bluegreen-fleet\/nope" does not exist/);
  });

  test.each<[Partial<BuildImageOptions>, RegExp]>([
    [{ tags: [] }, /at least one --tag/],
    [{ tags: ['bad tag'] }, /--tag "bad tag" is not a valid image tag/],
    [{ secrets: [SECRETS[0], SECRETS[0]] }, /--secret git-deploy-key is given twice/],
    [{ buildArgs: { 'BAD-NAME': 'x' } }, /--build-arg name "BAD-NAME"/],
    [{ secrets: [{ id: '../escape', secretId: SECRETS[0].secretId }] }, /build secret id "\.\.\/escape"/],
    [{ repository: 'docker.io/library/node' }, /is not an ECR repository URI/],
  ])('%j is refused and leaves nothing behind', async (more, message) => {
    await expect(run(more)).rejects.toThrow(message);
    expect(docker.argsOf('build')).toEqual([]);
    expect(leftOnDisk()).toEqual([]);
  });
});
