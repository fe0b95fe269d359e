import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources } from '../common/kms';
import { pascalCase } from '../common/names';

/**
 * Interface endpoints a blue/green fleet needs so that image pulls, logs, metrics, secrets and
 * shell sessions never leave AWS: the ECS agent, ECR, CloudWatch Logs and metrics, Secrets
 * Manager and KMS for task secrets, STS for role credentials, and SSM for ECS Exec and Session
 * Manager.
 */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly ec2.InterfaceVpcEndpointAwsService[] = [
  ec2.InterfaceVpcEndpointAwsService.ECR,
  ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  ec2.InterfaceVpcEndpointAwsService.SSM,
  ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.ECS,
  ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ec2.InterfaceVpcEndpointAwsService.KMS,
  ec2.InterfaceVpcEndpointAwsService.STS,
];

export interface NetworkProps {
  /**
   * The VPC's IPv4 range, /16 to /20.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * How many availability zones the VPC spans.
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * NAT gateways for outbound traffic from private subnets; at most `maxAzs`. Use one per AZ
   * in production so that losing an AZ does not cut the others off.
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * Add a tier of isolated subnets (no route to the internet), e.g. for databases.
   * @default false - public and private subnets only
   */
  readonly isolatedSubnets?: boolean;

  /**
   * How long VPC flow logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the flow logs, and that the environment's services may use for their own
   * log groups (`Network.logKey`).
   * @default - a new customer-managed key with yearly rotation, usable by CloudWatch Logs in
   * this account and region
   */
  readonly logKey?: kms.IKey;

  /**
   * What happens to the log key (when this construct creates it) when the stack is deleted.
   * @default RemovalPolicy.RETAIN - logs encrypted with it stay readable
   */
  readonly logKeyRemovalPolicy?: RemovalPolicy;

  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN - flow logs are evidence; keep them
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;

  /**
   * Interface VPC endpoints to create in the private subnets (one network interface per AZ
   * each, billed hourly). S3 and DynamoDB gateway endpoints are always added: they are free.
   * @default DEFAULT_INTERFACE_ENDPOINTS - ECR, ECR Docker, CloudWatch Logs and metrics, SSM,
   * SSM messages, EC2 messages, ECS, ECS agent, ECS telemetry, Secrets Manager, KMS, STS
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];

  /**
   * Log groups the log key serves, by name prefix (`kms:EncryptionContext:aws:logs:arn`): give
   * the prefix every stack of the environment starts with, e.g. `bgf-dev-`, so the services'
   * stacks may use the key and no other log group of the account can.
   * @default - `<stack name>-`: the log groups CloudFormation names after this stack
   */
  readonly logGroupNamePrefix?: string;

  /**
   * Accounts whose principals may use the endpoints (`aws:PrincipalAccount` in the endpoint
   * policies of the services that take one, and of the DynamoDB gateway).
   * @default - this stack's account only
   */
  readonly endpointPolicyAccounts?: string[];

  /**
   * A bucket for the environment's load balancer access logs (`Network.accessLogBucket`, pass it
   * to BlueGreenService `accessLogBucket`).
   * @default true
   */
  readonly loadBalancerAccessLogs?: boolean;

  /**
   * How long access logs are kept in that bucket.
   * @default Duration.days(90)
   */
  readonly accessLogRetention?: Duration;
}

/**
 * Interface endpoints whose service takes an endpoint policy, by short name. A service that does
 * not falls back to full access whatever the policy says
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html, "Not all AWS
 * services support endpoint policies"; `aws ec2 describe-vpc-endpoint-services` reports
 * `VpcEndpointPolicySupported` per service). ECR, CloudWatch Logs and metrics, Secrets Manager,
 * KMS, STS and SSM document endpoint policies in their PrivateLink pages, e.g.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-vpc-endpoint-policy.
 * assumed: ecs, ecs-agent, ecs-telemetry, ssmmessages and ec2messages are left without a policy
 * because their pages document none; the preflight can confirm each with
 * DescribeVpcEndpointServices.
 */
