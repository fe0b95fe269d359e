import * as z from 'zod/mini';
import { COLORS } from './colors';

/**
 * What the CLI and the schedules send to the release Lambdas, and what they answer. Both sides
 * parse what they receive with these schemas: a Lambda's event can come from a hand-made schedule
 * or `aws lambda invoke`, and its answer is untrusted JSON to the CLI.
 */

const color = z.enum(COLORS as unknown as ['blue', 'green']);

export const smokeCheckRequestSchema = z.object({
  /**
   * `<http|https>://<load balancer>:<test listener port><path>`; the Lambda refuses any other host
   * or port, and calls with the test listener's protocol (its `ALLOWED_ORIGIN`'s scheme), whatever
   * the scheme here: the stack's outputs, which the CLI builds this from, do not say it.
   */
  url: z.string(),
  /** @default 5000 */
  timeoutMs: z.optional(z.number()),
});
export type SmokeCheckRequest = Readonly<z.infer<typeof smokeCheckRequestSchema>>;

export const smokeCheckResultSchema = z.object({
  pass: z.boolean(),
  url: z.string(),
  status: z.optional(z.number()),
  latencyMs: z.number(),
  error: z.optional(z.string()),
});
export type SmokeCheckResult = Readonly<z.infer<typeof smokeCheckResultSchema>>;

export const standbyCapacityRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('warm') }),
  z.object({
    action: z.literal('cool'),
    expectLiveColor: color,
    /** How many more times a run that meets a busy stack or a held lock schedules itself again (default COOL_RETRIES). */
    retriesLeft: z.optional(z.number()),
  }),
  z.object({
    action: z.literal('cool-if-idle'),
    /** As for `cool`. */
    retriesLeft: z.optional(z.number()),
    /**
     * Minutes since the release window's pre-warm began (pre-warm + window length): a release
     * prepared on the standby within them and not swapped yet keeps it warm. Unset: only the
     * lock and an open rollback window keep it warm.
     */
    windowMinutes: z.optional(z.number()),
  }),
]);
export type StandbyCapacityRequest = z.infer<typeof standbyCapacityRequestSchema>;
/**
 * A cool-down that finds the stack busy or a release holding the lock runs again this much later,
 * at most this many times (six hours): the one-time schedule that invoked it is gone.
 */
export const COOL_RETRY_MINUTES = 10;
export const COOL_RETRIES = 36;
export const STANDBY_ACTIONS = ['warm', 'cool', 'cool-if-idle'] as const;
export type StandbyAction = (typeof STANDBY_ACTIONS)[number];

export interface StandbyCapacityResult {
  readonly action: StandbyAction | string;
  /** What the Lambda did: `updated` started a stack update; `skipped` explains why not; `refused` means a human must look. */
  readonly outcome: 'updated' | 'unchanged' | 'skipped' | 'refused';
  readonly reason: string;
  readonly standbyMinTasks?: number;
}

/** The CloudWatch alarm state change EventBridge delivers (the fields the handler reads). */
export const alarmStateChangeSchema = z.object({
  alarmName: z.string(),
  state: z.object({ value: z.string(), reason: z.optional(z.string()), timestamp: z.optional(z.string()) }),
});
export type AlarmStateChange = z.infer<typeof alarmStateChangeSchema>;

export interface AutoRollbackResult {
  readonly outcome: 'rolled-back' | 'ignored' | 'resumed';
  readonly reason: string;
}
