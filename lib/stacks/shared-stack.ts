import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BuildSecrets, CiRoles, ImageRepository, importGitHubOidcProvider, ReplicaRepositorySettings } from '../../constructs';
import { denyGrantsExceptForAwsResources } from '../../constructs/common/kms';
import { SharedConfig } from '../config';
import { pascalCase } from '../../constructs/common/names';

/** Repository names are `<REPOSITORY_PREFIX><service>`; the build and release commands rely on it. */
export const REPOSITORY_PREFIX = 'bluegreen-fleet/';

export interface SharedStackProps extends StackProps {
  readonly config: SharedConfig;
  /** Every service name found across the environments' configs: one repository each. */
  readonly serviceNames: readonly string[];
  /**
   * Environments that pull from the repositories: accounts other than this one may pull, and each
   * environment's CI release role (`bgf-ci-release-<env>` in its account) may resolve, scan and
   * re-tag.
   */
  readonly environments: ReadonlyArray<{ readonly name: string; readonly account: string; readonly region: string }>;
  /** Prefix of the app's stack names (release permissions are scoped by it). */
  readonly stackPrefix: string;
}

/**
 * The account-level layer every environment pulls from: one ECR repository per service, the
 * build secrets and their key, the account's GitHub OIDC provider and the build role. Each
 * environment's deploy, release and live-state roles are in its own account (CiStack).
 */
export class SharedStack extends Stack {
  public readonly imageKey: kms.Key;
  public readonly repositories: Readonly<Record<string, ImageRepository>>;
  public readonly buildSecrets?: BuildSecrets;
  public readonly ci: CiRoles;

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, props);
    const { config } = props;
    const services = [...new Set(props.serviceNames)].sort();

    // One key for all repositories: a key per repository costs more and isolates nothing, since
    // nobody but ECR (through its grants) ever uses it.
    this.imageKey = new kms.Key(this, 'ImageKey', {
      description: 'Encrypts the container images of the bluegreen-fleet ECR repositories',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(this.imageKey);

    const repositories: Record<string, ImageRepository> = {};
    for (const service of services) {
      repositories[service] = new ImageRepository(this, `${pascalCase(service)}Repository`, {
        repositoryName: `${REPOSITORY_PREFIX}${service}`,
        encryptionKey: this.imageKey,
        keepReleaseImages: config.keepReleaseImages,
        untaggedImageExpiry: Duration.days(config.untaggedImageExpiryDays),
        replicationRegions: config.replicationRegion ? [config.replicationRegion] : undefined,
      });
    }
    this.repositories = repositories;

    const existingProvider = (config.githubOidcProviderArns ?? []).find((arn) => arn.split(':')[4] === config.account);
    this.ci = new CiRoles(this, 'Ci', {
      repository: config.githubRepository,
      provider: existingProvider ? importGitHubOidcProvider(this, 'GitHubProvider', existingProvider) : undefined,
    });

    if (config.buildSecrets.length > 0) {
      this.buildSecrets = new BuildSecrets(this, 'BuildSecrets', { secretNames: config.buildSecrets });
      this.buildSecrets.grantRead(this.ci.buildRole);
    }
    const otherAccounts = [...new Set(props.environments.map((e) => e.account))].filter((a) => a !== config.account).sort();
    for (const repository of Object.values(repositories)) {
      repository.grantPush(this.ci.buildRole);
      for (const account of otherAccounts) repository.grantCrossAccountPull(account);
      // By ARN: the release roles live in the environments' CI stacks, which depend on this one.
      for (const env of props.environments) repository.grantReleaseToRole(env.account, `bgf-ci-release-${env.name}`);
    }

    this.addOutputs(services);
  }

  private addOutputs(services: readonly string[]): void {
    for (const service of services) {
      new CfnOutput(this, `${pascalCase(service)}RepositoryUri`, {
        value: this.repositories[service].repositoryUri,
        description: `ECR repository of ${service}`,
      });
    }
    new CfnOutput(this, 'BuildRoleArn', { value: this.ci.buildRole.roleArn, description: 'GitHub Actions: build and push (build.yml on main)' });
    if (this.buildSecrets) {
      new CfnOutput(this, 'BuildSecretNames', {
        value: Object.keys(this.buildSecrets.secrets).map((n) => this.buildSecrets!.secretName(n)).join(','),
        description: 'Secrets Manager names of the build secrets (fill with put-secret-value)',
      });
      new CfnOutput(this, 'BuildSecretsKeyArn', { value: this.buildSecrets.key.keyArn, description: 'KMS key of the build secrets' });
    }
  }
}

/**
 * The replication Region's side of the registry: what ECR creates the replicated repositories
 * with (KMS, immutable tags but the `*-live` pointers). Deployed before the shared stack, whose
 * replication configuration would otherwise create the first replicas with ECR's defaults.
 */
export class SharedReplicaStack extends Stack {
  public readonly settings: ReplicaRepositorySettings;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.settings = new ReplicaRepositorySettings(this, 'ReplicaRepositories', { repositoryPrefix: REPOSITORY_PREFIX.replace(/\/$/, '') });
  }
}
