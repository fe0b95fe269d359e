import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS clients of one region, created on first use. Every client is built with
 * `maxAttempts: 1`: retries happen in one visible place (retry.ts). This module is only ever
 * loaded by a command's action, never by `bluegreen-fleet --help`.
 */
/** Whose credentials the clients use: the default chain, a shared config profile, and/or a role to assume. */
export interface AwsAccess {
  /** A profile of the shared config and credentials files (`--profile`). */
  readonly profile?: string;
  /** A role assumed with STS AssumeRole for every call (`--role-arn`), from the profile's or the default credentials. */
  readonly roleArn?: string;
  /** The role session's name (who is releasing: it shows in CloudTrail). */
  readonly sessionName?: string;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

/**
 * Credentials of an assumed role, shared by every client of the set and renewed five minutes
 * before they expire (AssumeRole's default session lasts one hour:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, DurationSeconds).
 */
function assumedRole(access: AwsAccess, region: string): () => Promise<Credentials> {
  const sts = new STSClient({ region, ...(access.profile ? { profile: access.profile } : {}) });
  let current: Promise<Credentials> | undefined;
  let expires = 0;
  return () => {
    if (!current || Date.now() > expires - 5 * 60_000) {
      current = sts
        .send(new AssumeRoleCommand({ RoleArn: access.roleArn, RoleSessionName: (access.sessionName ?? 'bluegreen-fleet').replace(/[^\w+=,.@-]/g, '-').slice(0, 64) }))
        .then((out) => {
          const c = out.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole of ${access.roleArn} returned no credentials`);
          expires = c.Expiration?.getTime() ?? Date.now() + 15 * 60_000;
          return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        });
      current.catch(() => (current = undefined));
    }
    return current;
  };
}

/** The identity the clients' credentials belong to (STS GetCallerIdentity needs no permission). */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  private readonly regional = new Map<string, AwsClients>();
  private readonly credentials?: () => Promise<Credentials>;

  constructor(
    public readonly region: string,
    public readonly access: AwsAccess = {},
    credentials?: () => Promise<Credentials>,
  ) {
    this.credentials = credentials ?? (access.roleArn ? assumedRole(access, region) : undefined);
  }

  /** The same set of clients for another region (ECR in the shared account's region, staging's stack), with the same credentials. */
  forRegion(region: string): AwsClients {
    if (region === this.region) return this;
    let clients = this.regional.get(region);
    if (!clients) {
      clients = new AwsClients(region, this.access, this.credentials);
      this.regional.set(region, clients);
    }
    return clients;
  }

  get cloudFormation(): CloudFormationClient {
    return this.get('cfn', () => new CloudFormationClient(this.config()));
  }
  get elb(): ElasticLoadBalancingV2Client {
    return this.get('elb', () => new ElasticLoadBalancingV2Client(this.config()));
  }
  get ecs(): ECSClient {
    return this.get('ecs', () => new ECSClient(this.config()));
  }
  get ecr(): ECRClient {
    return this.get('ecr', () => new ECRClient(this.config()));
  }
  get cloudWatch(): CloudWatchClient {
    return this.get('cw', () => new CloudWatchClient(this.config()));
  }
  get autoScaling(): AutoScalingClient {
    return this.get('asg', () => new AutoScalingClient(this.config()));
  }
  get applicationAutoScaling(): ApplicationAutoScalingClient {
    return this.get('aas', () => new ApplicationAutoScalingClient(this.config()));
  }
  get dynamo(): DynamoDBDocumentClient {
    return this.get('ddb', () =>
      DynamoDBDocumentClient.from(new DynamoDBClient(this.config()), { marshallOptions: { removeUndefinedValues: true } }),
    );
  }
  get scheduler(): SchedulerClient {
    return this.get('scheduler', () => new SchedulerClient(this.config()));
  }
  get lambda(): LambdaClient {
    return this.get('lambda', () => new LambdaClient(this.config()));
  }
  get ssm(): SSMClient {
    return this.get('ssm', () => new SSMClient(this.config()));
  }
  get sts(): STSClient {
    return this.get('sts', () => new STSClient(this.config()));
  }

  /**
   * Who the credentials belong to. GetCallerIdentity needs no permission, even under an explicit
   * deny (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
   */
  async callerIdentity(): Promise<CallerIdentity> {
    const out = await this.sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '', arn: out.Arn ?? '' };
  }

  private config() {
    // A profile is the client's own `profile` option (the SDK reads its credentials and settings
    // from the shared files: https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html);
    // an assumed role replaces the credentials.
    return {
      region: this.region,
      maxAttempts: 1,
      ...(this.access.profile && !this.credentials ? { profile: this.access.profile } : {}),
      ...(this.credentials ? { credentials: this.credentials } : {}),
    };
  }

  private get<T>(key: string, create: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, create());
    return this.cache.get(key) as T;
  }
}
