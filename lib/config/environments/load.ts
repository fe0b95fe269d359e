import { EnvironmentConfig } from '../schema';
import { NONPRODUCTION_ACCOUNT } from './shared';
import { api, webIn } from '../services';

/** A production-sized copy for load tests; spot capacity keeps it cheap, it is not production. */
const ZONE = 'load.internal';
const web = webIn(ZONE);

export const load: EnvironmentConfig = {
  name: 'load',
  // The non-production account (with shared, dev, staging, load and branch environments): see
  // NONPRODUCTION_ACCOUNT in ./shared.ts for what its quotas hold.
  account: NONPRODUCTION_ACCOUNT,
  region: 'ap-northeast-1',
  production: false,
  vpc: { cidr: '10.40.0.0/16', maxAzs: 3, natGateways: 1, isolatedSubnets: false, flowLogRetentionDays: 7 },
  dnsZoneName: ZONE,
  logRetentionDays: 7,
  services: [
    { ...web, minTasks: 3, maxTasks: 12, fleet: { ...web.fleet, instanceTypes: ['m6i.large', 'm5.large'], spotPercentage: 100, maxInstances: 12 } },
    { ...api, minTasks: 6, maxTasks: 24, fleet: { ...api.fleet, instanceTypes: ['m6i.large', 'm5.large'], spotPercentage: 100, maxInstances: 16 } },
  ],
};
