import { AssemblyStack, constructPathOf, TemplateResource } from '../assembly';
import { PreflightFinding, PreflightRule, PreflightSeverity } from '../types';
import { resolveString } from '../values';

interface Singleton {
  readonly type: string;
  /** What must be unique: per account (IAM is global) or per account and Region. */
  readonly scope: 'account' | 'region';
  /** A key within the scope (e.g. the provider URL); one per scope when absent. */
  readonly key?: (stack: AssemblyStack, r: TemplateResource) => string;
  readonly documentation: string;
  readonly why: string;
}

/** Resources of which an account (or a Region's registry) holds at most one, each with the page that says so. */
export const SINGLETONS: readonly Singleton[] = [
  {
    type: 'AWS::IAM::OIDCProvider',
    scope: 'account',
    // IAM compares provider URLs without the scheme; a second CreateOpenIDConnectProvider for one
    // URL fails with EntityAlreadyExists.
    key: (stack, r) => resolveString(stack, r.Properties?.Url).replace(/^https:\/\//, '').replace(/\/$/, '').toLowerCase(),
    documentation: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html',
    why: 'an account has one OIDC provider per URL (EntityAlreadyExists)',
  },
  {
    type: 'AWS::ECR::ReplicationConfiguration',
    scope: 'region',
    documentation: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutReplicationConfiguration.html',
    why: "a registry has one replication configuration; each PutReplicationConfiguration replaces the other's rules",
  },
  {
    type: 'AWS::ECR::RegistryPolicy',
    scope: 'region',
    documentation: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryPolicy.html',
    why: 'a registry has one registry policy; each PutRegistryPolicy replaces it',
  },
  {
    type: 'AWS::ECR::RegistryScanningConfiguration',
    scope: 'region',
    documentation: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryScanningConfiguration.html',
    why: 'a registry has one scanning configuration; each PutRegistryScanningConfiguration replaces it',
  },
  {
    type: 'AWS::GuardDuty::Detector',
    scope: 'region',
    documentation: 'https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html',
    why: 'GuardDuty allows one detector per account and Region',
  },
];

/**
 * Account-level singletons defined twice in one assembly: the second stack's create fails, or,
 * worse, silently replaces the first's configuration.
 */
export const accountSingletons: PreflightRule = {
  id: 'AccountSingleton',
  title: 'Account singletons are defined once',
  documentation: SINGLETONS.map((s) => s.documentation),
  check({ assembly }) {
    const findings: PreflightFinding[] = [];
    for (const singleton of SINGLETONS) {
      const seen = new Map<string, { stack: AssemblyStack; logicalId: string }>();
      for (const stack of assembly.stacks) {
        for (const [logicalId, r] of Object.entries(stack.template.Resources ?? {})) {
          if (r.Type !== singleton.type) continue;
          const scope = singleton.scope === 'account' ? stack.account : `${stack.account}/${stack.region}`;
          const key = `${scope}|${singleton.key?.(stack, r) ?? ''}`;
          const first = seen.get(key);
          if (!first) {
            seen.set(key, { stack, logicalId });
            continue;
          }
          findings.push({
            ruleId: this.id,
            severity: PreflightSeverity.ERROR,
            stackName: stack.stackName,
            templatePath: stack.templatePath,
            logicalId,
            constructPath: constructPathOf(r),
            documentation: singleton.documentation,
            message: `${singleton.type} ${logicalId} in ${stack.stackName} duplicates ${first.logicalId} in ${first.stack.stackName} (account ${scope}): ${singleton.why}. Define it once and import it elsewhere.`,
          });
        }
      }
    }
    return findings;
  },
};
