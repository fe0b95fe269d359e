import type { PreflightCommandOptions } from './preflight.options';
import * as path from 'path';
import {
  asWildcards,
  AssemblyStack,
  formatFindings,
  isFullyKnown,
  PermissionRequest,
  PreflightFinding,
  PreflightQuota,
  PreflightSeverity,
  QUOTAS,
  RaisedQuota,
  readAssembly,
  runPreflight,
} from '../../constructs/preflight';

/** Options of `bluegreen-fleet preflight` as commander parses them: from its one definition. */
export type { PreflightCommandOptions };

/** What `--live` asks AWS; tests replace it. */
export interface LiveAccount {
  /** The account the credentials belong to (only its stacks are checked live). */
  account(): Promise<string>;
  /** Service Quotas' applied value, or undefined when the quota has none applied. */
  quota(region: string, serviceCode: string, quotaCode: string): Promise<number | undefined>;
  /** iam:SimulatePrincipalPolicy: true when every action is allowed. */
  simulate(request: PermissionRequest & { principalArn: string }): Promise<boolean>;
  /** The physical name of a deployed resource, or undefined when the stack or resource does not exist. */
  physicalId(region: string, stackName: string, logicalId: string): Promise<string | undefined>;
  oidcProviderExists(url: string): Promise<boolean>;
  /** Whether the Region's registry has replication rules. */
  replicationConfigured(region: string): Promise<boolean>;
}

