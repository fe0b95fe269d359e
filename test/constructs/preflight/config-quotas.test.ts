import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ENVIRONMENTS } from '../../../lib/config';
import { environmentConfigSchema } from '../../../lib/config/schema';
import { preflightChecks } from '../../../lib/policy/preflight';

/** Validates an app with six Elastic IPs in dev's account and Region through the plugin. */
function eipReport(plugin: ReturnType<typeof preflightChecks>) {
  const app = new App();
  const stack = new Stack(app, 'Eips', { env: { account: ENVIRONMENTS.dev.account, region: ENVIRONMENTS.dev.region } });
  for (let i = 0; i < 6; i++) new ec2.CfnEIP(stack, `Eip${i}`);
  const dir = app.synth().directory;
  return plugin.validate({ templatePaths: [path.join(dir, 'Eips.template.json')], stackTemplates: [], appConstruct: app });
}

describe('raised quotas from lib/config', () => {
  test('the field is optional and takes preflight quota names only', () => {
    expect(environmentConfigSchema.safeParse({ ...ENVIRONMENTS.dev, raisedQuotas: { ElasticIps: 10, Vpcs: 10 } }).success).toBe(true);
    expect(environmentConfigSchema.safeParse(ENVIRONMENTS.dev).success).toBe(true);
    const misspelt = environmentConfigSchema.safeParse({ ...ENVIRONMENTS.dev, raisedQuotas: { ElasticIp: 10 } });
    expect(misspelt.success).toBe(false);
  });

  test('default: AWS default quotas (6 Elastic IPs exceed 5)', () => {
    const report = eipReport(preflightChecks([{ ...ENVIRONMENTS.dev }]));
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AccountQuota']);
  });

  test("an environment's raised quota applies to its account and Region", () => {
    expect(eipReport(preflightChecks([{ ...ENVIRONMENTS.dev, raisedQuotas: { ElasticIps: 6 } }])).success).toBe(true);
    expect(eipReport(preflightChecks([{ ...ENVIRONMENTS.dev, region: 'us-east-1', raisedQuotas: { ElasticIps: 6 } }])).success).toBe(false);
  });
});
