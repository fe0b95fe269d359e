import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import { ProcessRunner } from '../../src/build/docker';

export const ACCOUNT = '123456789012';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com`;
export const REGISTRY_PASSWORD = 'ecr-login-password-that-must-stay-out-of-argv';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** Secrets Manager as a map of secret name to value, with faults per secret. */
export class SecretStore {
  readonly values = new Map<string, { SecretString?: string; SecretBinary?: Uint8Array }>();
  readonly denied = new Set<string>();
  readonly undecryptable = new Set<string>();
  readonly reads: string[] = [];
  readonly mock = mockClient(SecretsManagerClient);
  readonly client = new SecretsManagerClient({ region: 'ap-northeast-1' });

  constructor() {
    this.mock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
      this.reads.push(input.SecretId);
      if (this.denied.has(input.SecretId)) throw awsError('AccessDeniedException', 'User is not authorized to perform secretsmanager:GetSecretValue');
      if (this.undecryptable.has(input.SecretId)) throw awsError('DecryptionFailure', 'KMS could not decrypt');
      const value = this.values.get(input.SecretId);
      if (!value) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
      return { Name: input.SecretId, ...value };
    });
  }
}

/** ECR as repositories and tags; `docker push` (FakeDocker) writes into it. */
export class Registry {
  readonly repositories = new Map<string, string>([['bluegreen-fleet/api', `${REGISTRY}/bluegreen-fleet/api`]]);
  readonly tags = new Map<string, string>();
  readonly mock = mockClient(ECRClient);
  readonly client = new ECRClient({ region: 'ap-northeast-1' });

  constructor() {
    this.mock.on(DescribeRepositoriesCommand).callsFake((input: { repositoryNames: string[] }) => {
      const name = input.repositoryNames[0];
      const uri = this.repositories.get(name);
      if (!uri) throw new RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist`, $metadata: {} });
      return { repositories: [{ repositoryName: name, repositoryUri: uri, registryId: ACCOUNT }] };
    });
    this.mock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64'), proxyEndpoint: `https://${REGISTRY}` }],
    });
    this.mock.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; imageIds: Array<{ imageTag: string }> }) => {
      const digest = this.tags.get(`${input.repositoryName}:${input.imageIds[0].imageTag}`);
      if (!digest) throw awsError('ImageNotFoundException', 'image not found');
      return { imageDetails: [{ imageDigest: digest, repositoryName: input.repositoryName }] };
    });
  }
}

export interface SeenSecretFile {
  readonly id: string;
  readonly path: string;
  readonly mode: number;
  readonly dirMode: number;
  readonly content: Buffer;
}

export interface DockerCall {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly input?: string;
}

/**
 * A docker CLI stand-in: records every call, looks at the secret files while `build` runs, and
 * on `push` stores a digest in the Registry, but only after a `login` with the right password.
 */
export class FakeDocker {
  readonly calls: DockerCall[] = [];
  readonly seen: SeenSecretFile[] = [];
  buildExit = 0;
  pushExit = 0;
  buildThrows?: Error;
  duringBuild?: () => void;
  private loggedIn = false;

  constructor(private readonly registry: Registry) {}

  readonly run: ProcessRunner = async (command, args, options) => {
    expect(command).toBe('docker');
    this.calls.push({ args: [...args], env: options.env, input: options.input });
    switch (args[0]) {
      case 'login':
        this.loggedIn = options.input === REGISTRY_PASSWORD;
        return this.loggedIn ? 0 : 1;
      case 'build':
        for (const spec of args.filter((_, i) => args[i - 1] === '--secret')) {
          const [, id, file] = /^id=([^,]+),src=(.+)$/.exec(spec)!;
          const dir = file.slice(0, file.lastIndexOf('/'));
          this.seen.push({ id, path: file, mode: fs.statSync(file).mode & 0o777, dirMode: fs.statSync(dir).mode & 0o777, content: fs.readFileSync(file) });
        }
        this.duringBuild?.();
        if (this.buildThrows) throw this.buildThrows;
        return this.buildExit;
      case 'push': {
        if (!this.loggedIn || this.pushExit !== 0) return this.pushExit || 1;
        const [uri, tag] = args[1].split(/:(?=[^:]+$)/);
        const name = uri.slice(uri.indexOf('/') + 1);
        this.registry.tags.set(`${name}:${tag}`, `sha256:${'c'.repeat(64)}`);
        return 0;
      }
      default:
        return 127;
    }
  };

  argsOf(verb: string): readonly string[][] {
    return this.calls.filter((c) => c.args[0] === verb).map((c) => [...c.args]);
  }
}
