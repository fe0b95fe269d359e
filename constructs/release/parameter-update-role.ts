import { ArnFormat, CfnParameter, DefaultStackSynthesizer, Lazy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { RELEASE_PARAMETER_UPDATE_ROLE_PATH } from './names';
import type { ReleasableServiceParts, ReleaseFleetInstances } from './release-support';

/** The parameter-update role and the statements whose wildcards its findings acknowledge. */
export interface ParameterUpdateRoleParts {
  readonly role: iam.Role;
  readonly wildcardStatements: iam.PolicyStatement[];
  readonly scoped: ReadonlyArray<{ readonly statement: iam.PolicyStatement; readonly reason: string }>;
  readonly actionWildcards: readonly string[];
  /**
   * Why the role has statements on `*`, when it has more than the read calls there (the
   * statements on `*` are merged into one by CDK's policy minimization, so one reason covers all).
   */
  readonly wildcardReason?: string;
}

/**
 * The service role of the Lambdas' updates. What a `LiveColor`/`StandbyMinTasks` change makes
 * CloudFormation do (test/constructs/release/release-support.test.ts evaluates the template for
 * both): modify the two listeners, register the fleets' scalable targets again (bounds, and the
 * scheduled actions that follow the live color), update the fleets' ECS services (a cold
 * standby's `DesiredCount` 0) and Auto Scaling groups (a cold standby's `MaxSize` 0), and the
 * fleets' alarms (`ActionsEnabled` follows the live color). Nothing that creates, replaces or
 * deletes a resource: no task definition, launch template, IAM or Lambda change.
 *
 * The actions are the resource handlers' `handlers.update.permissions` of the CloudFormation
 * registry schemas (as published by the CloudFormation registry, e.g. `aws cloudformation
 * describe-type --type RESOURCE --type-name AWS::ElasticLoadBalancingV2::Listener`; read here from
 * the Cloud Control docs generated from those schemas, stackql-registry/stackql-provider-awscc
 * website/docs/services/<service>/<resource>/index.md, "Permissions"/"Update"), 2026-12-01:
 * - AWS::ElasticLoadBalancingV2::Listener: ModifyListener, DescribeListeners,
 *   ModifyListenerAttributes, cognito-idp:DescribeUserPoolClient (left out: no Cognito action here).
 * - AWS::ApplicationAutoScaling::ScalableTarget: RegisterScalableTarget, DescribeScalableTargets,
 *   DescribeScheduledActions, DeleteScheduledAction, PutScheduledAction, cloudwatch:PutMetricAlarm,
 *   DeleteAlarms, DescribeAlarms, lambda:*ProvisionedConcurrencyConfig (left out: ECS targets only).
 * - AWS::ECS::Service: DescribeServiceDeployments, DescribeServices, ListServiceDeployments,
 *   ListTagsForResource, StopServiceDeployment, TagResource, UntagResource, UpdateService.
 * - AWS::AutoScaling::AutoScalingGroup: UpdateAutoScalingGroup, CreateOrUpdateTags, DeleteTags,
 *   Describe*, ec2:Describe*, ec2:Get*, ec2:RunInstances, iam:PassRole, ssm:Get* (left out: load
 *   balancer, traffic source, notification, lifecycle hook, metrics collection, VPC Lattice and
 *   managed-fleets actions, for properties these templates never change with a parameter; and
 *   ssm:Get*, which serves image ids given as `resolve:ssm:` in a launch template: these
 *   templates take the AMI as an AWS::EC2::Image::Id parameter).
 *   UpdateAutoScalingGroup checks ec2:RunInstances on the launch template and iam:PassRole of its
 *   instance role: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html
 * - AWS::CloudWatch::Alarm: PutMetricAlarm, DescribeAlarms, TagResource, UntagResource.
 */
export function createParameterUpdateRole(scope: Construct, service: ReleasableServiceParts, groups: ReadonlyArray<ReleaseFleetInstances & { service: ecs.IBaseService }>): ParameterUpdateRoleParts {
  const stack = Stack.of(scope);
  return createUpdateRole(scope, 'ParameterUpdateRole', `${service.serviceName}: CloudFormation applies LiveColor/StandbyMinTasks updates of ${stack.stackName} with this role`, service, groups).parts;
}

/**
 * The service role of the release CLI's updates: everything the parameter-update role may do,
 * and what an image or AMI parameter change makes CloudFormation do besides: replace the fleet's
 * task definition (register the new revision, deregister the old one on cleanup, or the new one
 * on a rollback) and version its launch template. Still no IAM, Lambda, network or load balancer
 * change: a caller who passes it cannot make the stack an administrator's, whatever template it
 * sends (UpdateStack's UsePreviousTemplate cannot be required in IAM, so the role is the limit).
 *
 * The actions are the resource handlers' published permissions (same source as above):
 * - AWS::ECS::TaskDefinition, create: RegisterTaskDefinition, DescribeTaskDefinition, TagResource,
 *   iam:GetRole, iam:PassRole; delete: DeregisterTaskDefinition, DescribeTaskDefinition,
 *   iam:GetRole, iam:PassRole (a changed container image replaces the resource:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html).
 * - AWS::EC2::LaunchTemplate, update: CreateLaunchTemplateVersion (read: DescribeLaunchTemplates,
 *   inside ec2:Describe*).
 */
export function createReleaseRole(
  scope: Construct,
  service: ReleasableServiceParts,
  groups: ReadonlyArray<ReleaseFleetInstances & { service: ecs.IBaseService }>,
  taskDefinitions: readonly ecs.TaskDefinition[],
): ParameterUpdateRoleParts {
  const stack = Stack.of(scope);
  const { parts, add } = createUpdateRole(scope, 'ReleaseRole', `${service.serviceName}: CloudFormation applies the release CLI's updates of ${stack.stackName} (LiveColor, images, AMIs) with this role`, service, groups);
  const { role } = parts;
  // assumed: RegisterTaskDefinition, DeregisterTaskDefinition and DescribeTaskDefinition are not
  // held by a task-definition ARN here (a new revision's ARN does not exist before the call);
  // the roles the new revision may name are held by the PassRole below.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'], resources: ['*'] }));
  // Tags on the new revision, only as part of registering it:
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
  add(
    new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: '*' })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }),
    'A new revision\'s ARN is not known in advance; TagResource is held to tags applied by RegisterTaskDefinition (ecs:CreateAction).',
  );
  const taskRoles = taskDefinitions.flatMap((td) => [td.taskRole, ...(td.executionRole ? [td.executionRole] : [])]);
  role.addToPolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: taskRoles.map((r) => r.roleArn) }));
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: taskRoles.map((r) => r.roleArn),
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  );
  if (groups.length > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:CreateLaunchTemplateVersion'],
        resources: groups.map((g) => stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: g.launchTemplate.launchTemplateId! })),
      }),
    );
  }
  return {
    ...parts,
    wildcardReason:
      'Describe calls the resource handlers make while they update listeners, scalable targets, Auto Scaling groups and alarms, and the AMI parameter check (DescribeImages), none of which supports resource-level permissions; and RegisterTaskDefinition/DeregisterTaskDefinition/DescribeTaskDefinition, whose new revision has no ARN before it is registered: what a revision may run as is held by PassRole to the two fleets\' task and execution roles only.',
  };
}

