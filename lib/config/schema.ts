import { z } from 'zod';
import { SCAN_SEVERITIES } from '../../constructs/contract/settings';
import { PreflightQuota } from '../../constructs/preflight/quotas';

/**
 * The typed shape of one environment's configuration. Every environment file in
 * `lib/config/environments/` exports one object of this type; `validateEnvironments`
 * checks each of them (and the rules that span environments) before any construct is built.
 */

export const STANDARD_ENVIRONMENTS = ['dev', 'staging', 'production', 'load'] as const;
export type StandardEnvironmentName = (typeof STANDARD_ENVIRONMENTS)[number];

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,23}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export const cidrSchema = z.string().refine((v) => {
  const m = CIDR.exec(v);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every((o) => o <= 255) && prefix >= 16 && prefix <= 20;
}, 'must be an IPv4 CIDR block with a prefix from /16 to /20, e.g. 10.10.0.0/16');

export const vpcConfigSchema = z
  .object({
    /** The VPC's IPv4 range; must not overlap any other environment's. */
    cidr: cidrSchema,
    /** Availability zones the VPC spans. */
    maxAzs: z.number().int().min(2, 'must be at least 2 (a fleet must survive one AZ)').max(3, 'must be at most 3 (the AZs recorded in cdk.context.json)'),
    /** NAT gateways; one per AZ for production resilience, one for cheaper environments. */
    natGateways: z.number().int().min(0, 'must be 0 or more'),
    /** Add isolated subnets (no route to the internet) for databases and caches. */
    isolatedSubnets: z.boolean(),
    /** Days VPC flow logs are kept in CloudWatch Logs. */
    flowLogRetentionDays: z.number().int().min(1),
  })
  .strict();

/** Checked against data/ec2-instance-types.json in validate.ts, which can say "did you mean". */
export const instanceTypeSchema = z.string().min(1, 'must be an EC2 instance type such as t3.medium or m7g.large');

/**
 * Everything that runs on one fleet (one color). A service config holds one shared spec and
 * optional per-color overrides, so a change can be made to the standby fleet alone.
 */
export const fleetSpecSchema = z
  .object({
    /** EC2 instance types, first is preferred. All must share one CPU architecture. */
    instanceTypes: z.array(instanceTypeSchema).min(1),
    /** Share of capacity above the base that runs on Spot (0-100). */
    spotPercentage: z.number().int().min(0).max(100),
    /** Upper bound of the Auto Scaling group (the capacity provider scales within it). */
    maxInstances: z.number().int().min(1),
    /** Task-level CPU units (1024 = 1 vCPU). */
    cpu: z.number().int().min(128),
    /** Task-level hard memory limit in MiB. */
    memoryMiB: z.number().int().min(128),
    /** Plain environment variables of the container (never secrets). */
    environment: z.record(z.string(), z.string()),
    /** Secrets injected by ECS: env var name to a Secrets Manager secret name or SSM parameter name (prefix `ssm:`). */
    secrets: z.record(z.string(), z.string()),
  })
  .strict();

export const scheduleSchema = z
  .object({
    /** Unique per service; used in names and error messages. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and dashes'),
    /** Six-field AWS cron expression: minutes hours day-of-month month day-of-week year, e.g. `50 9 * * ? *`. */
    cron: z.string(),
    /** IANA time zone the cron is evaluated in, e.g. Asia/Tokyo. */
    timeZone: z.string(),
    /** The live fleet's minimum from then on; never 0, the live fleet always serves. */
    minTasks: z.number().int().min(1, 'must be at least 1: the live fleet never scales to zero'),
    maxTasks: z.number().int().min(1),
  })
  .strict();

export const releaseWindowSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and dashes'),
    /** When the window opens (six-field AWS cron). */
    cron: z.string(),
    timeZone: z.string(),
    /** How long the window stays open. */
    durationMinutes: z.number().int().min(15).max(24 * 60),
    /** How early before the window the standby is warmed. */
    prewarmMinutes: z.number().int().min(5).max(180),
  })
  .strict();

