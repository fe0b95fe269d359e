import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createGitHubOidcProvider, gitHubPrincipal, gitHubWorkflowSubject, validateBranch, validateRepository } from './github-oidc';

export interface CiRolesProps {
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;

  /**
   * The account's GitHub Actions identity provider.
   * @default - a new provider for token.actions.githubusercontent.com (an account can hold only
   * one: import an existing one with `importGitHubOidcProvider`)
   */
  readonly provider?: iam.IOidcProvider;

  /**
   * Branch whose pushes may build release images.
   * @default 'main'
   */
  readonly mainBranch?: string;

  /**
   * Workflow files (in `.github/workflows/`) whose jobs on `mainBranch`, outside any GitHub
   * environment, may build and push images.
   * @default ['build.yml']
   */
  readonly buildWorkflows?: string[];

  /**
   * Prefix of the roles' names, so workflows can name them (`<prefix>build`).
   * @default 'bgf-ci-'
   */
  readonly roleNamePrefix?: string;

  /**
   * Longest session a workflow can request.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The account-level GitHub Actions identity of the registry account: the OIDC provider and the
 * build role, trusted (no stored AWS keys) only by the build workflows on the main branch, with
 * the customized subject of GITHUB_SUBJECT_CLAIM_KEYS. Grant it pushes and build secrets with
 * `ImageRepository.grantPush` and `BuildSecrets.grantRead`. Pull requests build without AWS
 * credentials: their code is not reviewed yet, and this role reads every build secret and may
 * push to every repository (so it could plant a release tag that `deploy --image` resolves).
 *
 * Deploy, release and live-state roles live in each environment's account: EnvironmentCiRoles.
 */
export class CiRoles extends Construct {
  public readonly provider: iam.IOidcProvider;
  public readonly buildRole: iam.Role;

  constructor(scope: Construct, id: string, props: CiRolesProps) {
    super(scope, id);
    validateRepository(props.repository);
    const repo = props.repository;
    const mainBranch = props.mainBranch ?? 'main';
    validateBranch(mainBranch, 'mainBranch');
    const workflows = props.buildWorkflows ?? ['build.yml'];
    if (workflows.length === 0) throw new Error('CiRoles: buildWorkflows must name at least one workflow file');

    this.provider = props.provider ?? createGitHubOidcProvider(this, 'GitHubProvider');
    this.buildRole = new iam.Role(this, 'BuildRole', {
      roleName: `${props.roleNamePrefix ?? 'bgf-ci-'}build`,
      description: `GitHub Actions of ${repo}: build and push images (${workflows.join(', ')} on ${mainBranch})`,
      assumedBy: gitHubPrincipal(this.provider, workflows.map((file) => gitHubWorkflowSubject(repo, { branch: mainBranch }, file, mainBranch))),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    });
  }
}
