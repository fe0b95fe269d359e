import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createGitHubOidcProvider, gitHubPrincipal, gitHubSubject, validateRepository } from './github-oidc';
import { acknowledgeWildcardResources } from './nag';
import { bootstrapRoleArn, releaseStatements } from './release-permissions';
import { pascalCase } from '../common/names';

/** One environment a deploy/release role is made for. */
export interface CiEnvironment {
  /**
   * Environment name. Only jobs that run in the GitHub environment of the same name may assume
   * its role. STS sees no branch in such a token (AWS reads only `sub` and `aud` of GitHub
   * tokens), so "production only from main" is the `production` environment's deployment branch
   * rule in GitHub; see docs/images-and-secrets.md.
   */
  readonly name: string;
  /**
   * Account the environment's stacks live in.
   * @default - the account of the stack that holds the roles
   */
  readonly account?: string;
  /**
   * Region the environment's stacks live in.
   * @default - the region of the stack that holds the roles
   */
  readonly region?: string;
  /**
   * Environments whose live image this environment's role may release with
   * `deploy --image-from <env>`: it may read (DescribeStacks) their service stacks.
   * @default - every other environment in the same account (a role cannot read another
   * account's stacks with its own credentials)
   */
  readonly imageFrom?: readonly string[];
}

export interface CiRolesProps {
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;

  /**
   * The account's GitHub Actions identity provider.
   * @default - a new provider for token.actions.githubusercontent.com (an account can hold only one)
   */
  readonly provider?: iam.IOidcProvider;

  /**
   * Branch whose pushes may build release images.
   * @default 'main'
   */
  readonly mainBranch?: string;

  /**
   * Environments that get a deploy/release role.
   * @default - none: only the build and diff roles
   */
  readonly environments?: readonly CiEnvironment[];

  /**
   * Prefix of the app's stack names; release permissions are scoped to `<prefix>-<env>-*`.
   * @default 'bgf'
   */
  readonly stackPrefix?: string;

  /**
   * Qualifier of the CDK bootstrap stacks whose roles the diff and deploy roles assume.
   * @default 'hnb659fds' - the CDK default
   */
  readonly cdkQualifier?: string;

  /**
   * Prefix of the roles' names, so workflows can name them (`<prefix>build`, `<prefix>diff`,
   * `<prefix>deploy-<env>`).
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
 * GitHub Actions roles, trusted through OIDC (no stored AWS keys), each pinned to the repository
 * and to the refs that need it:
 *
 * - build: the main branch only. Grant it pushes and build secrets with
 *   `ImageRepository.grantPush` and `BuildSecrets.grantRead`.
 * - diff: pull requests. Read-only: the CDK lookup role (`cdk diff`) and the stacks' templates.
 * - deploy-<env>: the GitHub environment `<env>`. Assumes the CDK deploy, file-publishing and
 *   lookup roles of that environment, and calls the release APIs scoped to its stacks.
 */
export class CiRoles extends Construct {
  public readonly provider: iam.IOidcProvider;
  public readonly buildRole: iam.Role;
  public readonly diffRole: iam.Role;
  /** Deploy/release roles by environment name. */
  public readonly deployRoles: Readonly<Record<string, iam.Role>>;