export const ENDPOINTS_WITH_POLICIES: readonly string[] = ['ecr.api', 'ecr.dkr', 'logs', 'monitoring', 'secretsmanager', 'kms', 'sts', 'ssm'];

/**
 * A VPC for one environment: public, private (and optionally isolated) subnets across the
 * configured AZs, NAT gateways, VPC endpoints for everything a fleet talks to, flow logs, and
 * a default security group that allows nothing.
 */
export class Network extends Construct {
  /** `interfaceEndpoints` by default: what a blue/green fleet talks to (see `DEFAULT_INTERFACE_ENDPOINTS`). */
  public static readonly DEFAULT_INTERFACE_ENDPOINTS: ec2.InterfaceVpcEndpointAwsService[] = [...DEFAULT_INTERFACE_ENDPOINTS];

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The key that encrypts the environment's log groups. */
  public readonly logKey: kms.IKey;
  /** The security group of all interface endpoints: HTTPS from inside the VPC only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** The bucket for the load balancers' access logs, unless `loadBalancerAccessLogs` is false. */
  public readonly accessLogBucket?: s3.Bucket;
  /** The interface endpoints, by service name (e.g. `com.amazonaws.<region>.ecr.api` short name `ecr.api`). */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const cidr = props.cidr ?? '10.0.0.0/16';
    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? 1;
    validate(cidr, maxAzs, natGateways);
    const prefix = Token.isUnresolved(cidr) ? 16 : Number(cidr.split('/')[1]);

    // Private subnets first: the large blocks are allocated aligned at the start of the range
    // and the small public/isolated ones pack in after them, leaving the rest contiguous.
    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + 3 },
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix + 6, mapPublicIpOnLaunch: false },
    ];
    if (props.isolatedSubnets ?? false) {
      subnetConfiguration.push({ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: prefix + 6 });
    }

    this.vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      subnetConfiguration,
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    const stack = Stack.of(this);
    const logGroupNamePrefix = props.logGroupNamePrefix ?? `${stack.stackName}-`;
    const endpointAccounts = props.endpointPolicyAccounts ?? [stack.account];
    validateScopes(logGroupNamePrefix, endpointAccounts);
    this.logKey = props.logKey ?? createLogKey(this, props.logKeyRemovalPolicy ?? RemovalPolicy.RETAIN, logGroupNamePrefix);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.logKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The role CDK would make trusts the service for any account's flow logs; these conditions
    // are the confused-deputy guard of https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*` },
        },
      }),
      description: 'VPC flow logs write to the flow log group',
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    const onlyFromAccounts = () =>
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': [...endpointAccounts] } },
      });
    // The S3 gateway stays open: image layers come from ECR's own buckets, and the instances'
    // package repositories are read anonymously (no principal account to match).
    (this.vpc.node.findChild('DynamoDB') as ec2.GatewayVpcEndpoint).addToPolicy(onlyFromAccounts());

    // One security group for every endpoint. The peer is the literal range, not the VPC's
    // CidrBlock attribute, so policy checks can see that nothing outside the VPC gets in.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      Token.isUnresolved(cidr) ? ec2.Peer.ipv4(this.vpc.vpcCidrBlock) : ec2.Peer.ipv4(cidr),
      ec2.Port.tcp(443),
      'HTTPS from the VPC',
    );
    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const service of props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      const name = service.shortName;
      endpoints[name] = this.vpc.addInterfaceEndpoint(endpointId(name), {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
      if (ENDPOINTS_WITH_POLICIES.includes(name)) endpoints[name].addToPolicy(onlyFromAccounts());
    }
    this.interfaceEndpoints = endpoints;

    if (props.loadBalancerAccessLogs ?? true) this.accessLogBucket = createAccessLogBucket(this, props.accessLogRetention ?? Duration.days(90));

    acknowledgeRestrictDefaultSgProvider(Stack.of(this));
  }
}

/**
 * Load balancers deliver access logs only to buckets encrypted with S3-managed keys, and they
 * support buckets with ACLs disabled
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 * The delivery permission is added by `ApplicationLoadBalancer.logAccessLogs`.
 */
