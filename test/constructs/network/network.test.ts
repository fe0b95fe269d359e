import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_INTERFACE_ENDPOINTS, Network, NetworkProps } from '../../../constructs';
import { newApp } from '../../support/synth';

function synth(props?: NetworkProps): { stack: Stack; network: Network; template: Template } {
  const app = newApp();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const network = new Network(stack, 'Network', props);
  return { stack, network, template: Template.fromStack(stack) };
}

describe('Network with default props', () => {
  let template: Template;
  let network: Network;
  beforeAll(() => ({ template, network } = synth()));

  test('cidr defaults to 10.0.0.0/16', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test('maxAzs defaults to 2: public and private subnet per AZ', () => {
    expect(network.vpc.availabilityZones).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
  });

  test('natGateways defaults to 1', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('isolatedSubnets defaults to false', () => {
    expect(network.vpc.isolatedSubnets).toHaveLength(0);
  });

  test('flowLogRetention defaults to one month, flowLogRemovalPolicy to RETAIN, logKey to a rotating CMK, logKeyRemovalPolicy to RETAIN', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: Match.anyValue() },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  test('interfaceEndpoints defaults to the thirteen a fleet needs; S3 and DynamoDB gateways are always there', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', DEFAULT_INTERFACE_ENDPOINTS.length + 2);
    expect(DEFAULT_INTERFACE_ENDPOINTS).toHaveLength(13);
    for (const name of ['ecr.api', 'ecr.dkr', 'logs', 'ssm', 'ssmmessages', 'ec2messages', 'ecs', 'ecs-agent', 'ecs-telemetry', 'secretsmanager', 'kms', 'sts', 'monitoring']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.ap-northeast-1.${name}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
      });
    }
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }) });
  });

  test('endpoints admit HTTPS from the VPC range only, and send nothing out', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from inside the VPC',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('the default security group is restricted', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('the log key lets CloudWatch Logs of this account use it, and denies grants to non-AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logs.ap-northeast-1.amazonaws.com' }, Condition: { ArnLike: Match.anyValue() } }),
          Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' }),
        ]),
      },
    });
  });

  test('logGroupNamePrefix defaults to the stack\'s name: the log key serves the log groups CloudFormation names after this stack, not every log group of the account', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const logs = key.Properties.KeyPolicy.Statement.find((s: any) => s.Principal?.Service === 'logs.ap-northeast-1.amazonaws.com');
    expect(logs.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:ap-northeast-1:123456789012:log-group:Test-*' } });
  });

  test('the flow-log role can be assumed only for this account\'s flow logs (aws:SourceAccount, aws:SourceArn)', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r).includes('vpc-flow-logs.amazonaws.com'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:ap-northeast-1:123456789012:vpc-flow-log/*' },
        },
      },
    ]);
  });

  test('endpointPolicyAccounts defaults to this account: endpoints whose service takes a policy admit its principals only; the S3 gateway stays open', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    const byService = (name: string) => endpoints.find((e) => JSON.stringify(e.Properties.ServiceName).includes(name))!;
    const restricted = { Statement: [{ Action: '*', Effect: 'Allow', Principal: { AWS: '*' }, Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': ['123456789012'] } } }], Version: '2012-10-17' };
    for (const name of ['.ecr.api', '.ecr.dkr', '.logs', '.monitoring', '.secretsmanager', '.kms', '.sts', '.ssm"', '.dynamodb']) {
      expect({ name, policy: byService(name).Properties.PolicyDocument }).toEqual({ name, policy: restricted });
    }
    for (const name of ['.ecs"', '.ecs-agent', '.ecs-telemetry', '.ssmmessages', '.ec2messages', '.s3']) {
      expect({ name, policy: byService(name).Properties.PolicyDocument }).toEqual({ name, policy: undefined });
    }
  });

  test('loadBalancerAccessLogs defaults to true: an SSE-S3, TLS-only, private bucket whose logs expire after 90 days (accessLogRetention default)', () => {
    expect(network.accessLogBucket).toBeDefined();
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
  });

  test('no subnet gives instances public addresses', () => {
    const subnets = template.findResources('AWS::EC2::Subnet');
    for (const subnet of Object.values(subnets)) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
  });
});

describe('Network with props', () => {
  test('three AZs, a NAT gateway each, isolated subnets and a one-year retention', () => {
    const { template } = synth({ cidr: '10.30.0.0/16', maxAzs: 3, natGateways: 3, isolatedSubnets: true, flowLogRetention: logs.RetentionDays.ONE_YEAR, flowLogRemovalPolicy: RemovalPolicy.DESTROY });
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.30.0.0/19' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Delete' });
  });

  test('logKeyRemovalPolicy DESTROY deletes the key with the stack, after the shortest pending window', () => {
    const { template } = synth({ logKeyRemovalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::KMS::Key', { Properties: { PendingWindowInDays: 7 }, DeletionPolicy: 'Delete' });
  });

  test('a /20 range still fits every subnet tier', () => {
    const { template } = synth({ cidr: '10.128.16.0/20', maxAzs: 2, isolatedSubnets: true });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.128.16.0/23' });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
  });

  test('loadBalancerAccessLogs false: no bucket; accessLogRetention sets the expiry', () => {
    expect(synth({ loadBalancerAccessLogs: false }).network.accessLogBucket).toBeUndefined();
    synth({ accessLogRetention: Duration.days(400) }).template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400 })] } });
  });

  test('logGroupNamePrefix and endpointPolicyAccounts are honoured', () => {
    const { template } = synth({ logGroupNamePrefix: 'bgf-dev-', endpointPolicyAccounts: ['123456789012', '210987654321'] });
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).toContain(':log-group:bgf-dev-*');
    expect(JSON.stringify(template.findResources('AWS::EC2::VPCEndpoint'))).toContain('"aws:PrincipalAccount":["123456789012","210987654321"]');
  });

  test('a chosen endpoint list replaces the default', () => {
    const { template } = synth({ interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR] });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
  });

  test.each<[NetworkProps, RegExp]>([
    [{ cidr: '10.0.0.0/8' }, /Network: cidr "10\.0\.0\.0\/8" must be an IPv4 CIDR with a prefix from \/16 to \/20/],
    [{ maxAzs: 0 }, /Network: maxAzs 0 must be a whole number from 1 to 6/],
    [{ maxAzs: 2, natGateways: 3 }, /Network: natGateways 3 must be from 0 to maxAzs \(2\)/],
    [{ logGroupNamePrefix: 'a*' }, /Network: logGroupNamePrefix "a\*"/],
    [{ endpointPolicyAccounts: ['12'] }, /Network: endpointPolicyAccounts entry "12"/],
  ])('bad props %j are refused', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