function createUpdateRole(
  scope: Construct,
  id: string,
  description: string,
  service: ReleasableServiceParts,
  groups: ReadonlyArray<ReleaseFleetInstances & { service: ecs.IBaseService }>,
): { parts: ParameterUpdateRoleParts; add: (statement: iam.PolicyStatement, reason: string) => void } {
  const stack = Stack.of(scope);
  const fleets = [service.blue, service.green];
  const role = new iam.Role(scope, id, {
    // The CI release role may pass only roles under this path (constructs/ci/release-permissions.ts).
    path: RELEASE_PARAMETER_UPDATE_ROLE_PATH,
    // assumed: no aws:SourceAccount condition. CloudFormation's service-role page
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html)
    // documents no source keys on its AssumeRole; a condition it never satisfies would fail every
    // parameter update. Only callers that may pass this role (PassRole above) can use it.
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    description,
  });
  const listeners = [service.productionListener, ...(service.testListener ? [service.testListener] : [])];
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyListenerAttributes'], resources: listeners.map((l) => l.listenerArn) }),
  );
  const serviceArns = fleets.map((fleet) => fleet.service.serviceArn);
  const scaling = new iam.PolicyStatement({
    actions: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:PutScheduledAction', 'application-autoscaling:DeleteScheduledAction'],
    resources: [stack.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*' })],
    conditions: { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
  });
  role.addToPolicy(scaling);
  // The ECS service handler's update; Application Auto Scaling also checks that the caller may
  // update the ECS service it scales.
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTagsForResource', 'ecs:TagResource', 'ecs:UntagResource', 'ecs:ListServiceDeployments'],
      resources: serviceArns,
    }),
  );
  const deployments = groups.map((g) => stack.formatArn({ service: 'ecs', resource: 'service-deployment', resourceName: `${g.cluster.clusterName}/${g.service.serviceName}/*` }));
  const scoped: Array<{ statement: iam.PolicyStatement; reason: string }> = [];
  const add = (statement: iam.PolicyStatement, reason: string) => {
    role.addToPolicy(statement);
    scoped.push({ statement, reason });
  };
  if (deployments.length > 0) {
    add(
      new iam.PolicyStatement({ actions: ['ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment'], resources: deployments }),
      'Service-deployment ARNs end in an id ECS generates per deployment; the statement names this stack\'s two clusters and services.',
    );
  }
  // The scalable targets' RoleARN: the ECS service-linked role of Application Auto Scaling.
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [
        stack.formatArn({
          region: '',
          service: 'iam',
          resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
          resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
        }),
      ],
    }),
  );
  if (groups.length > 0) {
    add(
      new iam.PolicyStatement({
        actions: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
        resources: groups.map((g) => stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${g.autoScalingGroup.autoScalingGroupName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
      }),
      'Auto Scaling group ARNs carry an id EC2 Auto Scaling generates; the statement names this stack\'s two groups by name.',
    );
    // A group on `$Latest`/`$Default` is not checked again when a new launch template version is
    // created ("the permissions are not checked when a new version of the launch template is
    // created": https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html),
    // so a caller that moved the group there could launch any instance profile through a version.
    // Deny on "false" rather than allow on "true": an update that names no launch template (a
    // MaxSize change) carries no value for the key.
    role.addToPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateAutoScalingGroup'],
        resources: ['*'],
        conditions: { Bool: { 'autoscaling:LaunchTemplateVersionSpecified': 'false' } },
      }),
    );
    // Launching from these launch templates only: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permissions-for-launch-templates.html
    add(
      new iam.PolicyStatement({
        actions: ['ec2:RunInstances'],
        resources: ['*'],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': groups.map((g) => stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: g.launchTemplate.launchTemplateId! })) } },
      }),
      'RunInstances touches instances, volumes, interfaces, subnets and groups whose ids are not known; it is held by ec2:LaunchTemplate to the two launch templates of this stack, which UpdateAutoScalingGroup checks the caller may launch from.',
    );
    // The launch templates tag the instances and volumes they launch (TagSpecifications), and a
    // group created or updated from a launch template may need "ec2:CreateTags – To add tags to
    // the instances and volumes on creation" besides RunInstances
    // (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html);
    // held to tags applied by RunInstances itself
    // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
    // assumed: needed when this role updates a group's MaxSize; to confirm with one real deploy.
    add(
      new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }), stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      }),
      'Instances and volumes are launched by the groups with ids not known in advance; CreateTags is held to tags applied at launch (ec2:CreateAction RunInstances).',
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: groups.map((g) => g.instanceRole.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    );
  }
  const alarmArns = fleets.flatMap((fleet) => fleet.alarms.all.map((a) => a.alarmArn));
  if (alarmArns.length > 0) {
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'], resources: alarmArns }));
  }
  if (groups.length > 0) {
    // The ScalableTarget handler's cloudwatch:PutMetricAlarm/DeleteAlarms: assumed to concern the
    // alarms Application Auto Scaling keeps for the target's tracking policy, which it names
    // TargetTracking-<resource id>-... (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
    add(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
        resources: groups.map((g) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `TargetTracking-service/${g.cluster.clusterName}/${g.service.serviceName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
      }),
      'Target-tracking alarm names end in an id Application Auto Scaling generates; the statement names the alarms of this stack\'s two ECS services only.',
    );
  }
  const reads = new iam.PolicyStatement({
    actions: [
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeListenerAttributes',
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScheduledActions',
      'cloudwatch:DescribeAlarms',
      'ec2:DescribeImages',
      ...(groups.length > 0 ? ['autoscaling:Describe*', 'ec2:Describe*', 'ec2:Get*'] : []),
    ],
    resources: ['*'],
  });
  role.addToPolicy(reads);
  return { parts: { role, wildcardStatements: [scaling, reads], scoped, actionWildcards: groups.length > 0 ? ['autoscaling:Describe*', 'ec2:Describe*', 'ec2:Get*'] : [] }, add };
}

/**
 * Lets `fn` read every SSM-typed parameter of its stack (`BootstrapVersion` included, which the
 * synthesizer adds at synthesis): CloudFormation resolves SSM parameter types again on every
 * stack update, `UsePreviousValue` included
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
 * assumed: with the credentials of the caller of UpdateStack; the page does not say whose, so the
 * callers and the role CloudFormation runs the update as are both granted the read.
 */
export function grantSsmParameterResolution(fn: iam.IGrantable & IConstruct): void {
  const stack = Stack.of(fn);
  const arnOf = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
  const synthesizer = stack.synthesizer;
  const qualifier = (synthesizer instanceof DefaultStackSynthesizer ? synthesizer.bootstrapQualifier : undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  // The synthesizer's default parameter name (/cdk-bootstrap/<qualifier>/version) when the stack
  // has no SSM parameter by the time the policy is written.
  const fallback = arnOf(`/cdk-bootstrap/${qualifier}/version`);
  fn.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParameters', 'ssm:GetParameter'],
      resources: Lazy.list({
        produce: () => {
          const names = stack.node
            .findAll()
            .filter((c): c is CfnParameter => c instanceof CfnParameter && /^AWS::SSM::Parameter::Value</.test(c.type) && typeof c.default === 'string')
            .map((p) => arnOf(p.default as string));
          return names.length > 0 ? [...new Set(names)].sort() : [fallback];
        },
      }),
    }),
  );
}
