import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Denies `kms:CreateGrant` unless the grant is for an AWS resource or the caller is an AWS
 * service (Control Tower control CT.KMS.PR.3). Services that encrypt on a principal's behalf
 * (EBS, ECR, Secrets Manager, CloudWatch Logs) keep working; nobody can hand a key's use to an
 * arbitrary principal through a grant.
 */
export function denyGrantsExceptForAwsResources(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    }),
  );
}