function createAccessLogBucket(scope: Construct, retention: Duration): s3.Bucket {
  const days = retention.toDays();
  const bucket = new s3.Bucket(scope, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(days), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const ack = (id: string, reason: string) => Validations.of(bucket).acknowledge({ id, reason });
  ack('AwsSolutions::AwsSolutions-S1', 'This bucket holds access logs; logging its own access would write logs about logs.');
  ack('cdk-validator-cfnguard::s3_bucket_logging_enabled_check', 'This bucket holds access logs; logging its own access would write logs about logs.');
  ack('cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', 'Load balancers deliver access logs only to SSE-S3 buckets (ELB access logging docs); SSE-KMS would stop delivery.');
  ack('cdk-validator-cfnguard::s3_event_notifications_enabled_check', 'Nothing consumes new access-log objects; they are read on demand.');
  ack('cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', `Access logs expire after ${days} days by lifecycle; object lock would keep them past that.`);
  return bucket;
}

function createLogKey(scope: Construct, removalPolicy: RemovalPolicy, logGroupNamePrefix: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'LogKey', {
    description: `Encrypts CloudWatch Logs of ${stack.stackName}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
    pendingWindow: removalPolicy === RemovalPolicy.RETAIN ? undefined : Duration.days(7),
  });
  // CloudWatch Logs encrypts with the key on the log group's behalf, naming the log group in the
  // encryption context (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
  // only the log groups whose names start with the prefix. A log group without LogGroupName gets
  // "<stack name>-<logical id>-<suffix>" (assumed from CloudFormation's generated names:
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html).
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${logGroupNamePrefix}*` },
      },
    }),
  );
  denyGrantsExceptForAwsResources(key);
  return key;
}

/**
 * `restrictDefaultSecurityGroup` adds a CDK-owned custom resource provider to the stack (not
 * under this construct). Its findings are acknowledged on that provider only.
 */
function acknowledgeRestrictDefaultSgProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (!provider) return;
  Validations.of(provider).acknowledge(
    {
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'CDK-provided one-shot handler that empties the default security group at deploy time; it calls only the EC2 API and runs before the endpoints it would need exist.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM4',
      reason: 'CDK-provided handler uses AWSLambdaBasicExecutionRole to write its own logs only.',
    },
  );
}

function endpointId(shortName: string): string {
  return `${pascalCase(shortName)}Endpoint`;
}

function validateScopes(logGroupNamePrefix: string, accounts: readonly string[]): void {
  if (!Token.isUnresolved(logGroupNamePrefix) && !/^[A-Za-z0-9_/.#-]{1,480}$/.test(logGroupNamePrefix)) {
    throw new Error(`Network: logGroupNamePrefix "${logGroupNamePrefix}" must be the start of a log group name (letters, digits, _ / . # -; no wildcard)`);
  }
  if (accounts.length === 0) throw new Error('Network: endpointPolicyAccounts must name at least one account');
  for (const account of accounts) {
    if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) throw new Error(`Network: endpointPolicyAccounts entry "${account}" must be a 12-digit AWS account id`);
  }
}

function validate(cidr: string, maxAzs: number, natGateways: number): void {
  if (!Token.isUnresolved(cidr)) {
    const m = /^(\d{1,3}\.){3}\d{1,3}\/(\d{1,2})$/.exec(cidr);
    const prefix = m ? Number(m[2]) : NaN;
    if (!m || prefix < 16 || prefix > 20) {
      throw new Error(`Network: cidr "${cidr}" must be an IPv4 CIDR with a prefix from /16 to /20 (e.g. 10.0.0.0/16)`);
    }
  }
  if (!Number.isInteger(maxAzs) || maxAzs < 1 || maxAzs > 6) {
    throw new Error(`Network: maxAzs ${maxAzs} must be a whole number from 1 to 6`);
  }
  if (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > maxAzs) {
    throw new Error(`Network: natGateways ${natGateways} must be from 0 to maxAzs (${maxAzs})`);
  }
}
