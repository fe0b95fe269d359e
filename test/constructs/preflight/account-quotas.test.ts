import { PreflightQuota, PreflightSeverity } from '../../../constructs/preflight';
import { accountQuotas } from '../../../constructs/preflight/rules/account-quotas';
import { ACCOUNT, check, stack } from './support';

const many = (type: string, n: number, properties: Record<string, unknown> = {}) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`R${i}`, { Type: type, Properties: properties }]));

const group = (maxSize: number, instanceType: string, distribution?: Record<string, unknown>) => ({
  Resources: {
    Template: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: instanceType } } },
    Group: {
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      Properties: {
        MaxSize: String(maxSize),
        MinSize: '0',
        ...(distribution
          ? { MixedInstancesPolicy: { InstancesDistribution: distribution, LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'Template' } }, Overrides: [{ InstanceType: instanceType }] } } }
          : { LaunchTemplate: { LaunchTemplateId: { Ref: 'Template' } } }),
      },
    },
  },
});

describe('AccountQuota', () => {
  test('GIVEN 6 Elastic IPs over two stacks of one account and Region THEN an error naming both stacks and the quota', () => {
    const findings = check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::EIP', 3) }), stack('b', { Resources: many('AWS::EC2::EIP', 3) })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'AccountQuota', severity: PreflightSeverity.ERROR, stackName: 'b', logicalId: 'R2' });
    expect(findings[0].message).toMatch(/needs 6 but the quota is 5 \(ec2 L-0263D0A3\); stacks: a, b/);
  });

  test('GIVEN 5 Elastic IPs, or 6 split over two accounts, or a declared raise THEN no finding', () => {
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::EIP', 5) })])).toEqual([]);
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::EIP', 3) }), stack('b', { Resources: many('AWS::EC2::EIP', 3) }, { account: '222222222222' })])).toEqual([]);
    const raised = [{ quota: PreflightQuota.ELASTIC_IPS, value: 10, account: ACCOUNT }];
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::EIP', 6) })], raised)).toEqual([]);
    // A raise in another account does not apply here.
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::EIP', 6) })], [{ ...raised[0], account: '222222222222' }])).toHaveLength(1);
  });

  test('VPCs: the default VPC takes one of the 5, so 5 VPCs of the assembly do not fit and 4 do', () => {
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::VPC', 5) })]).map((f) => f.message)).toEqual([expect.stringMatching(/needs 6 \(1 kept by AWS: the default VPC\)/)]);
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::EC2::VPC', 4) })])).toEqual([]);
  });

  test('reserved concurrency may use all but 100 of the 1,000 concurrent executions', () => {
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::Lambda::Function', 1, { ReservedConcurrentExecutions: 900 }) })])).toEqual([]);
    expect(check(accountQuotas, [stack('a', { Resources: many('AWS::Lambda::Function', 1, { ReservedConcurrentExecutions: 901 }) })])).toHaveLength(1);
  });

  test('NAT gateways count per Availability Zone', () => {
    const subnet = (az: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: az } });
    const nats = (n: number, subnetId: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Nat${subnetId}${i}`, { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: subnetId } } }]));
    const spread = { Resources: { A: subnet('ap-northeast-1a'), C: subnet('ap-northeast-1c'), ...nats(5, 'A'), ...nats(5, 'C') } };
    expect(check(accountQuotas, [stack('a', spread)])).toEqual([]);
    const packed = { Resources: { A: subnet('ap-northeast-1a'), ...nats(6, 'A') } };
    expect(check(accountQuotas, [stack('a', packed)]).map((f) => f.message)).toEqual([expect.stringMatching(/in ap-northeast-1a needs 6/)]);
  });

  test('On-Demand vCPUs at MaxSize: 17 x m5.large (2 vCPUs) = 34 > 32; with half above a base of 1 on Spot, 1 + 8 instances = 18 vCPUs fit', () => {
    expect(check(accountQuotas, [stack('a', group(17, 'm5.large'))]).map((f) => f.message)).toEqual([expect.stringMatching(/vCPUs.*needs 34 but the quota is 32/)]);
    expect(check(accountQuotas, [stack('a', group(16, 'm5.large'))])).toEqual([]);
    expect(check(accountQuotas, [stack('a', group(17, 'm5.large', { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 50 }))])).toEqual([]);
    // The percentage rounds up: 1 + ceil(16 x 0.51) = 10 instances.
    expect(check(accountQuotas, [stack('a', group(17, 'm5.xlarge', { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 51 }))]).map((f) => f.message)).toEqual([expect.stringMatching(/needs 40/)]);
  });

  test('On-Demand vCPUs: an instance type the table does not know is a warning, not a zero', () => {
    expect(check(accountQuotas, [stack('a', group(3, 'x9z.mega'))]).map((f) => f.severity)).toEqual([]);
    const unknownStandard = check(accountQuotas, [stack('a', group(3, 'm99.mega'))]);
    expect(unknownStandard.map((f) => f.severity)).toEqual([PreflightSeverity.WARNING]);
  });
});
