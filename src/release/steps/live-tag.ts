import { ReleaseContext } from '../runtime/context';
import { promote } from '../commands/promote';

/** The ECR pointer tag of what an environment runs live (a mutable `*-live` tag, docs/contracts.md). */
export function liveTag(environment: string): string {
  return `${environment}-live`;
}

/**
 * Points `<env>-live` at the image now live. The repository's lifecycle never expires images
 * with a pointer tag, so the image a fleet may have to scale out with stays pullable however
 * many releases follow. Best effort: traffic is already right, so a failure only warns.
 */
export async function pointLiveTag(ctx: ReleaseContext, environment: string, image: string): Promise<string> {
  const tag = liveTag(environment);
  try {
    const result = await promote(ctx, { image, tag, force: true });
    return result.outcome === 'unchanged' ? `${tag} already points at the live image` : `${tag} -> ${result.digest}`;
  } catch (error) {
    const message = `could not point ${tag} at ${image}: ${(error as Error).message}; the fleet still runs it by digest, but the repository's lifecycle may expire it`;
    ctx.reporter.warn(message);
    return message;
  }
}
