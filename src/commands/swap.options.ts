import { defineOptions, flag, OptionsOf } from '../cli/options';
import { BREAK_LOCK, TARGET_OPTIONS, targetAcross } from './target.options';

export const SWAP_OPTIONS = defineOptions({
  options: { ...TARGET_OPTIONS, dryRun: flag('--dry-run', 'print the plan and change nothing'), breakLock: BREAK_LOCK },
  across: targetAcross,
});

export type SwapCommandOptions = OptionsOf<typeof SWAP_OPTIONS.options>;