export interface PreflightDependencies {
  readonly cwd: string;
  readonly write: (text: string) => void;
  readonly live: () => LiveAccount;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_DEPENDENCIES: PreflightDependencies = {
  cwd: process.cwd(),
  write: (text) => process.stdout.write(text),
  live: () => {
    // Loaded only with --live: the offline report needs no AWS SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SdkLiveAccount } = require('../preflight/sdk-live-account') as typeof import('../preflight/sdk-live-account');
    return new SdkLiveAccount();
  },
};

function parseQuotas(values: readonly string[] = []): RaisedQuota[] {
  const names = Object.values(PreflightQuota) as string[];
  return values.map((v) => {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(v);
    if (!m || !names.includes(m[1])) throw new UsageError(`--quota ${v}: expected <quota>=<number> with <quota> one of ${names.join(', ')}`);
    return { quota: m[1] as PreflightQuota, value: Number(m[2]) };
  });
}

class UsageError extends Error {}

interface LiveNote {
  readonly check: string;
  readonly detail: string;
}

/** The applied quota values of the credentials' account, for every Region the assembly uses. */
async function liveQuotas(live: LiveAccount, account: string, stacks: readonly AssemblyStack[], notes: LiveNote[]): Promise<RaisedQuota[]> {
  const regions = [...new Set(stacks.filter((s) => s.account === account).map((s) => s.region))];
  const raised: RaisedQuota[] = [];
  for (const region of regions) {
    for (const def of Object.values(QUOTAS)) {
      const value = await live.quota(region, def.serviceCode, def.quotaCode);
      if (value === undefined) continue;
      raised.push({ quota: def.quota, value, account, region });
      notes.push({ check: 'service-quotas', detail: `${account} ${region} ${def.quotaCode} ${def.description}: ${value}` });
    }
  }
  return raised;
}

/** A role's deployed ARN: generated names are looked up in the deployed stack. */
async function deployedArn(live: LiveAccount, request: PermissionRequest, stacks: readonly AssemblyStack[]): Promise<string | undefined> {
  if (isFullyKnown(request.principalArn)) return request.principalArn;
  const stack = stacks.find((s) => s.stackName === request.principalStackName);
  if (!stack || !request.principalLogicalId) return undefined;
  const name = await live.physicalId(stack.region, stack.stackName, request.principalLogicalId);
  if (!name) return undefined;
  const rolePath = (stack.template.Resources?.[request.principalLogicalId]?.Properties?.Path as string | undefined) ?? '/';
  return `arn:aws:iam::${stack.account}:role${rolePath}${name}`;
}

/**
 * With credentials, each permission finding is asked of IAM's policy simulator: allowed means the
 * finding was a limit of the offline model (an opaque or conditional policy) and it is dropped;
 * denied makes a warning an error. Findings of other accounts stay as they are.
 */
async function confirmLive(live: LiveAccount, account: string, stacks: readonly AssemblyStack[], findings: readonly PreflightFinding[], notes: LiveNote[]): Promise<PreflightFinding[]> {
  const kept: PreflightFinding[] = [];
  for (const finding of findings) {
    const stack = stacks.find((s) => s.stackName === finding.stackName);
    if (!finding.request || stack?.account !== account) {
      kept.push(finding);
      continue;
    }
    const principalArn = await deployedArn(live, finding.request, stacks);
    if (!principalArn) {
      kept.push(finding);
      notes.push({ check: 'simulate', detail: `${finding.ruleId} ${finding.stackName}/${finding.logicalId}: principal not deployed yet, kept as found offline` });
      continue;
    }
    const allowed = await live.simulate({ ...finding.request, principalArn, resourceArn: asWildcards(finding.request.resourceArn) });
    notes.push({ check: 'simulate', detail: `${principalArn} ${finding.request.actions.join(',')} on ${asWildcards(finding.request.resourceArn)}: ${allowed ? 'allowed' : 'denied'}` });
    if (!allowed) kept.push({ ...finding, severity: PreflightSeverity.ERROR, message: `${finding.message} (confirmed by iam:SimulatePrincipalPolicy)` });
  }
  return kept;
}

/** Account singletons that already exist in the account and are not the stack's own. */
async function liveSingletons(live: LiveAccount, account: string, stacks: readonly AssemblyStack[]): Promise<PreflightFinding[]> {
  const findings: PreflightFinding[] = [];
  for (const stack of stacks.filter((s) => s.account === account)) {
    for (const [logicalId, r] of Object.entries(stack.template.Resources ?? {})) {
      const url = r.Type === 'AWS::IAM::OIDCProvider' ? r.Properties?.Url : undefined;
      const exists =
        typeof url === 'string' ? await live.oidcProviderExists(url) : r.Type === 'AWS::ECR::ReplicationConfiguration' ? await live.replicationConfigured(stack.region) : false;
      if (!exists || (await live.physicalId(stack.region, stack.stackName, logicalId))) continue;
      findings.push({
        ruleId: 'AccountSingleton',
        severity: PreflightSeverity.ERROR,
        stackName: stack.stackName,
        templatePath: stack.templatePath,
        logicalId,
        documentation: r.Type === 'AWS::IAM::OIDCProvider' ? 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html' : 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutReplicationConfiguration.html',
        message:
          r.Type === 'AWS::IAM::OIDCProvider'
            ? `account ${account} already has an OIDC provider for ${url}, not made by ${stack.stackName}: creating ${logicalId} fails; import the existing provider instead`
            : `the ${stack.region} registry of ${account} already replicates, not by ${stack.stackName}: ${logicalId} would replace those rules`,
      });
    }
  }
  return findings;
}

/**
 * `bluegreen-fleet preflight`: the preflight gate's report on an existing cloud assembly (offline),
 * optionally checked against the account (`--live`). Exit 0 when no finding is an error.
 */
export async function runPreflightCommand(options: PreflightCommandOptions, deps: PreflightDependencies = DEFAULT_DEPENDENCIES): Promise<number> {
  const dir = path.resolve(deps.cwd, options.assembly ?? 'cdk.out');
  let findings: PreflightFinding[];
  const notes: LiveNote[] = [];
  try {
    const assembly = readAssembly(dir);
    let raised = parseQuotas(options.quota);
    if (options.live) {
      const live = deps.live();
      const account = await live.account();
      raised = [...(await liveQuotas(live, account, assembly.stacks, notes)), ...raised];
      const offline = runPreflight(assembly, raised).findings;
      findings = [...(await confirmLive(live, account, assembly.stacks, offline, notes)), ...(await liveSingletons(live, account, assembly.stacks))];
    } else {
      findings = [...runPreflight(assembly, raised).findings];
    }
  } catch (error) {
    const message = (error as Error).message;
    deps.write(options.json ? `${JSON.stringify({ ok: false, error: message })}\n` : `preflight: ${message}\n`);
    return EXIT_USAGE;
  }
  const errors = findings.filter((f) => f.severity === PreflightSeverity.ERROR).length;
  const warnings = findings.length - errors;
  if (options.json) {
    deps.write(`${JSON.stringify({ ok: errors === 0, assembly: dir, live: !!options.live, errors, warnings, findings: findings.map(({ request: _request, ...f }) => f), liveChecks: notes })}\n`);
  } else {
    const lines = [...formatFindings(findings), ...notes.map((n) => `live ${n.check}: ${n.detail}`), `preflight: ${errors} error(s), ${warnings} warning(s) in ${dir}${options.live ? ' (live)' : ' (offline)'}`];
    deps.write(`${lines.join('\n')}\n`);
  }
  return errors === 0 ? EXIT_OK : EXIT_FINDINGS;
}
