import { EnvironmentConfig } from '../schema';
import { api, tokyoBusinessDay, webIn, weekdayReleaseWindow } from '../services';

const ZONE = 'production.internal';
const web = webIn(ZONE);

/**
 * The listeners' certificates (production requires TLS: `requireTls` follows `production`). Each
 * is an ACM certificate in this account and Region for `<service>.production.internal`: a private
 * certificate (AWS Private CA) or an imported one, since public CAs do not issue for `.internal`
 * names (https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html). Replace the ids with
 * your own certificates' before the first deploy. A private CA's root certificate goes in each
 * service's `trustedCaPem`, so the release smoke check can verify the listener.
 */
const CERTIFICATES = {
  web: 'arn:aws:acm:ap-northeast-1:210987654321:certificate/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
  api: 'arn:aws:acm:ap-northeast-1:210987654321:certificate/9e8d7c6b-5a49-4837-a625-1d0c9b8a7f6e',
};

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
      certificateArn: CERTIFICATES.web,
      minTasks: 3,
      maxTasks: 6,
      fleet: { ...web.fleet, instanceTypes: ['m6i.large', 'm5.large'], maxInstances: 6 },
      releaseWindows: [...weekdayReleaseWindow],
    },
    {
      ...api,
      certificateArn: CERTIFICATES.api,
      minTasks: 6,
      maxTasks: 12,
      fleet: { ...api.fleet, instanceTypes: ['m6i.large', 'm5.large'], maxInstances: 8, cpu: 1024, memoryMiB: 2048 },
      schedules: [...tokyoBusinessDay],
      releaseWindows: [...weekdayReleaseWindow],
    },
  ],
};
