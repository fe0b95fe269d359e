/** The account quotas the preflight sums resources against. */
export enum PreflightQuota {
  /** EC2-VPC Elastic IPs per Region (ec2 L-0263D0A3). */
  ELASTIC_IPS = 'ElasticIps',
  /** VPCs per Region (vpc L-F678F1CE). */
  VPCS = 'Vpcs',
  /** NAT gateways per Availability Zone (vpc L-FE5A380F). */
  NAT_GATEWAYS_PER_AZ = 'NatGatewaysPerAz',
  /** Application Load Balancers per Region (elasticloadbalancing L-53DA6B97). */
  APPLICATION_LOAD_BALANCERS = 'ApplicationLoadBalancers',
  /** Network Load Balancers per Region (elasticloadbalancing L-69A177A2). */
  NETWORK_LOAD_BALANCERS = 'NetworkLoadBalancers',
  /** Lambda concurrent executions per Region (lambda L-B99A9384). */
  LAMBDA_CONCURRENT_EXECUTIONS = 'LambdaConcurrentExecutions',
  /** Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, in vCPUs (ec2 L-1216C47A). */
  ON_DEMAND_STANDARD_VCPUS = 'OnDemandStandardVcpus',
}

/** A quota raised above AWS's default in one account and Region (from a Service Quotas increase). */
export interface RaisedQuota {
  /** Which quota. */
  readonly quota: PreflightQuota;
  /** The applied quota value. */
  readonly value: number;
  /**
   * @default - every account
   */
  readonly account?: string;
  /**
   * @default - every Region
   */
  readonly region?: string;
}

export interface QuotaDefinition {
  readonly quota: PreflightQuota;
  readonly serviceCode: string;
  readonly quotaCode: string;
  readonly defaultValue: number;
  readonly documentation: string;
  readonly description: string;
}

/** AWS's default values, each from the page that states it. */
export const QUOTAS: Readonly<Record<PreflightQuota, QuotaDefinition>> = {
  [PreflightQuota.ELASTIC_IPS]: {
    quota: PreflightQuota.ELASTIC_IPS,
    serviceCode: 'ec2',
    quotaCode: 'L-0263D0A3',
    defaultValue: 5,
    documentation: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-eips',
    description: 'Elastic IP addresses per Region',
  },
  [PreflightQuota.VPCS]: {
    quota: PreflightQuota.VPCS,
    serviceCode: 'vpc',
    quotaCode: 'L-F678F1CE',
    defaultValue: 5,
    documentation: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-vpcs-subnets',
    description: 'VPCs per Region',
  },
  [PreflightQuota.NAT_GATEWAYS_PER_AZ]: {
    quota: PreflightQuota.NAT_GATEWAYS_PER_AZ,
    serviceCode: 'vpc',
    quotaCode: 'L-FE5A380F',
    defaultValue: 5,
    documentation: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-gateways',
    description: 'NAT gateways per Availability Zone',
  },
  [PreflightQuota.APPLICATION_LOAD_BALANCERS]: {
    quota: PreflightQuota.APPLICATION_LOAD_BALANCERS,
    serviceCode: 'elasticloadbalancing',
    quotaCode: 'L-53DA6B97',
    defaultValue: 50,
    documentation: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    description: 'Application Load Balancers per Region',
  },
  [PreflightQuota.NETWORK_LOAD_BALANCERS]: {
    quota: PreflightQuota.NETWORK_LOAD_BALANCERS,
    serviceCode: 'elasticloadbalancing',
    quotaCode: 'L-69A177A2',
    defaultValue: 50,
    documentation: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html',
    description: 'Network Load Balancers per Region',
  },
  [PreflightQuota.LAMBDA_CONCURRENT_EXECUTIONS]: {
    quota: PreflightQuota.LAMBDA_CONCURRENT_EXECUTIONS,
    serviceCode: 'lambda',
    quotaCode: 'L-B99A9384',
    // 1,000 by default, but "new AWS accounts have reduced concurrency and memory quotas" (same
    // page); reserved concurrency may take all but 100 of it
    // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
    defaultValue: 1000,
    documentation: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
    description: 'Lambda concurrent executions per Region (reserved concurrency may use all but 100)',
  },
  [PreflightQuota.ON_DEMAND_STANDARD_VCPUS]: {
    quota: PreflightQuota.ON_DEMAND_STANDARD_VCPUS,
    serviceCode: 'ec2',
    quotaCode: 'L-1216C47A',
    // assumed: 32 vCPUs. AWS documents the quota in vCPUs but no default number, and raises it with
    // an account's age and use; third-party reports give 32 for new accounts
    // (https://www-dev.vigilare.cloud/blog/aws-ec2-vcpu-limits/,
    // https://hidekazu-konishi.com/entry/aws_service_quotas_practical_cheat_sheet.html calls it
    // account-specific). Use --live or declare the applied value.
    defaultValue: 32,
    documentation: 'https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html',
    description: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instance vCPUs per Region',
  },
};

/** The quota that applies in an account and Region: a declared raise, else AWS's default. */
export function quotaValue(quota: PreflightQuota, account: string, region: string, raised: readonly RaisedQuota[]): number {
  const match = raised.filter((r) => r.quota === quota && (r.account === undefined || r.account === account) && (r.region === undefined || r.region === region));
  // The most specific declaration wins: account and Region, then either, then neither.
  match.sort((a, b) => Number(b.account !== undefined) + Number(b.region !== undefined) - (Number(a.account !== undefined) + Number(a.region !== undefined)));
  return match[0]?.value ?? QUOTAS[quota].defaultValue;
}
