import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentCiRoles, createGitHubOidcProvider, importGitHubOidcProvider } from '../../constructs';
import { EnvironmentConfig, SharedConfig } from '../config';

export interface CiStackProps extends StackProps {
  readonly environment: EnvironmentConfig;
  readonly shared: SharedConfig;
  /** This stack creates its account's GitHub OIDC provider (exactly one stack per account does). */
  readonly createsProvider: boolean;
  /** ARNs of the ECR repositories of the environment's services (in the shared account). */
  readonly imageRepositoryArns: readonly string[];
  /** Other environments of the same account whose live image the release role may read. */
  readonly imageFrom: readonly string[];
  /** Prefix of the app's stack names. */
  readonly stackPrefix: string;
}

/**
 * The GitHub Actions roles of one environment, in the environment's account. Deployed by an
 * administrator (like the shared stack), never by the deploy role itself: a role that deploys its
 * own policy can widen it. The deploy workflow deploys `<prefix>-<env>-*` only, and the
 * bootstrap's permissions boundary forbids the CDK execution role to touch `bgf-ci-*` roles
 * (bootstrap/README.md).
 */
export class CiStack extends Stack {
  public readonly roles: EnvironmentCiRoles;
  public readonly provider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: CiStackProps) {
    super(scope, id, props);
    const { environment: env, shared } = props;
    const existing = (shared.githubOidcProviderArns ?? []).find((arn) => arn.split(':')[4] === env.account);
    this.provider = existing
      ? importGitHubOidcProvider(this, 'GitHubProvider', existing)
      : props.createsProvider
        ? createGitHubOidcProvider(this, 'GitHubProvider')
        : importGitHubOidcProvider(this, 'GitHubProvider');
    this.roles = new EnvironmentCiRoles(this, 'Ci', {
      repository: shared.githubRepository,
      environment: env.name,
      provider: this.provider,
      stackPrefix: props.stackPrefix,
      imageFrom: [...props.imageFrom],
      imageRepositoryArns: [...props.imageRepositoryArns],
    });
    const output = (name: string, role: iam.Role, description: string) => new CfnOutput(this, name, { value: role.roleArn, description });
    output('DeployRoleArn', this.roles.deployRole, `GitHub Actions: cdk deploy ${env.name} (deploy.yml on main, GitHub environment ${env.name})`);
    output('ReleaseRoleArn', this.roles.releaseRole, `GitHub Actions: release ${env.name} (release.yml on main, GitHub environment ${env.name})`);
    output('LiveStateRoleArn', this.roles.liveStateRole, `GitHub Actions: read ${env.name}'s live colors for the pull-request diff (pr-diff.yml on main)`);
  }
}
