import { EnvironmentConfig } from '../schema';
import { api, webIn } from '../services';

const ZONE = 'dev.internal';
const web = webIn(ZONE);

export const dev: EnvironmentConfig = {
  name: 'dev',
  account: '123456789012',
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
