import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
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
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
}

/**
 * A VPC for one environment: public, private (and optionally isolated) subnets across the
 * configured AZs, NAT gateways, VPC endpoints for everything a fleet talks to, flow logs, and
 * a default security group that allows nothing.
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The key that encrypts the environment's log groups. */
  public readonly logKey: kms.IKey;
  /** The security group of all interface endpoints: HTTPS from inside the VPC only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
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

    this.logKey = props.logKey ?? createLogKey(this, props.logKeyRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.logKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

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
    }
    this.interfaceEndpoints = endpoints;

    acknowledgeRestrictDefaultSgProvider(Stack.of(this));
  }
}

function createLogKey(scope: Construct, removalPolicy: RemovalPolicy): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'LogKey', {
    description: `Encrypts CloudWatch Logs of ${stack.stackName}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
    pendingWindow: removalPolicy === RemovalPolicy.RETAIN ? undefined : Duration.days(7),
  });
  // CloudWatch Logs encrypts with the key on the log group's behalf; scope it to this account's
  // log groups in this region.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
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
