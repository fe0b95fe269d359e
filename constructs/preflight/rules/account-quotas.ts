import { AssemblyStack, constructPathOf, resourcesOfType, TemplateResource } from '../assembly';
import { instanceVcpus } from '../instance-vcpus';
import { PreflightQuota, QUOTAS, quotaValue } from '../quotas';
import { PreflightFinding, PreflightRule, PreflightSeverity } from '../types';
import { resolveString, UNKNOWN } from '../values';

/** One resource's share of a quota. */
interface Use {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly amount: number;
  /** Per-AZ quotas: the Availability Zone. */
  readonly zone?: string;
}

const num = (stack: AssemblyStack, v: unknown): number | undefined => {
  const n = Number(resolveString(stack, v));
  return v !== undefined && Number.isFinite(n) ? n : undefined;
};

function natGatewayZone(stack: AssemblyStack, nat: TemplateResource): string {
  const subnetRef = (nat.Properties?.SubnetId as { Ref?: string } | undefined)?.Ref;
  const az = subnetRef ? stack.template.Resources?.[subnetRef]?.Properties?.AvailabilityZone : undefined;
  const zone = az !== undefined ? resolveString(stack, az) : UNKNOWN;
  return zone.includes(UNKNOWN) ? `${stack.region} (zone unknown)` : zone;
}

/** Instance types an Auto Scaling group may launch: its overrides, else its launch template's or configuration's. */
function instanceTypes(stack: AssemblyStack, group: TemplateResource): string[] {
  const props = group.Properties ?? {};
  const mixed = props.MixedInstancesPolicy as { LaunchTemplate?: { Overrides?: { InstanceType?: unknown }[]; LaunchTemplateSpecification?: unknown } } | undefined;
  const overrides = (mixed?.LaunchTemplate?.Overrides ?? []).map((o) => resolveString(stack, o.InstanceType)).filter((t) => !t.includes(UNKNOWN));
  if (overrides.length > 0) return overrides;
  const spec = (mixed?.LaunchTemplate?.LaunchTemplateSpecification ?? props.LaunchTemplate) as { LaunchTemplateId?: { Ref?: string } } | undefined;
  const template = spec?.LaunchTemplateId?.Ref ? stack.template.Resources?.[spec.LaunchTemplateId.Ref] : undefined;
  const fromTemplate = (template?.Properties?.LaunchTemplateData as { InstanceType?: unknown } | undefined)?.InstanceType;
  const configRef = (props.LaunchConfigurationName as { Ref?: string } | undefined)?.Ref;
  const fromConfig = configRef ? stack.template.Resources?.[configRef]?.Properties?.InstanceType : undefined;
  const t = resolveString(stack, fromTemplate ?? fromConfig);
  return t.includes(UNKNOWN) ? [] : [t];
}

// Standard families share one vCPU quota (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html).
const STANDARD_FAMILY = /^[acdhimrtz][a-z0-9-]*\./;

/**
 * On-Demand vCPUs of a group at MaxSize: OnDemandBaseCapacity first, then
 * OnDemandPercentageAboveBaseCapacity of the rest (defaults 0 and 100,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-autoscaling-autoscalinggroup-instancesdistribution.html),
 * times the largest type's vCPUs. assumed: the percentage rounds up.
 */
function onDemandVcpus(stack: AssemblyStack, group: TemplateResource): { vcpus?: number; why?: string } {
  const max = num(stack, group.Properties?.MaxSize);
  if (max === undefined) return { why: 'MaxSize is not a literal' };
  const types = instanceTypes(stack, group).filter((t) => STANDARD_FAMILY.test(t));
  if (types.length === 0) return { vcpus: 0 };
  const sizes = types.map((t) => instanceVcpus(t));
  if (sizes.some((s) => s === undefined)) return { why: `vCPUs of ${types.filter((t) => instanceVcpus(t) === undefined).join(', ')} unknown to the instance table` };
  const dist = ((group.Properties?.MixedInstancesPolicy as { InstancesDistribution?: Record<string, unknown> } | undefined)?.InstancesDistribution ?? {}) as Record<string, unknown>;
  const base = Math.min(max, num(stack, dist.OnDemandBaseCapacity) ?? 0);
  const pct = num(stack, dist.OnDemandPercentageAboveBaseCapacity) ?? 100;
  const instances = base + Math.ceil(((max - base) * pct) / 100);
  return { vcpus: instances * Math.max(...(sizes as number[])) };
}

