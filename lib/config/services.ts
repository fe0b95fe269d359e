import { ServiceConfig } from './schema';

/**
 * The example services every environment runs. An environment file takes these and changes
 * what differs there (sizes, schedules); spreading keeps each environment's file short while
 * the result is still one complete, typed object per environment.
 */

const TOKYO = 'Asia/Tokyo';

export const api: ServiceConfig = {
  name: 'api',
  containerPort: 8080,
  healthCheckPath: '/healthz',
  smokeCheckPath: '/healthz',
  networkMode: 'awsvpc',
  fleet: {
    instanceTypes: ['t3.medium'],
    spotPercentage: 0,
    maxInstances: 4,
    cpu: 512,
    memoryMiB: 1024,
    environment: { LOG_LEVEL: 'info' },
    secrets: {},
  },
  overrides: {},
  minTasks: 2,
  maxTasks: 4,
  cpuTargetPercent: 60,
  allowFrom: ['web'],
  schedules: [],
  releaseWindows: [],
  rollbackWindowMinutes: 60,
  bakeMinutes: 10,
  maxScanSeverity: 'HIGH',
  imageSizeBudgetMiB: 500,
};

export const web: ServiceConfig = {
  ...api,
  name: 'web',
  containerPort: 3000,
  healthCheckPath: '/health',
  smokeCheckPath: '/',
  allowFrom: [],
};

/** `web` of an environment: it calls `api` through api's name in that environment's private zone. */
export function webIn(dnsZoneName: string, base: ServiceConfig = web): ServiceConfig {
  return { ...base, fleet: { ...base.fleet, environment: { ...base.fleet.environment, API_URL: `http://api.${dnsZoneName}` } } };
}

/** The production `api` schedule from the design: out before the 10:00 push, in after the afternoon. */
export const tokyoBusinessDay = [
  { name: 'morning-push', cron: '50 9 * * ? *', timeZone: TOKYO, minTasks: 10, maxTasks: 12 },
  { name: 'afternoon', cron: '30 16 * * ? *', timeZone: TOKYO, minTasks: 6, maxTasks: 8 },
] as const;

export const weekdayReleaseWindow = [
  { name: 'weekday-morning', cron: '0 11 ? * MON-THU *', timeZone: TOKYO, durationMinutes: 120, prewarmMinutes: 30 },
] as const;
