import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { gitHubPrincipal, gitHubWorkflowSubject, importGitHubOidcProvider, validateBranch, validateRepository } from './github-oidc';
import { acknowledgeWildcardResources } from './nag';
import { bootstrapRoleArn, CdkBootstrapRole, releaseStatements } from './release-permissions';
import { RELEASE_ACTIONS } from '../image/image-repository';

export interface EnvironmentCiRolesProps {
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;

  /** The environment (stack names `<stackPrefix>-<environment>-*`); also its GitHub environment's name. */
  readonly environment: string;

  /**
   * The GitHub Actions identity provider of this stack's account.
   * @default - imported by its fixed ARN (`oidc-provider/token.actions.githubusercontent.com`):
   * exactly one stack per account, or an administrator, creates it (an account holds one)
   */
  readonly provider?: iam.IOidcProvider;

  /**
   * The branch the trusted workflows run from.
   * @default 'main'
   */
  readonly mainBranch?: string;

  /**
   * Workflow file (in `.github/workflows/`) whose jobs in the GitHub environment `environment`
   * run `cdk deploy`.
   * @default 'deploy.yml'
   */
  readonly deployWorkflow?: string;

  /**
   * Workflow file whose jobs in the GitHub environment `environment` run releases.
   * @default 'release.yml'
   */
  readonly releaseWorkflow?: string;

  /**
   * Workflow file whose trusted job (on `workflow_run`, from `mainBranch`, no environment) reads
   * the live state for the pull-request diff.
   * @default 'pr-diff.yml'
   */
  readonly pullRequestDiffWorkflow?: string;

  /**
   * Prefix of the app's stack names.
   * @default 'bgf'
   */
  readonly stackPrefix?: string;

  /**
   * Qualifier of the account's CDK bootstrap stack.
   * @default 'hnb659fds' - the CDK default
   */
  readonly cdkQualifier?: string;

  /**
   * Prefix of the roles' names (`<prefix>deploy-<env>`, `<prefix>release-<env>`, `<prefix>live-state-<env>`).
   * @default 'bgf-ci-'
   */
  readonly roleNamePrefix?: string;

  /**
   * Longest session a workflow can request.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * Environments of the same account whose live image the release role may read
   * (`deploy --image-from <env>`: DescribeStacks on their stacks).
   * @default - none
   */
  readonly imageFrom?: string[];

  /**
   * ECR repositories (possibly of another account) whose images the release role resolves, scans
   * and re-tags. Another account's repository must also allow the role in its repository policy
   * (`ImageRepository.grantReleaseToRoleArn`).
   * @default - none
   */
  readonly imageRepositoryArns?: string[];
}

/**
 * The GitHub Actions roles of one environment, in the environment's own account (IAM policies
 * grant nothing on another account's CloudFormation, ELB or DynamoDB resources, which have no
 * resource policies:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html).
 * Three roles, so no job holds more than it needs, each trusting exactly one workflow file on
 * the main branch (customized OIDC subject, see GITHUB_SUBJECT_CLAIM_KEYS):
 *
 * - deploy: `cdk deploy` of the environment. May assume the CDK deploy, file-publishing and
 *   lookup roles, nothing else. What a deploy can do is what the bootstrap's execution policy
 *   and permissions boundary allow (bootstrap/README.md).
 * - release: the release CLI. No CDK bootstrap role; UpdateStack only as the stacks' release or
 *   parameter-update role; listeners, table, functions and schedules of this environment.
 * - live-state: DescribeStacks on this environment's stacks, for the trusted job of the
 *   pull-request diff. No lookup role, no template, nothing else.
 */
export class EnvironmentCiRoles extends Construct {
  public readonly deployRole: iam.Role;
  public readonly releaseRole: iam.Role;
  public readonly liveStateRole: iam.Role;

