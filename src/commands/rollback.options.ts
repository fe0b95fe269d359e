import { defineOptions, flag, OptionsOf } from '../cli/options';
import { BREAK_LOCK, TARGET_OPTIONS, targetAcross } from './target.options';

export const ROLLBACK_OPTIONS = defineOptions({
  options: { ...TARGET_OPTIONS, warm: flag('--warm', 'when the previous fleet is cold: warm it, check it and swap to it'), breakLock: BREAK_LOCK },
  across: targetAcross,
});

export type RollbackCommandOptions = OptionsOf<typeof ROLLBACK_OPTIONS.options>;