export const serviceConfigSchema = z
  .object({
    name: z.string().regex(SERVICE_NAME, 'must start with a letter, use lowercase letters, digits and dashes, at most 24 characters'),
    /** Port the container listens on. */
    containerPort: z.number().int().min(1).max(65535),
    /** HTTP path the load balancer and the container health check probe. */
    healthCheckPath: z.string().startsWith('/'),
    /** HTTP path the release tool's smoke check calls through the test listener. */
    smokeCheckPath: z.string().startsWith('/'),
    networkMode: z.enum(['awsvpc', 'host', 'bridge']),
    /** The spec both fleets share. */
    fleet: fleetSpecSchema,
    /** Per-color overrides: a change made here reaches only that fleet. */
    overrides: z
      .object({ blue: fleetSpecSchema.partial().optional(), green: fleetSpecSchema.partial().optional() })
      .strict(),
    /** Task count bounds of the live fleet (the standby's minimum is 0). */
    minTasks: z.number().int().min(1),
    maxTasks: z.number().int().min(1),
    /** Target average CPU utilization (%) of the live service. */
    cpuTargetPercent: z.number().int().min(10).max(90),
    /** Other services of the same environment that may call this one. */
    allowFrom: z.array(z.string()),
    /**
     * ACM certificate (ARN, in the environment's account and Region) for the service's listeners:
     * set, both listeners speak HTTPS (443 and 8443) for `<name>.<dnsZoneName>`; unset, HTTP.
     * Required where the environment's `requireTls` is on (production, by default).
     */
    certificateArn: z.string().optional(),
    /**
     * The CA certificate (PEM) the release smoke check trusts for `certificateArn`, when that
     * certificate chains to a private root (AWS Private CA). Unset: only Node's public roots.
     */
    trustedCaPem: z.string().optional(),
    schedules: z.array(scheduleSchema),
    releaseWindows: z.array(releaseWindowSchema),
    /** After a swap, how long the previous fleet stays warm for a rollback. */
    rollbackWindowMinutes: z.number().int().min(5).max(24 * 60),
    /** After a swap, how long the release tool watches the new live fleet's alarms. */
    bakeMinutes: z.number().int().min(0).max(240),
    /** Refuse images with scan findings at or above this severity. */
    maxScanSeverity: z.enum(SCAN_SEVERITIES),
    /** Warn when an image is larger than this (compressed, MiB). */
    imageSizeBudgetMiB: z.number().int().min(1),
  })
  .strict();

/**
 * Quotas raised above AWS's defaults (Service Quotas increases) in an environment's account and
 * Region, by preflight quota name, e.g. `{ ElasticIps: 10 }` (docs/preflight.md, AccountQuota).
 */
export const raisedQuotasSchema = z
  .object(Object.fromEntries(Object.values(PreflightQuota).map((q) => [q, z.number().int().min(0).optional()])) as Record<PreflightQuota, z.ZodOptional<z.ZodNumber>>)
  .strict();

export const environmentConfigSchema = z
  .object({
    /** Environment name: one of the standard ones, or `br-<branch>` for a branch environment. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be lowercase letters, digits and dashes'),
    /** Set for branch environments: the git branch it was derived from. */
    branch: z.string().optional(),
    account: z.string().regex(ACCOUNT, 'must be a 12-digit AWS account id'),
    region: z.string().regex(REGION, 'must be an AWS region such as ap-northeast-1'),
    /** Production turns on termination protection, deletion protection and retention. */
    production: z.boolean(),
    /**
     * Every service's listeners speak HTTPS: each service must name a `certificateArn`.
     * Unset, it follows `production`; set it false in production only with the reason beside it.
     */
    requireTls: z.boolean().optional(),
    vpc: vpcConfigSchema,
    /** Private hosted zone for service names, e.g. `dev.internal`. */
    dnsZoneName: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a DNS name such as dev.internal'),
    /** Days the services' container logs are kept. */
    logRetentionDays: z.number().int().min(1),
    services: z.array(serviceConfigSchema),
    /** Quotas raised in this account and Region; the preflight gate sums resources against them. Default: AWS's default quotas. */
    raisedQuotas: raisedQuotasSchema.optional(),
  })
  .strict();

export const sharedConfigSchema = z
  .object({
    account: z.string().regex(ACCOUNT, 'must be a 12-digit AWS account id'),
    region: z.string().regex(REGION, 'must be an AWS region such as ap-northeast-1'),
    /** Region that ECR replicates release images to; none when unset. */
    replicationRegion: z.string().regex(REGION, 'must be an AWS region such as ap-northeast-3').optional(),
    /** `owner/name` of the GitHub repository whose workflows may assume the CI roles. */
    githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name'),
    /** Release images kept per repository. */
    keepReleaseImages: z.number().int().min(1).max(1000),
    /** Days after which untagged images expire. */
    untaggedImageExpiryDays: z.number().int().min(1),
    /** Names of the build secrets (values are filled out of band, never in config). */
    buildSecrets: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be lowercase letters, digits and dashes')),
    /**
     * GitHub Actions OIDC providers that already exist (an account holds one per issuer URL):
     * the app imports these instead of creating one in their accounts. Unset: the app creates
     * the provider once per account (the shared stack in its account, else the CI stack of the
     * account's first environment).
     */
    githubOidcProviderArns: z
      .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, 'must be the ARN of a GitHub Actions OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com'))
      .optional(),
  })
  .strict();

export type VpcConfig = Readonly<z.infer<typeof vpcConfigSchema>>;
export type FleetSpec = Readonly<z.infer<typeof fleetSpecSchema>>;
export type ScheduleConfig = Readonly<z.infer<typeof scheduleSchema>>;
export type ReleaseWindowConfig = Readonly<z.infer<typeof releaseWindowSchema>>;
export type ServiceConfig = Readonly<z.infer<typeof serviceConfigSchema>>;
export type EnvironmentConfig = Readonly<z.infer<typeof environmentConfigSchema>>;
export type SharedConfig = Readonly<z.infer<typeof sharedConfigSchema>>;
