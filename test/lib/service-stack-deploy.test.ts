import { Template } from 'aws-cdk-lib/assertions';
import { stackNames } from '../../lib/app';
import { ENVIRONMENTS, EnvironmentConfig, SHARED, ServiceConfig } from '../../lib/config';
import { gatedApp } from '../support/gated-app';

/**
 * What CloudFormation applies when these stacks are updated by the release Lambdas, checked on the
 * app's real templates (issue 11 defects 2, 3, 8; issue 16 item 6): staging's and production's,
 * from the whole app with the gates on, synthesized once per version of the app (test/support/gated-app.ts).
 */

type Json = Record<string, any>;

interface AppStack {
  readonly stackName: string;
  readonly template: Template;
}

interface Environment {
  readonly config: EnvironmentConfig;
  readonly network: AppStack;
  readonly services: ReadonlyArray<AppStack & { readonly config: ServiceConfig }>;
}

describe('service stacks of staging and production', () => {
  let built: { environments: Environment[] };
  let stacks: AppStack[];
  const json = (stack: AppStack): Json => stack.template.toJSON();
  beforeAll(() => {
    const app = gatedApp();
    built = {
      environments: ['staging', 'production'].map((name) => {
        const config = ENVIRONMENTS[name];
        return {
          config,
          network: app.stack(stackNames.network(name)),
          services: config.services.map((service) => {
            const stack = app.stack(stackNames.service(name, service.name));
            return { stackName: stack.stackName, template: stack.template, config: service };
          }),
        };
      }),
    };
    stacks = built.environments.flatMap((e) => [e.network, ...e.services]);
  });

  test('references between stacks are exports (strong), never Fn::GetStackOutput, and every import has its export', () => {
    // docs/decisions.md: an export in use cannot be changed or removed by its producer
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html),
    // and Fn::ImportValue needs no read right of the stack's execution role.
    const exports = new Set(stacks.flatMap((s) => Object.values((json(s).Outputs ?? {}) as Json).map((o) => o.Export?.Name).filter(Boolean)));
    for (const stack of built.environments.flatMap((e) => e.services)) {
      const text = JSON.stringify(json(stack));
      expect({ stack: stack.stackName, weak: text.includes('Fn::GetStackOutput') }).toEqual({ stack: stack.stackName, weak: false });
      const imports = [...text.matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]);
      expect(imports.length).toBeGreaterThan(0);
      for (const name of imports) expect({ stack: stack.stackName, name, exported: exports.has(name) }).toEqual({ stack: stack.stackName, name, exported: true });
    }
  });

  test('both Lambdas that call UpdateStack may read every SSM-typed parameter of their stack', () => {
    for (const stack of built.environments.flatMap((e) => e.services)) {
      const t = json(stack);
      const ssm = Object.values(t.Parameters as Json).filter((p) => String(p.Type).startsWith('AWS::SSM::Parameter::Value<')).map((p) => p.Default as string);
      expect(ssm.length).toBeGreaterThan(0);
      for (const role of ['ReleaseAutoRollbackRole', 'ReleaseStandbyCapacityRole']) {
        const statements = Object.values(t.Resources as Json)
          .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(role))
          .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[]);
        for (const name of ssm) {
          const readers = statements.filter((st) => [st.Action].flat().includes('ssm:GetParameters') && JSON.stringify(st.Resource).includes(`:parameter${name}"`));
          expect({ stack: stack.stackName, role, name, readable: readers.length === 1 }).toEqual({ stack: stack.stackName, role, name, readable: true });
        }
      }
    }
  });

  test('the parameter-update role may update both fleets\' groups and services, and launch only from their templates', () => {
    for (const stack of built.environments.flatMap((e) => e.services)) {
      const t = json(stack);
      const ids = (type: string) => Object.entries(t.Resources as Json).filter(([, r]) => r.Type === type).map(([id]) => id).sort();
      const policy = Object.entries(t.Resources as Json).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('ReleaseParameterUpdateRoleDefaultPolicy'))![1];
      const statements = policy.Properties.PolicyDocument.Statement as Json[];
      const granting = (action: string) => statements.filter((st) => st.Effect === 'Allow' && [st.Action].flat().includes(action));
      const update = granting('autoscaling:UpdateAutoScalingGroup');
      expect(update).toHaveLength(1);
      expect(JSON.stringify(update[0].Resource).match(/"Ref":"([^"]+)"/g)!.map((m) => m.slice(7, -1)).sort()).toEqual(ids('AWS::AutoScaling::AutoScalingGroup'));
      const run = granting('ec2:RunInstances');
      expect(JSON.stringify(run[0].Condition.ArnLike['ec2:LaunchTemplate']).match(/"Ref":"([^"]+)"/g)!.map((m) => m.slice(7, -1)).sort()).toEqual(ids('AWS::EC2::LaunchTemplate'));
      // The launch templates tag instances and volumes at launch: CreateTags, only as part of RunInstances.
      expect(granting('ec2:CreateTags').map((st) => st.Condition)).toEqual([{ StringEquals: { 'ec2:CreateAction': 'RunInstances' } }]);
      // The ScalableTarget handler's alarm writes: only the target-tracking alarms of the two services.
      expect(JSON.stringify(granting('cloudwatch:DeleteAlarms')[0].Resource)).toMatch(/alarm:TargetTracking-service\/"/);
      expect(JSON.stringify(granting('ecs:UpdateService')[0].Resource).match(/"Ref":"([^"]+)"/g)!.map((m) => m.slice(7, -1)).sort()).toEqual(ids('AWS::ECS::Service'));
    }
  });

  test('the release role: what the parameter-update role may do, plus replacing the task definitions and versioning the launch templates; no other IAM', () => {
    for (const stack of built.environments.flatMap((e) => e.services)) {
      const t = json(stack);
      const policyOf = (prefix: string) =>
        Object.entries(t.Resources as Json).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(prefix))![1].Properties.PolicyDocument.Statement as Json[];
      const actions = (statements: Json[]) => new Set(statements.flatMap((st) => [st.Action].flat() as string[]));
      const release = policyOf('ReleaseReleaseRoleDefaultPolicy');
      const narrow = policyOf('ReleaseParameterUpdateRoleDefaultPolicy');
      for (const action of actions(narrow)) expect({ action, release: actions(release).has(action) }).toEqual({ action, release: true });
      for (const action of ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ec2:CreateLaunchTemplateVersion']) {
        expect({ action, release: actions(release).has(action), narrow: actions(narrow).has(action) }).toEqual({ action, release: true, narrow: false });
      }
      expect([...actions(release)].filter((a) => a.startsWith('iam:')).sort()).toEqual(['iam:GetRole', 'iam:PassRole']);
      const ids = (type: string) => Object.entries(t.Resources as Json).filter(([, r]) => r.Type === type).map(([id]) => id);
      const taskDefinitionRoles = ids('AWS::ECS::TaskDefinition').flatMap((id) => {
        const p = t.Resources[id].Properties;
        return [p.TaskRoleArn, p.ExecutionRoleArn].map((ref: Json) => ref['Fn::GetAtt'][0]);
      });
      const passToTasks = release.filter((st) => [st.Action].flat().includes('iam:PassRole') && st.Condition?.StringEquals?.['iam:PassedToService'] === 'ecs-tasks.amazonaws.com');
      expect(passToTasks).toHaveLength(1);
      expect((passToTasks[0].Resource as Json[]).map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(taskDefinitionRoles.sort());
      const versions = release.find((st) => [st.Action].flat().includes('ec2:CreateLaunchTemplateVersion'))!;
      expect(JSON.stringify(versions.Resource).match(/"Ref":"([^"]+)"/g)!.map((m) => m.slice(7, -1)).sort()).toEqual(ids('AWS::EC2::LaunchTemplate').sort());
      // Neither role may put a group on $Latest/$Default, where a new launch template version is
      // not checked: Deny when no version is specified.
      for (const statements of [release, narrow]) {
        expect(statements.filter((st) => st.Effect === 'Deny')).toEqual([
          {
            Effect: 'Deny',
            Action: ['autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup'],
            Resource: '*',
            Condition: { Bool: { 'autoscaling:LaunchTemplateVersionSpecified': 'false' } },
          },
        ]);
      }
      // The groups name a launch template version number, which the Deny leaves allowed.
      for (const id of ids('AWS::AutoScaling::AutoScalingGroup')) {
        const p = t.Resources[id].Properties;
        const spec = p.LaunchTemplate ?? p.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification;
        expect(spec.Version).toEqual({ 'Fn::GetAtt': [expect.any(String), 'LatestVersionNumber'] });
      }
      expect(t.Outputs.ReleaseRoleArn.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ReleaseReleaseRole/), 'Arn'] });
    }
  });

  test('the standby-capacity Lambda knows maxTasks (a cold standby\'s scalable target is 0..0, so its MaxCapacity is not the warm limit)', () => {
    for (const env of built.environments) {
      for (const stack of env.services) {
        const fn = Object.values(json(stack).Resources as Json).find((r) => r.Type === 'AWS::Lambda::Function' && /warms and cools/.test(r.Properties.Description));
        expect(fn.Properties.Environment.Variables.MAX_TASKS).toBe(String(stack.config.maxTasks));
      }
    }
  });

  test('ECS Exec is off in production and on elsewhere', () => {
    for (const env of built.environments) {
      for (const stack of env.services) {
        const services = Object.values(json(stack).Resources as Json).filter((r) => r.Type === 'AWS::ECS::Service');
        for (const s of services) expect({ stack: stack.stackName, exec: s.Properties.EnableExecuteCommand === true }).toEqual({ stack: stack.stackName, exec: !env.config.production });
      }
    }
  });

  test('image parameters accept images of the shared account\'s registry only', () => {
    const digest = 'a'.repeat(64);
    for (const stack of built.environments.flatMap((e) => e.services)) {
      const pattern = new RegExp(json(stack).Parameters.BlueImage.AllowedPattern);
      expect(pattern.test(`${SHARED.account}.dkr.ecr.${SHARED.region}.amazonaws.com/bluegreen-fleet/api@sha256:${digest}`)).toBe(true);
      expect(pattern.test(`999999999999.dkr.ecr.${SHARED.region}.amazonaws.com/bluegreen-fleet/api@sha256:${digest}`)).toBe(false);
    }
  });
});
