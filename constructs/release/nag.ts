import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../ci/nag';

/**
 * Policy findings on the release Lambdas that follow from their design, acknowledged next to the
 * functions they concern; each reason says why.
 */
export function acknowledgeReleaseFindings(
  scope: Construct,
  parts: {
    readonly controlPlaneFunctions: readonly lambda.Function[];
    readonly vpcFunction: lambda.Function;
    readonly vpc: ec2.IVpc;
    readonly logGroups: readonly logs.LogGroup[];
    readonly logKey?: kms.IKey;
    readonly capacityStatement: { readonly role: iam.IRole; readonly statement: iam.PolicyStatement };
    /** The parameter-update role, and the release role when there is one. */
    readonly updateRoles: ReadonlyArray<{
      readonly role: iam.IRole;
      readonly wildcardStatements: readonly iam.PolicyStatement[];
      readonly scoped: ReadonlyArray<{ readonly statement: iam.PolicyStatement; readonly reason: string }>;
      readonly actionWildcards: readonly string[];
      readonly wildcardReason?: string;
    }>;
  },
): void {
  if (Stack.of(parts.vpc) !== Stack.of(scope)) {
    // The rule reads one template and cannot follow subnet ids imported from another stack.
    Validations.of(parts.vpcFunction).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: `The function is in the VPC: the private subnets of ${parts.vpc.node.path} in stack ${Stack.of(parts.vpc).stackName}, referenced across stacks.`,
    });
  }
  for (const fn of parts.controlPlaneFunctions) {
    Validations.of(fn).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'Calls only AWS control-plane APIs (CloudFormation, ELB, ECS, DynamoDB); kept outside the VPC so moving traffic back never depends on the NAT gateways or endpoints of the network it may be rescuing.',
    });
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'elasticloadbalancing:DescribeListeners, elasticloadbalancing:DescribeTargetHealth, application-autoscaling:DescribeScalableTargets and ec2:DescribeImages support no resource-level permissions; all are read-only. The writes are held to this stack\'s resources: UpdateStack to this stack, with CloudFormation running it as the parameter-update role (the only role these functions may pass), which can change only the listeners, scalable targets and alarms of this service; ModifyListener to its production listener; items to its table; RegisterScalableTarget and UpdateService as acknowledged on their statement.',
    });
  }
  acknowledgeWildcardResources(
    parts.capacityStatement.role,
    parts.capacityStatement.statement,
    'Scalable-target ARNs end in an id Application Auto Scaling generates, unknown to the template. RegisterScalableTarget is held to ECS desired counts, and Application Auto Scaling checks the caller may update the ECS service it scales: only the two fleets of this stack.',
  );
  for (const update of parts.updateRoles) {
    const [scaling, reads] = update.wildcardStatements;
    acknowledgeWildcardResources(
      update.role,
      scaling,
      'Scalable-target ARNs end in an id Application Auto Scaling generates, unknown to the template. The role registers and schedules ECS desired counts only, and Application Auto Scaling checks it may update the ECS service it scales: only the two fleets of this stack.',
    );
    acknowledgeWildcardResources(
      update.role,
      reads,
      update.wildcardReason ??
        'Describe calls the resource handlers make while they update listeners, scalable targets, Auto Scaling groups and alarms (their published update permissions), and the AMI parameter check (DescribeImages): read-only, and none supports resource-level permissions.',
    );
    for (const { statement, reason } of update.scoped) acknowledgeWildcardResources(update.role, statement, reason);
    for (const action of update.actionWildcards) {
      Validations.of(update.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason: `${action}: read-only calls the Auto Scaling group resource handler lists in its update permissions (the CloudFormation registry schema of AWS::AutoScaling::AutoScalingGroup); none has resource-level scope.`,
      });
    }
  }
  const key = parts.logKey;
  if (key && Stack.of(key) !== Stack.of(scope)) {
    // The rule reads one template and cannot follow a key imported from another stack.
    for (const group of parts.logGroups) {
      Validations.of(group).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
        reason: `Encrypted with the customer-managed key ${key.node.path} from stack ${Stack.of(key).stackName}, referenced across stacks.`,
      });
    }
  }
}
