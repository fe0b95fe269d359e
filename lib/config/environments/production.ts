import { EnvironmentConfig } from '../schema';
import { api, tokyoBusinessDay, webIn, weekdayReleaseWindow } from '../services';

const ZONE = 'production.internal';
const web = webIn(ZONE);

/**
 * Production has an account of its own: AWS's multi-account guidance puts production workloads in
 * their own account so no non-production identity, quota or mistake reaches them
 * (https://docs.aws.amazon.com/wellarchitected/2022-03-31/framework/sec_securely_operate_multi_accounts.html).
 * Its 3 NAT gateways take 3 of the Region's 5 default Elastic IPs and its VPC 1 of 5 (the default
 * VPC takes another): https://docs.aws.amazon.com/general/latest/gr/vpc-service.html (VPCs) and EC2 quota L-0263D0A3 (EIPs).
 */
export const production: EnvironmentConfig = {
  name: 'production',
  account: '210987654321',
  region: 'ap-northeast-1',
  production: true,
  vpc: { cidr: '10.30.0.0/16', maxAzs: 3, natGateways: 3, isolatedSubnets: true, flowLogRetentionDays: 365 },
  dnsZoneName: ZONE,
  logRetentionDays: 90,
  services: [
    {
      ...web,
      minTasks: 3,
      maxTasks: 6,
      fleet: { ...web.fleet, instanceTypes: ['m6i.large', 'm5.large'], maxInstances: 6 },
      releaseWindows: [...weekdayReleaseWindow],
    },
    {
      ...api,
      minTasks: 6,
      maxTasks: 12,
      fleet: { ...api.fleet, instanceTypes: ['m6i.large', 'm5.large'], maxInstances: 8, cpu: 1024, memoryMiB: 2048 },
      schedules: [...tokyoBusinessDay],
      releaseWindows: [...weekdayReleaseWindow],
    },
  ],
};
