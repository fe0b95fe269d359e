import { resourcesOfType, constructPathOf } from '../assembly';
import { isAllowed } from '../iam';
import { AWS_MANAGED_POLICIES } from '../managed-policies';
import { PreflightFinding, PreflightRule, PreflightSeverity, requestOf } from '../types';
import { referencedRole } from '../values';

const DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions';

/**
 * Lambda creates the ENIs of a VPC function with the function's execution role, and CreateFunction
 * fails ("The provided execution role does not have permissions to call CreateNetworkInterface on
 * EC2") when the role cannot (DOC): the EC2 actions of AWSLambdaVPCAccessExecutionRole. aws-cdk-lib
 * adds that policy only to roles it creates for the function.
 */
export const ENI_ACTIONS: readonly string[] = AWS_MANAGED_POLICIES['service-role/AWSLambdaVPCAccessExecutionRole']
  .flatMap((statement) => (Array.isArray(statement.Action) ? (statement.Action as string[]) : []))
  .filter((action) => action.startsWith('ec2:'));

export const lambdaVpcEni: PreflightRule = {
  id: 'LambdaVpcEni',
  title: "A VPC Lambda function's execution role can manage its network interfaces",
  documentation: [DOC],
  check({ assembly, iam }) {
    const findings: PreflightFinding[] = [];
    for (const stack of assembly.stacks) {
      for (const [id, fn] of resourcesOfType(stack, 'AWS::Lambda::Function')) {
        const subnets = (fn.Properties?.VpcConfig as { SubnetIds?: unknown } | undefined)?.SubnetIds;
        if (subnets === undefined || (Array.isArray(subnets) && subnets.length === 0)) continue;
        const base = { ruleId: this.id, stackName: stack.stackName, templatePath: stack.templatePath, logicalId: id, constructPath: constructPathOf(fn), location: 'Properties/Role', documentation: DOC };
        const roleId = referencedRole(stack, fn.Properties?.Role);
        const role = roleId ? iam.principals.find((p) => p.stack === stack && p.logicalId === roleId) : undefined;
        if (!role) {
          findings.push({ ...base, severity: PreflightSeverity.WARNING, message: `VPC function ${id}: its role is not a role of this stack, so its ENI permissions cannot be checked (${ENI_ACTIONS.join(', ')})` });
          continue;
        }
        const missing = ENI_ACTIONS.map((a) => [a, isAllowed(role, a, '*')] as const).filter(([, d]) => d !== 'yes');
        if (missing.length === 0) continue;
        const certain = missing.some(([, d]) => d === 'no');
        findings.push({
          ...base,
          request: requestOf(role, missing.map(([a]) => a), '*'),
          severity: certain ? PreflightSeverity.ERROR : PreflightSeverity.WARNING,
          message: `VPC function ${id}: role ${roleId} ${certain ? 'lacks' : 'may lack'} ${missing.map(([a]) => a).join(', ')}; Lambda refuses CreateFunction/UpdateFunctionConfiguration. Attach AWSLambdaVPCAccessExecutionRole or grant these actions on *.`,
        });
      }
    }
    return findings;
  },
};