  constructor(scope: Construct, id: string, props: CiRolesProps) {
    super(scope, id);
    validateRepository(props.repository);
    const stack = Stack.of(this);
    const repo = props.repository;
    const mainBranch = props.mainBranch ?? 'main';
    const stackPrefix = props.stackPrefix ?? 'bgf';
    const cdkQualifier = props.cdkQualifier ?? 'hnb659fds';
    const namePrefix = props.roleNamePrefix ?? 'bgf-ci-';
    const maxSessionDuration = props.maxSessionDuration ?? Duration.hours(1);
    const environments = (props.environments ?? []).map((e) => ({ ...e, account: e.account ?? stack.account, region: e.region ?? stack.region }));
    validate(mainBranch, environments, cdkQualifier);

    this.provider = props.provider ?? createGitHubOidcProvider(this, 'GitHubProvider');
    const role = (roleId: string, name: string, description: string, subjects: string[]): iam.Role =>
      new iam.Role(this, roleId, {
        roleName: `${namePrefix}${name}`,
        description,
        assumedBy: gitHubPrincipal(this.provider, subjects),
        maxSessionDuration,
      });

    // The main branch only: a pull request's code is not reviewed yet, and this role reads every
    // build secret and may push to every repository (so it could plant a release tag that
    // `deploy --image` resolves later). Pull requests build without AWS credentials.
    this.buildRole = role('BuildRole', 'build', `GitHub Actions of ${repo}: build and push images from ${mainBranch}`, [
      gitHubSubject.branch(repo, mainBranch),
    ]);

    this.diffRole = role('DiffRole', 'diff', `GitHub Actions of ${repo}: read-only cdk diff on pull requests`, [gitHubSubject.pullRequest(repo)]);
    const places = uniqueBy([{ account: stack.account, region: stack.region }, ...environments], (e) => `${e.account}/${e.region}`);
    const partition = stack.partition;
    this.diffRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkLookupRoles',
        actions: ['sts:AssumeRole'],
        resources: places.map((place) => bootstrapRoleArn({ ...place, cdkQualifier, partition }, 'lookup')),
      }),
    );
    const readTemplates = new iam.PolicyStatement({
      sid: 'ReadAppTemplates',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      resources: places.map((place) => `arn:${partition}:cloudformation:${place.region}:${place.account}:stack/${stackPrefix}-*/*`),
    });
    this.diffRole.addToPolicy(readTemplates);
    acknowledgeWildcardResources(this.diffRole, readTemplates, `Stack ARNs end in a CloudFormation-assigned id; "${stackPrefix}-" names exactly the app's stacks, whose templates a diff compares against. Read-only.`);

    const deployRoles: Record<string, iam.Role> = {};
    for (const env of environments) {
      const deploy = role(`Deploy${pascalCase(env.name)}Role`, `deploy-${env.name}`, `GitHub Actions of ${repo}: deploy and release ${env.name}`, [
        gitHubSubject.environment(repo, env.name),
      ]);
      const imageSources = imageSourcesOf(env, environments);
      const scopeOf = { environment: env.name, account: env.account, region: env.region, stackPrefix, cdkQualifier, partition, imageSources };
      deploy.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: (['deploy', 'file-publishing', 'lookup'] as const).map((kind) => bootstrapRoleArn(scopeOf, kind)),
        }),
      );
      for (const { statement, wildcardReason } of releaseStatements(scopeOf)) {
        deploy.addToPolicy(statement);
        if (wildcardReason) acknowledgeWildcardResources(deploy, statement, wildcardReason);
      }
      deployRoles[env.name] = deploy;
    }
    this.deployRoles = deployRoles;
  }
}

interface ResolvedEnvironment {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly imageFrom?: readonly string[];
}

function imageSourcesOf(env: ResolvedEnvironment, all: readonly ResolvedEnvironment[]): { environment: string; account: string; region: string }[] {
  const names = env.imageFrom ?? all.filter((e) => e.name !== env.name && e.account === env.account).map((e) => e.name);
  return names.map((name) => {
    const source = all.find((e) => e.name === name);
    if (!source || name === env.name) throw new Error(`CiRoles: environment "${env.name}": imageFrom "${name}" must be another of the environments (${all.map((e) => e.name).join(', ')})`);
    if (source.account !== env.account) throw new Error(`CiRoles: environment "${env.name}": imageFrom "${name}" is in account ${source.account}, not ${env.account}; a role cannot read another account's stacks`);
    return { environment: source.name, account: source.account, region: source.region };
  });
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function validate(mainBranch: string, environments: ReadonlyArray<{ name: string }>, cdkQualifier: string): void {
  if (!/^[A-Za-z0-9._/-]+$/.test(mainBranch) || mainBranch.includes('..')) {
    throw new Error(`CiRoles: mainBranch "${mainBranch}" must be a branch name such as main`);
  }
  const names = new Set<string>();
  for (const env of environments) {
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(env.name)) throw new Error(`CiRoles: environment name "${env.name}" must be lowercase letters, digits and dashes`);
    if (names.has(env.name)) throw new Error(`CiRoles: environment "${env.name}" is listed twice`);
    names.add(env.name);
  }
  if (!Token.isUnresolved(cdkQualifier) && !/^[A-Za-z0-9_-]{1,10}$/.test(cdkQualifier)) {
    throw new Error(`CiRoles: cdkQualifier "${cdkQualifier}" must be 1-10 letters, digits, "_" or "-" (see cdk bootstrap --qualifier)`);
  }
}