function uses(stack: AssemblyStack, quota: PreflightQuota, unknown: (logicalId: string, r: TemplateResource, why: string) => void): Use[] {
  const each = (type: string, amount: (r: TemplateResource, id: string) => number | undefined, zone?: (r: TemplateResource) => string): Use[] =>
    resourcesOfType(stack, type).flatMap(([logicalId, resource]) => {
      const a = amount(resource, logicalId);
      return a === undefined || a === 0 ? [] : [{ stack, logicalId, resource, amount: a, zone: zone?.(resource) }];
    });
  switch (quota) {
    case PreflightQuota.ELASTIC_IPS:
      return each('AWS::EC2::EIP', () => 1);
    case PreflightQuota.VPCS:
      return each('AWS::EC2::VPC', () => 1);
    case PreflightQuota.NAT_GATEWAYS_PER_AZ:
      return each('AWS::EC2::NatGateway', () => 1, (r) => natGatewayZone(stack, r));
    case PreflightQuota.APPLICATION_LOAD_BALANCERS:
    case PreflightQuota.NETWORK_LOAD_BALANCERS: {
      const wanted = quota === PreflightQuota.APPLICATION_LOAD_BALANCERS ? 'application' : 'network';
      return each('AWS::ElasticLoadBalancingV2::LoadBalancer', (r) => ((r.Properties?.Type ?? 'application') === wanted ? 1 : 0));
    }
    case PreflightQuota.LAMBDA_CONCURRENT_EXECUTIONS:
      return each('AWS::Lambda::Function', (r) => num(stack, r.Properties?.ReservedConcurrentExecutions) ?? 0);
    case PreflightQuota.ON_DEMAND_STANDARD_VCPUS:
      return each('AWS::AutoScaling::AutoScalingGroup', (r, id) => {
        const { vcpus, why } = onDemandVcpus(stack, r);
        if (why) unknown(id, r, why);
        return vcpus;
      });
  }
}

/**
 * Per account and Region (from the stacks' environments), what the assembly creates, summed
 * against AWS's default quotas or the raised values declared: a deploy that needs more fails
 * part-way with a LimitExceeded error.
 */
export const accountQuotas: PreflightRule = {
  id: 'AccountQuota',
  title: 'Per account and Region, the assembly fits the quotas',
  documentation: Object.values(QUOTAS).map((q) => q.documentation),
  check({ assembly, raisedQuotas }) {
    const findings: PreflightFinding[] = [];
    const environments = new Map<string, AssemblyStack[]>();
    for (const stack of assembly.stacks) environments.set(`${stack.account}/${stack.region}`, [...(environments.get(`${stack.account}/${stack.region}`) ?? []), stack]);
    for (const stacks of environments.values()) {
      const { account, region } = stacks[0];
      for (const quota of Object.values(PreflightQuota)) {
        const def = QUOTAS[quota];
        const all = stacks.flatMap((s) =>
          uses(s, quota, (logicalId, r, why) =>
            findings.push({ ruleId: this.id, severity: PreflightSeverity.WARNING, stackName: s.stackName, templatePath: s.templatePath, logicalId, constructPath: constructPathOf(r), documentation: def.documentation, message: `${def.description}: ${logicalId} not counted (${why})` }),
          ),
        );
        const value = quotaValue(quota, account, region, raisedQuotas);
        // The default VPC takes one VPC of the quota where it exists. assumed: it exists (it does in
        // every Region of an account unless deleted: https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html).
        const reserved = quota === PreflightQuota.VPCS ? 1 : quota === PreflightQuota.LAMBDA_CONCURRENT_EXECUTIONS ? 100 : 0;
        const groups = new Map<string, Use[]>();
        for (const u of all) groups.set(u.zone ?? '', [...(groups.get(u.zone ?? '') ?? []), u]);
        for (const [zone, group] of groups) {
          let total = reserved;
          const over = group.find((u) => (total += u.amount) > value);
          if (!over) continue;
          const needed = reserved + group.reduce((sum, u) => sum + u.amount, 0);
          const where = zone ? ` in ${zone}` : '';
          findings.push({
            ruleId: this.id,
            severity: PreflightSeverity.ERROR,
            stackName: over.stack.stackName,
            templatePath: over.stack.templatePath,
            logicalId: over.logicalId,
            constructPath: constructPathOf(over.resource),
            documentation: def.documentation,
            message:
              `${def.description}: account ${account} ${region}${where} needs ${needed}${reserved ? ` (${reserved} kept by AWS: ${quota === PreflightQuota.VPCS ? 'the default VPC' : 'unreserved concurrency'})` : ''} ` +
              `but the quota is ${value} (${def.serviceCode} ${def.quotaCode}); stacks: ${[...new Set(group.map((u) => u.stack.stackName))].join(', ')}. ` +
              'Request an increase and declare it (raisedQuotas), or move environments to their own accounts.',
          });
        }
      }
    }
    return findings;
  },
};
