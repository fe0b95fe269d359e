import { defineOptions, integer, OptionsOf } from '../cli/options';
import { TARGET_OPTIONS, targetAcross } from './target.options';

export const STATUS_OPTIONS = defineOptions({
  // A DynamoDB Query's Limit is a positive integer (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html).
  options: { ...TARGET_OPTIONS, last: integer('--last <n>', 'history records to show', { defaultValue: 5, min: 1, check: (v) => (v > 100 ? `must be at most 100, not ${v}` : undefined) }) },
  across: targetAcross,
});

export type StatusCommandOptions = OptionsOf<typeof STATUS_OPTIONS.options>;
