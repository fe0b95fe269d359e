import { parseReleaseSettings, RELEASE_SETTINGS_OUTPUT, ReleaseSettings } from '../../../constructs/contract';
import { ExitCode, ReleaseError } from './outcome';
import type { StackState } from './stack-state';

export type { ReleaseSettings } from '../../../constructs/contract';

/**
 * The release settings the stack publishes (ReleaseSupport's `ReleaseSettings` output,
 * docs/contracts.md): bake, rollback window, release windows, scan gate, size budget, smoke
 * path, fleet architectures. A stack without them, or with a document this CLI cannot read, is
 * refused before anything changes, naming the stack, the output and the fix.
 */
export function releaseSettings(state: StackState): ReleaseSettings {
  const parsed = parseReleaseSettings(state.outputs[`${state.prefix}${RELEASE_SETTINGS_OUTPUT}`], { stack: state.name, prefix: state.prefix });
  if ('problem' in parsed) throw new ReleaseError(ExitCode.Refused, `${parsed.problem}; nothing was changed`, { output: `${state.prefix}${RELEASE_SETTINGS_OUTPUT}` });
  return parsed;
}
