import { Assembly, AssemblyStack } from './assembly';
import { IamModel, Principal } from './iam';
import { RaisedQuota } from './quotas';

/** How much a finding blocks: an error fails synth and `bluegreen-fleet preflight`. */
export enum PreflightSeverity {
  ERROR = 'error',
  /** The template alone cannot prove the rule holds (an unknown name, an opaque policy). */
  WARNING = 'warning',
}

/** One broken rule on one resource. */
export interface PreflightFinding {
  readonly ruleId: string;
  readonly severity: PreflightSeverity;
  /** The stack whose resource the finding is about. */
  readonly stackName: string;
  readonly templatePath?: string;
  /** The resource's logical id (or a parameter's name) in that stack's template. */
  readonly logicalId?: string;
  readonly constructPath?: string;
  /** Where in the resource, e.g. `Properties/VpcConfig`. */
  readonly location?: string;
  readonly message: string;
  /** The AWS documentation that states the rule. */
  readonly documentation: string;
  /** For permission findings: the request that must be allowed, for `--live` to simulate. */
  readonly request?: PermissionRequest;
}

/** A request a principal must be allowed to make (what iam:SimulatePrincipalPolicy answers). */
export interface PermissionRequest {
  /** The principal's ARN as far as synth knows it (generated names are resolved live). */
  readonly principalArn: string;
  /** Where the principal is defined, when it is a role of the assembly. */
  readonly principalStackName?: string;
  readonly principalLogicalId?: string;
  readonly actions: readonly string[];
  readonly resourceArn: string;
  /** Condition context (e.g. iam:PassedToService). */
  readonly context?: Readonly<Record<string, string>>;
}

/** What every rule is given. */
export interface RuleContext {
  readonly assembly: Assembly;
  readonly iam: IamModel;
  readonly raisedQuotas: readonly RaisedQuota[];
}

/** One rule, one file, one documentation link (as cdk-nag v3's rules are). */
export interface PreflightRule {
  readonly id: string;
  readonly title: string;
  /** The AWS documentation pages the rule restates. */
  readonly documentation: readonly string[];
  check(context: RuleContext): PreflightFinding[];
}

/** The request a principal must be allowed, for a finding. */
export function requestOf(principal: Principal, actions: readonly string[], resourceArn: string, context?: Record<string, string>): PermissionRequest {
  return { principalArn: principal.arn, principalStackName: principal.stack?.stackName, principalLogicalId: principal.logicalId, actions, resourceArn, context };
}

/** The finding's resource when it is about a principal of the assembly, else the stack itself. */
export function onPrincipal(principal: Principal, fallback: AssemblyStack): Pick<PreflightFinding, 'stackName' | 'templatePath' | 'logicalId' | 'constructPath'> {
  if (principal.stack && principal.logicalId) {
    return { stackName: principal.stack.stackName, templatePath: principal.stack.templatePath, logicalId: principal.logicalId, constructPath: principal.constructPath };
  }
  return { stackName: fallback.stackName, templatePath: fallback.templatePath };
}
