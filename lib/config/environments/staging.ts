import { EnvironmentConfig } from '../schema';
import { NONPRODUCTION_ACCOUNT } from './shared';
import { api, webIn, weekdayReleaseWindow } from '../services';

const ZONE = 'staging.internal';
const web = webIn(ZONE);

export const staging: EnvironmentConfig = {
  name: 'staging',
  // The non-production account (with shared, dev, staging, load and branch environments): see
  // NONPRODUCTION_ACCOUNT in ./shared.ts for what its quotas hold.
  account: NONPRODUCTION_ACCOUNT,
  region: 'ap-northeast-1',
  production: false,
  vpc: { cidr: '10.20.0.0/16', maxAzs: 2, natGateways: 1, isolatedSubnets: true, flowLogRetentionDays: 30 },
  dnsZoneName: ZONE,
  logRetentionDays: 30,
  services: [
    { ...web, rollbackWindowMinutes: 30 },
    { ...api, rollbackWindowMinutes: 30, releaseWindows: [...weekdayReleaseWindow] },
  ],
};
