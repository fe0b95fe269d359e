import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Issuer host of GitHub Actions ID tokens; also the prefix of the trust-policy condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience `aws-actions/configure-aws-credentials` requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * The account's IAM identity provider for GitHub Actions. IAM holds one provider per issuer URL
 * and account: where one exists already, import it with `iam.OidcProviderNative.fromOidcProviderArn`
 * and pass it to CiRoles instead.
 */
export function createGitHubOidcProvider(scope: Construct, id: string): iam.OidcProviderNative {
  // No thumbprints: IAM trusts GitHub's certificate through its own CA library.
  return new iam.OidcProviderNative(scope, id, {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIds: [GITHUB_OIDC_AUDIENCE],
  });
}

/** The `sub` claim GitHub puts in a token, for the standard (uncustomized) subject format. */
export const gitHubSubject = {
  pullRequest: (repository: string) => `repo:${repository}:pull_request`,
  branch: (repository: string, branch: string) => `repo:${repository}:ref:refs/heads/${branch}`,
  environment: (repository: string, environment: string) => `repo:${repository}:environment:${environment}`,
};

/**
 * A principal that only workflow runs whose token names one of `subjects` can assume, and only
 * with the STS audience. Exact matches: no wildcard can widen the trust to other repositories,
 * branches or environments.
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
