import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRegistryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient, ListOpenIDConnectProvidersCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { PermissionRequest } from '../../constructs/preflight';
import type { LiveAccount } from '../commands/preflight';

/** The SDK v3 implementation of the live checks (one client per Region, no retries hidden). */
export class SdkLiveAccount implements LiveAccount {
  private readonly config = (region: string) => ({ region, maxAttempts: 3 });

  async account(): Promise<string> {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    return (await new STSClient(this.config(process.env.AWS_REGION ?? 'us-east-1')).send(new GetCallerIdentityCommand({}))).Account ?? '';
  }

  async quota(region: string, serviceCode: string, quotaCode: string): Promise<number | undefined> {
    // https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
    const out = await new ServiceQuotasClient(this.config(region)).send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
    return out.Quota?.Value;
  }

  async simulate(request: PermissionRequest): Promise<boolean> {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
    const out = await new IAMClient(this.config('us-east-1')).send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: request.principalArn,
        ActionNames: [...request.actions],
        ResourceArns: [request.resourceArn],
        ContextEntries: Object.entries(request.context ?? {}).map(([key, value]) => ({ ContextKeyName: key, ContextKeyType: 'string', ContextKeyValues: [value] })),
      }),
    );
    return (out.EvaluationResults ?? []).length > 0 && (out.EvaluationResults ?? []).every((r) => r.EvalDecision === 'allowed');
  }

  async physicalId(region: string, stackName: string, logicalId: string): Promise<string | undefined> {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
    try {
      const out = await new CloudFormationClient(this.config(region)).send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
      return out.StackResourceDetail?.PhysicalResourceId;
    } catch (error) {
      if ((error as { name?: string }).name === 'ValidationError') return undefined; // no such stack or resource
      throw error;
    }
  }

  async oidcProviderExists(url: string): Promise<boolean> {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOpenIDConnectProviders.html: ARNs end in the URL without its scheme.
    const out = await new IAMClient(this.config('us-east-1')).send(new ListOpenIDConnectProvidersCommand({}));
    const host = url.replace(/^https:\/\//, '').replace(/\/$/, '');
    return (out.OpenIDConnectProviderList ?? []).some((p) => p.Arn?.endsWith(`:oidc-provider/${host}`));
  }

  async replicationConfigured(region: string): Promise<boolean> {
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRegistry.html
    const out = await new ECRClient(this.config(region)).send(new DescribeRegistryCommand({}));
    return (out.replicationConfiguration?.rules ?? []).length > 0;
  }
}

