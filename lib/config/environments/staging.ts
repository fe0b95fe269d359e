import { EnvironmentConfig } from '../schema';
import { api, webIn, weekdayReleaseWindow } from '../services';

const ZONE = 'staging.internal';
const web = webIn(ZONE);

export const staging: EnvironmentConfig = {
  name: 'staging',
  account: '123456789012',
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
