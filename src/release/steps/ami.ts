import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { call, ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { AMI_ID_PATTERN } from '../../../constructs/contract';


/** Graviton families (m7g, c6gn, t4g, r8gd, ...) and a1 run arm64 AMIs. */
export function architectureOf(instanceTypes: readonly string[]): 'arm64' | 'x86_64' {
  const arm = instanceTypes.map((t) => /^(a1|[a-z]+\d+g[a-z]*)\./.test(t));
  if (arm.some(Boolean) && !arm.every(Boolean)) {
    throw new ReleaseError(ExitCode.Usage, `instance types ${instanceTypes.join(', ')} mix arm64 and x86_64; one AMI cannot boot both`);
  }
  return arm[0] ? 'arm64' : 'x86_64';
}

/** The SSM public parameter of the current ECS-optimized Amazon Linux 2023 AMI. */
export function recommendedAmiParameter(architecture: 'arm64' | 'x86_64'): string {
  return architecture === 'arm64'
    ? '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id'
    : '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';
}

/**
 * `--ami`: an AMI id is taken as is; `latest` is today's ECS-optimized AMI for the fleet's
 * architecture, read once and then pinned in the parameter like any other id.
 */
export async function resolveAmi(ctx: ReleaseContext, requested: string, fleet: { readonly stack: string; readonly color: string; readonly architecture?: 'arm64' | 'x86_64' }): Promise<string> {
  if (requested !== 'latest') {
    if (!AMI_ID_PATTERN.test(requested)) throw new ReleaseError(ExitCode.Usage, `--ami "${requested}" is not an AMI id (ami-0123456789abcdef0) or "latest"`);
    return requested;
  }
  // The architecture comes from the stack's ReleaseSettings (ReleaseSupport reads the fleet's instance types).
  if (!fleet.architecture) {
    throw new ReleaseError(ExitCode.Usage, `--ami latest: stack ${fleet.stack}'s ReleaseSettings name no CPU architecture for the ${fleet.color} fleet (its instance types could not be read at synth); give an AMI id`);
  }
  const name = recommendedAmiParameter(fleet.architecture);
  const out = await call(ctx, 'GetParameter', `SSM parameter ${name}`, () => ctx.clients.ssm.send(new GetParameterCommand({ Name: name })));
  const id = out.Parameter?.Value ?? '';
  if (!AMI_ID_PATTERN.test(id)) throw new ReleaseError(ExitCode.Error, `SSM parameter ${name} holds "${id}", not an AMI id`);
  return id;
}
