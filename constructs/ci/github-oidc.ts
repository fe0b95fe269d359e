import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Issuer host of GitHub Actions ID tokens; also the prefix of the trust-policy condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience `aws-actions/configure-aws-credentials` requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The claims the repository's OIDC subject must be customized to, in this order (GitHub REST API
 * `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub` with `use_default: false`). The
 * resulting `sub` is `repo:<owner/name>:<context>:job_workflow_ref:<owner/name>/.github/workflows/<file>@<ref>`,
 * e.g. `repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main`
 * (https://docs.github.com/en/actions/reference/security/oidc, "Customizing the subject claims",
 * example "Requiring a reusable workflow and other claims"). `context` is `environment:<name>`
 * for a job in an environment, `ref:<ref>` for other push/dispatch jobs and `pull_request` for
 * pull-request jobs (same page, "Example subject claims"). So one subject names the environment,
 * the workflow file and the ref the workflow ran from: a pull request or another branch that
 * declares the environment gets a different `sub` and no role.
 *
 * AWS checks only the standard claims of a GitHub token, not GitHub's custom ones such as `ref`
 * or `job_workflow_ref` ("Support for custom claims for OIDC is unavailable in AWS":
 * https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws),
 * which is why the ref goes into `sub`. Without the customization GitHub sends the default
 * `repo:<r>:environment:<env>` and every role here refuses the token: the setting fails closed.
 */
export const GITHUB_SUBJECT_CLAIM_KEYS: readonly string[] = ['repo', 'context', 'job_workflow_ref'];

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;
const ENVIRONMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * The account's IAM identity provider for GitHub Actions. IAM holds one provider per issuer URL
 * and account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html):
 * where one exists already, use `importGitHubOidcProvider` instead.
 */
export function createGitHubOidcProvider(scope: Construct, id: string): iam.OidcProviderNative {
  // No thumbprints: IAM trusts GitHub's certificate through its own CA library.
  return new iam.OidcProviderNative(scope, id, {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIds: [GITHUB_OIDC_AUDIENCE],
  });
}

/** The ARN IAM gives the GitHub Actions provider of an account (`oidc-provider/<issuer host>`). */
export function gitHubOidcProviderArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/** The provider of the stack's account, by its fixed ARN (created elsewhere: another stack, or by hand). */
export function importGitHubOidcProvider(scope: Construct, id: string, arn?: string): iam.IOidcProvider {
  const stack = Stack.of(scope);
  return iam.OidcProviderNative.fromOidcProviderArn(scope, id, arn ?? gitHubOidcProviderArn(stack.account, stack.partition));
}

/** Where a workflow job runs: in a GitHub environment, or on a branch with no environment (set exactly one). */
export interface GitHubJobContext {
  /** The GitHub environment the job references. */
  readonly environment?: string;
  /** The branch the job runs on when it references no environment. */
  readonly branch?: string;
}

/**
 * The `sub` GitHub puts in the token of a job of `workflowFile` (in `.github/workflows/` of
 * `repository`) that ran from `ref` (refs/heads/<branch>), with the customized subject of
 * `GITHUB_SUBJECT_CLAIM_KEYS`.
 */
export function gitHubWorkflowSubject(repository: string, context: GitHubJobContext, workflowFile: string, branch: string): string {
  validateRepository(repository);
  if (!WORKFLOW_FILE.test(workflowFile)) throw new Error(`CiRoles: workflow file "${workflowFile}" must be a file name in .github/workflows, e.g. deploy.yml`);
  const ref = `refs/heads/${branch}`;
  validateBranch(branch, 'mainBranch');
  let contextPart: string;
  if ((context.environment === undefined) === (context.branch === undefined)) {
    throw new Error('CiRoles: a job context names exactly one of environment or branch');
  }
  if (context.environment !== undefined) {
    if (!ENVIRONMENT.test(context.environment)) throw new Error(`CiRoles: GitHub environment "${context.environment}" must be letters, digits, ".", "_" or "-"`);
    contextPart = `environment:${context.environment}`;
  } else {
    // Branch names hold no ":" (git check-ref-format), which GitHub would escape as %3A.
    validateBranch(context.branch!, 'branch');
    contextPart = `ref:refs/heads/${context.branch}`;
  }
  return `repo:${repository}:${contextPart}:job_workflow_ref:${repository}/.github/workflows/${workflowFile}@${ref}`;
}

/**
 * A principal that only workflow runs whose token names one of `subjects` can assume, and only
 * with the STS audience. Exact matches: no wildcard can widen the trust to other repositories,
 * branches, workflows or environments.
 */
export function gitHubPrincipal(provider: iam.IOidcProvider, subjects: readonly string[]): iam.OpenIdConnectPrincipal {
  if (subjects.length === 0) throw new Error('gitHubPrincipal: at least one subject is required');
  for (const subject of subjects) {
    if (subject.includes('*') || subject.includes('?')) {
      throw new Error(`gitHubPrincipal: subject "${subject}" must be exact (no wildcards)`);
    }
  }
  return new iam.OpenIdConnectPrincipal(provider, {
    StringEquals: {
      [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
      [`${GITHUB_OIDC_HOST}:sub`]: [...subjects],
    },
  });
}

export function validateRepository(repository: string): void {
  if (!REPOSITORY.test(repository)) {
    throw new Error(`CiRoles: repository "${repository}" must be owner/name, e.g. example-org/bluegreen-fleet`);
  }
}

export function validateBranch(branch: string, field: string): void {
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('/') || branch.endsWith('/')) {
    throw new Error(`CiRoles: ${field} "${branch}" must be a branch name such as main`);
  }
}

/**
 * The GitHub Actions OIDC helpers as static members, for callers outside TypeScript (the free
 * functions and constants of this module are the same).
 */
export class GitHubOidc {
  /** Issuer host of GitHub Actions ID tokens; also the prefix of the trust-policy condition keys. */
  public static readonly HOST: string = GITHUB_OIDC_HOST;
  /** The audience `aws-actions/configure-aws-credentials` requests. */
  public static readonly AUDIENCE: string = GITHUB_OIDC_AUDIENCE;
  /** The claims the repository's OIDC subject must be customized to, in this order (see `GITHUB_SUBJECT_CLAIM_KEYS`). */
  public static readonly SUBJECT_CLAIM_KEYS: string[] = [...GITHUB_SUBJECT_CLAIM_KEYS];

  /** The account's IAM identity provider for GitHub Actions (one per account: see `createGitHubOidcProvider`). */
  public static createProvider(scope: Construct, id: string): iam.OidcProviderNative {
    return createGitHubOidcProvider(scope, id);
  }

  /** The ARN IAM gives the GitHub Actions provider of an account. */
  public static providerArn(account: string, partition?: string): string {
    return gitHubOidcProviderArn(account, partition);
  }

  /** The provider of the stack's account, by its fixed ARN (created elsewhere). */
  public static importProvider(scope: Construct, id: string, arn?: string): iam.IOidcProvider {
    return importGitHubOidcProvider(scope, id, arn);
  }

  /** The `sub` GitHub puts in the token of a job of `workflowFile` that ran from `branch` (see `gitHubWorkflowSubject`). */
  public static workflowSubject(repository: string, context: GitHubJobContext, workflowFile: string, branch: string): string {
    return gitHubWorkflowSubject(repository, context, workflowFile, branch);
  }

  /** A principal that only workflow runs whose token names one of `subjects` can assume (see `gitHubPrincipal`). */
  public static principal(provider: iam.IOidcProvider, subjects: string[]): iam.OpenIdConnectPrincipal {
    return gitHubPrincipal(provider, subjects);
  }

  private constructor() {}
}
