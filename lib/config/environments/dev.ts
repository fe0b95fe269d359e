import { EnvironmentConfig } from '../schema';
import { NONPRODUCTION_ACCOUNT } from './shared';
import { api, webIn } from '../services';

const ZONE = 'dev.internal';
const web = webIn(ZONE);

export const dev: EnvironmentConfig = {
  name: 'dev',
  // The non-production account (with shared, dev, staging, load and branch environments): see
  // NONPRODUCTION_ACCOUNT in ./shared.ts for what its quotas hold.
  account: NONPRODUCTION_ACCOUNT,
  region: 'ap-northeast-1',
  production: false,
  vpc: { cidr: '10.10.0.0/16', maxAzs: 2, natGateways: 1, isolatedSubnets: false, flowLogRetentionDays: 14 },
  dnsZoneName: ZONE,
  logRetentionDays: 14,
  services: [
    { ...web, minTasks: 1, maxTasks: 2, rollbackWindowMinutes: 15, bakeMinutes: 5 },
    { ...api, minTasks: 1, maxTasks: 2, rollbackWindowMinutes: 15, bakeMinutes: 5 },
  ],
};