  constructor(scope: Construct, id: string, props: EnvironmentCiRolesProps) {
    super(scope, id);
    validateRepository(props.repository);
    const env = props.environment;
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(env)) throw new Error(`EnvironmentCiRoles: environment "${env}" must be lowercase letters, digits and dashes`);
    const mainBranch = props.mainBranch ?? 'main';
    validateBranch(mainBranch, 'mainBranch');
    const cdkQualifier = props.cdkQualifier ?? 'hnb659fds';
    if (!Token.isUnresolved(cdkQualifier) && !/^[A-Za-z0-9_-]{1,10}$/.test(cdkQualifier)) {
      throw new Error(`EnvironmentCiRoles: cdkQualifier "${cdkQualifier}" must be 1-10 letters, digits, "_" or "-" (see cdk bootstrap --qualifier)`);
    }
    const stackPrefix = props.stackPrefix ?? 'bgf';
    const namePrefix = props.roleNamePrefix ?? 'bgf-ci-';
    const maxSessionDuration = props.maxSessionDuration ?? Duration.hours(1);
    const provider = props.provider ?? importGitHubOidcProvider(this, 'GitHubProvider');
    const stack = Stack.of(this);
    const { account, region, partition } = stack;
    const repo = props.repository;

    const role = (roleId: string, name: string, description: string, subject: string): iam.Role =>
      new iam.Role(this, roleId, { roleName: `${namePrefix}${name}`, description, assumedBy: gitHubPrincipal(provider, [subject]), maxSessionDuration });
    const inEnvironment = { environment: env };

    this.deployRole = role('DeployRole', `deploy-${env}`, `GitHub Actions of ${repo}: cdk deploy ${env} (${props.deployWorkflow ?? 'deploy.yml'} on ${mainBranch})`,
      gitHubWorkflowSubject(repo, inEnvironment, props.deployWorkflow ?? 'deploy.yml', mainBranch));
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [CdkBootstrapRole.DEPLOY, CdkBootstrapRole.FILE_PUBLISHING, CdkBootstrapRole.LOOKUP].map((kind) => bootstrapRoleArn({ account, region, cdkQualifier, partition }, kind)),
      }),
    );

    this.releaseRole = role('ReleaseRole', `release-${env}`, `GitHub Actions of ${repo}: release ${env} (${props.releaseWorkflow ?? 'release.yml'} on ${mainBranch})`,
      gitHubWorkflowSubject(repo, inEnvironment, props.releaseWorkflow ?? 'release.yml', mainBranch));
    const imageSources = (props.imageFrom ?? []).map((source) => {
      if (source === env || !/^[a-z][a-z0-9-]{1,30}$/.test(source)) throw new Error(`EnvironmentCiRoles: imageFrom "${source}" must name another environment of account ${account}`);
      return { environment: source, account, region };
    });
    for (const { statement, wildcardReason } of releaseStatements({ environment: env, account, region, stackPrefix, cdkQualifier, partition, imageSources })) {
      this.releaseRole.addToPolicy(statement);
      if (wildcardReason) acknowledgeWildcardResources(this.releaseRole, statement, wildcardReason);
    }

    const repositories = props.imageRepositoryArns ?? [];
    if (repositories.length > 0) {
      this.releaseRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReleaseImages', actions: [...RELEASE_ACTIONS], resources: repositories }));
    }

    // workflow_run jobs run the default branch's workflow file with GITHUB_REF = the default
    // branch (https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_run),
    // so their token's context is ref:refs/heads/<main> and job_workflow_ref names the file on main.
    // assumed: the OIDC token of a workflow_run job carries that ref; confirm with one real run.
    this.liveStateRole = role('LiveStateRole', `live-state-${env}`, `GitHub Actions of ${repo}: read ${env}'s live colors for the pull-request diff`,
      gitHubWorkflowSubject(repo, { branch: mainBranch }, props.pullRequestDiffWorkflow ?? 'pr-diff.yml', mainBranch));
    const readStacks = new iam.PolicyStatement({
      sid: 'DescribeEnvironmentStacks',
      actions: ['cloudformation:DescribeStacks'],
      resources: [`arn:${partition}:cloudformation:${region}:${account}:stack/${stackPrefix}-${env}-*/*`],
    });
    this.liveStateRole.addToPolicy(readStacks);
    acknowledgeWildcardResources(this.liveStateRole, readStacks, `Stack ARNs end in a CloudFormation-assigned id; "${stackPrefix}-${env}-" names exactly ${env}'s stacks, whose parameters (live color) and outputs the diff reads. Read-only.`);
  }
}
