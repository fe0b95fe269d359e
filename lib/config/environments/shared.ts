import { SharedConfig } from '../schema';

/** Account-level resources every environment pulls from: ECR, build secrets, CI roles. */
export const shared: SharedConfig = {
  account: '123456789012',
  region: 'ap-northeast-1',
  replicationRegion: 'ap-northeast-3',
  githubRepository: 'example-org/bluegreen-fleet',
  keepReleaseImages: 30,
  untaggedImageExpiryDays: 7,
  buildSecrets: ['git-deploy-key', 'npm-registry-token'],
};
