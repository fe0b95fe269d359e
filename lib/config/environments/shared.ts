import { SharedConfig } from '../schema';

/**
 * The account of everything but production: shared (ECR, build secrets, CI roles), dev, staging,
 * load and branch environments. Per Region it holds 3 VPCs plus the default VPC and a branch
 * environment's (5, the default quota), and 3 NAT gateways' Elastic IPs plus a branch
 * environment's (4 of the default 5):
 * https://docs.aws.amazon.com/general/latest/gr/vpc-service.html (VPCs) and EC2 quota L-0263D0A3 (EIPs). Production is apart
 * (./production.ts). Images are built and pushed here; production pulls them across accounts.
 */
export const NONPRODUCTION_ACCOUNT = '123456789012';

/** Account-level resources every environment pulls from: ECR, build secrets, CI roles. */
export const shared: SharedConfig = {
  account: NONPRODUCTION_ACCOUNT,
  region: 'ap-northeast-1',
  replicationRegion: 'ap-northeast-3',
  githubRepository: 'example-org/bluegreen-fleet',
  keepReleaseImages: 30,
  untaggedImageExpiryDays: 7,
  buildSecrets: ['git-deploy-key', 'npm-registry-token'],
};
