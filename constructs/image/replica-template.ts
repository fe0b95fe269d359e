import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../ci/nag';
import { denyGrantsExceptForAwsResources } from '../common/kms';
import { DEFAULT_MUTABLE_TAG_PATTERNS } from './image-repository';

export interface ReplicaRepositorySettingsProps {
  /**
   * Repository namespace the settings apply to: repositories whose names start with `<prefix>/`
   * (e.g. `bluegreen-fleet` for `bluegreen-fleet/api`).
   */
  readonly repositoryPrefix: string;

  /**
   * Tag patterns that stay movable in the replicas; every other tag is immutable, as in the
   * source repositories.
   * @default DEFAULT_MUTABLE_TAG_PATTERNS - `*-live`
   */
  readonly mutableTagPatterns?: string[];

  /**
   * Key that encrypts the replicas.
   * @default - a new customer-managed key in this Region with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * What a replicated repository is created with in the destination Region. ECR creates the
 * destination repository itself on the first replication, with default settings (AES-256,
 * mutable tags) unless a repository creation template applied for REPLICATION matches its name
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html).
 * So this construct belongs in a stack of the destination Region, deployed before the
 * replication configuration; it only affects repositories created after it exists.
 *
 * A template with a customer-managed key needs a role ECR assumes to create the repository and
 * the key grant (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html).
 * assumed: the destination Region's templates are the ones applied to a replica; confirm with
 * one real replication.
 */
export class ReplicaRepositorySettings extends Construct {
  public readonly template: ecr.CfnRepositoryCreationTemplate;
  public readonly encryptionKey: kms.IKey;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReplicaRepositorySettingsProps) {
    super(scope, id);
    const prefix = props.repositoryPrefix;
    if (!Token.isUnresolved(prefix) && !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(prefix)) {
      throw new Error(`ReplicaRepositorySettings: repositoryPrefix "${prefix}" must be a repository namespace such as bluegreen-fleet (no trailing /)`);
    }
    const stack = Stack.of(this);
    const mutable = [...(props.mutableTagPatterns ?? DEFAULT_MUTABLE_TAG_PATTERNS)];

    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: `Encrypts the replicated images of ${prefix}/* in ${stack.region}`,
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      denyGrantsExceptForAwsResources(key);
      this.encryptionKey = key;
    }

    // ECR's page on this role shows a trust policy without conditions
    // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create-iam.html).
    // assumed: ECR sets aws:SourceAccount when it assumes the role, as services that follow the
    // confused-deputy guidance do (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html);
    // if it does not, replicas fail to be created. Confirm with one real replication.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `ECR creates replicated ${prefix}/* repositories in ${stack.region} with this role`,
    });
    const repositories = new iam.PolicyStatement({
      actions: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'],
      resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${prefix}/*` })],
    });
    this.role.addToPolicy(repositories);
    acknowledgeWildcardResources(this.role, repositories, `The replicas do not exist yet: ECR names them after the source repositories, all under ${prefix}/.`);
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'], resources: [this.encryptionKey.keyArn] }));

    this.template = new ecr.CfnRepositoryCreationTemplate(this, 'Resource', {
      prefix,
      appliedFor: ['REPLICATION'],
      description: `Replicas of ${prefix}/*: KMS, immutable tags except ${mutable.join(', ') || 'none'}`,
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: this.encryptionKey.keyArn },
      imageTagMutability: mutable.length > 0 ? 'IMMUTABLE_WITH_EXCLUSION' : 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: mutable.length > 0 ? mutable.map((p) => ({ imageTagMutabilityExclusionFilterType: 'WILDCARD', imageTagMutabilityExclusionFilterValue: p })) : undefined,
      customRoleArn: this.role.roleArn,
    });
  }
}
