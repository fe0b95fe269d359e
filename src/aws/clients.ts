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
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS clients of one region, created on first use. Every client is built with
 * `maxAttempts: 1`: retries happen in one visible place (retry.ts). This module is only ever
 * loaded by a command's action, never by `bluegreen-fleet --help`.
 */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  private readonly regional = new Map<string, AwsClients>();

  constructor(public readonly region: string) {}

  /** The same set of clients for another region (ECR in the shared account's region, staging's stack). */
  forRegion(region: string): AwsClients {
    if (region === this.region) return this;
    let clients = this.regional.get(region);
    if (!clients) {
      clients = new AwsClients(region);
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

  private config() {
    return { region: this.region, maxAttempts: 1 };
  }

  private get<T>(key: string, create: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, create());
    return this.cache.get(key) as T;
  }
}
