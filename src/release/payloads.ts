import type { Color } from './core/stack-state';

/**
 * What the CLI and the schedules send to the release Lambdas, and what they answer. Types only:
 * both sides import them, neither loads anything for them.
 */

export interface SmokeCheckRequest {
  /** `http://<load balancer>:<test listener port><path>`; the Lambda refuses any other origin. */
  readonly url: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export interface SmokeCheckResult {
  readonly pass: boolean;
  readonly url: string;
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: string;
}

export type StandbyCapacityRequest =
  | { readonly action: 'warm' }
  | { readonly action: 'cool'; readonly expectLiveColor: Color }
  | {
      readonly action: 'cool-if-idle';
      /**
       * Minutes since the release window's pre-warm began (pre-warm + window length): a release
       * prepared on the standby within them and not swapped yet keeps it warm. Unset: only the
       * lock and an open rollback window keep it warm.
       */
      readonly windowMinutes?: number;
    };

export interface StandbyCapacityResult {
  readonly action: StandbyCapacityRequest['action'];
  /** What the Lambda did: `updated` started a stack update; `skipped` explains why not. */
  readonly outcome: 'updated' | 'unchanged' | 'skipped';
  readonly reason: string;
  readonly standbyMinTasks?: number;
}

export interface AutoRollbackResult {
  readonly outcome: 'rolled-back' | 'ignored';
  readonly reason: string;
}
