import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BlueGreenService } from '../../../constructs';
import { buildService } from './support';

const DIGEST = 'a'.repeat(64);
const matches = (pattern: string, value: string) => new RegExp(pattern).test(value);

describe('image parameters accept only the registry they may pull from', () => {
  test('by default, images of the stack\'s own account and Region only', () => {
    const { template } = buildService();
    const pattern = template.toJSON().Parameters.BlueImage.AllowedPattern as string;
    expect(matches(pattern, `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${DIGEST}`)).toBe(true);
    expect(matches(pattern, `999999999999.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${DIGEST}`)).toBe(false);
    expect(matches(pattern, `123456789012.dkr.ecr.us-east-1.amazonaws.com/bluegreen-fleet/api@sha256:${DIGEST}`)).toBe(false);
  });

  test('imageAccount and imageRegion name another registry (a shared account\'s ECR)', () => {
    const { template } = buildService({ imageAccount: '111122223333', imageRegion: 'ap-northeast-3' });
    const pattern = template.toJSON().Parameters.GreenImage.AllowedPattern as string;
    expect(matches(pattern, `111122223333.dkr.ecr.ap-northeast-3.amazonaws.com/x@sha256:${DIGEST}`)).toBe(true);
    expect(matches(pattern, `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/x@sha256:${DIGEST}`)).toBe(false);
  });

  test('an environment-agnostic stack accepts any account and Region (the template cannot know its own)', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new BlueGreenService(stack, 'Svc', { vpc, serviceName: 'api', containerPort: 8080, fleet: { instanceTypes: [new ec2.InstanceType('t3.medium')] } });
    const pattern = Template.fromStack(stack).toJSON().Parameters.BlueImage.AllowedPattern as string;
    expect(matches(pattern, `999999999999.dkr.ecr.eu-west-1.amazonaws.com/x@sha256:${DIGEST}`)).toBe(true);
  });

  test('a malformed imageAccount is refused, naming the prop', () => {
    expect(() => buildService({ imageAccount: '1234' })).toThrow(/imageAccount "1234" must be a 12-digit account id/);
  });
});

describe('ECS Exec, task trust, host networking, bounds', () => {
  test('enableExecuteCommand: false leaves ECS Exec off and the task role without ssmmessages', () => {
    const { template } = buildService({ enableExecuteCommand: false });
    for (const service of Object.values(template.findResources('AWS::ECS::Service'))) expect(service.Properties.EnableExecuteCommand).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/ssmmessages/);
  });

  test('only ECS tasks of this account may assume the task roles (aws:SourceAccount)', () => {
    const { template } = buildService();
    const taskRoles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => /TaskDefinitionTaskRole/.test(id));
    expect(taskRoles).toHaveLength(2);
    for (const [, role] of taskRoles) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:ap-northeast-1:123456789012:*' } },
      });
    }
  });

  test('host network mode gives host tasks their task role (ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST); awsvpc does not need it', () => {
    const userData = (mode: ecs.NetworkMode) => JSON.stringify(Object.values(buildService({ networkMode: mode }).template.findResources('AWS::EC2::LaunchTemplate')).map((lt) => lt.Properties.LaunchTemplateData.UserData));
    expect(userData(ecs.NetworkMode.HOST)).toMatch(/ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true/);
    expect(userData(ecs.NetworkMode.AWS_VPC)).not.toMatch(/ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST/);
  });

  test('maxTasks above the StandbyMinTasks ceiling is refused', () => {
    expect(() => buildService({ maxTasks: 101 })).toThrow(/maxTasks 101 must be at most 100/);
  });
});
