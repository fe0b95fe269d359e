/**
 * Exit codes of the release commands (documented in docs/release.md; scripts rely on them).
 */
export const ExitCode = {
  /** Done: the requested state holds (also when it already held). */
  Ok: 0,
  /** An unexpected error: AWS refused a call, a resource is missing, a bug. */
  Error: 1,
  /** Bad arguments or options. */
  Usage: 2,
  /** Refused before touching live traffic: lock held, stack busy, image refused, standby unhealthy, smoke check failed. */
  Refused: 3,
  /** The release swapped, an alarm fired while baking, and traffic was rolled back. */
  RolledBack: 4,
  /** A wait ran out of time; live traffic untouched (re-run to continue). */
  Timeout: 5,
  /** Rollback asked for, but the previous fleet is cold (use --warm). */
  PreviousFleetCold: 6,
  /** Stopped by SIGINT/SIGTERM; the lock was released, live traffic untouched. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A release stopped on purpose: the message says why and in what state things are. */
export class ReleaseError extends Error {
  constructor(
    public readonly exitCode: ExitCodeValue,
    message: string,
    public readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ReleaseError';
  }
}

export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof ReleaseError ? error.exitCode : ExitCode.Error;
}
