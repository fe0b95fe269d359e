import { RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Network } from '../../constructs';
import { EnvironmentConfig } from '../config';

export interface NetworkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/** The long-lived layer of an environment: the VPC and its endpoints. Services import it. */
export class NetworkStack extends Stack {
  public readonly network: Network;
  /** Private zone for service names (`<service>.<dnsZoneName>`), resolvable inside the VPC only. */
  public readonly hostedZone: route53.PrivateHostedZone;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { vpc } = props.config;
    this.network = new Network(this, 'Network', {
      cidr: vpc.cidr,
      maxAzs: vpc.maxAzs,
      natGateways: vpc.natGateways,
      isolatedSubnets: vpc.isolatedSubnets,
      flowLogRetention: retentionDays(vpc.flowLogRetentionDays),
      flowLogRemovalPolicy: props.config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // A destroyed branch environment leaves no key behind (KMS still waits 7 days to delete it).
      logKeyRemovalPolicy: props.config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Every stack of the environment is named <prefix>-<env>-<part> (lib/app.ts stackNames).
      logGroupNamePrefix: this.stackName.lastIndexOf('-') > 0 ? this.stackName.slice(0, this.stackName.lastIndexOf('-') + 1) : undefined,
    });
    this.hostedZone = new route53.PrivateHostedZone(this, 'ServiceZone', {
      zoneName: props.config.dnsZoneName,
      vpc: this.network.vpc,
      comment: `bluegreen-fleet ${props.config.name}: service names, each an alias of its internal load balancer`,
    });
    if (vpc.flowLogRetentionDays < 365) {
      Validations.of(this.network.flowLogGroup).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
        reason: `${props.config.name} is ${props.config.production ? 'configured' : 'not production'}: flow logs are kept ${vpc.flowLogRetentionDays} days (vpc.flowLogRetentionDays) to bound cost; audit evidence is kept in production.`,
      });
    }
  }
}

/** Maps a day count to the nearest CloudWatch Logs retention that keeps at least that long. */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? logs.RetentionDays.TEN_YEARS;
}
