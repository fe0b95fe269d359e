import { EnvironmentConfig } from '../schema';
import { api, tokyoBusinessDay, webIn, weekdayReleaseWindow } from '../services';

const ZONE = 'production.internal';
const web = webIn(ZONE);

export const production: EnvironmentConfig = {
  name: 'production',
  account: '123456789012',
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
