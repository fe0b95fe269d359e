/**
 * A sequence of steps as data: each step has an id (what tests and resume hooks name), a
 * description of what it will do given the state so far (what `--dry-run` and the progress
 * output print), and a run function that takes the state and returns the next one (never
 * mutates it). The plan, the executed sequence, the progress lines and the test hooks all come
 * from the same list, so a step added to the list shows up in all of them.
 */

export interface StepHandle {
  /** A short result shown after the step's name. */
  detail(text: string): void;
  /** The step found its work already done (a re-run). */
  skip(reason: string): void;
}

export interface Step<S> {
  readonly id: string;
  describe(state: S): string;
  /** Returns the state for the next step; `undefined` means "unchanged". */
  run(state: S, handle: StepHandle): Promise<S | undefined>;
  /** When false for the state reached, the step is left out of the plan and not run. */
  applies?(state: S): boolean;
}

/** Runs one step around its body: progress output, lock renewal, test hooks. */
export type StepRunner = <T>(id: string, description: string, body: (handle: StepHandle) => Promise<T>) => Promise<T>;

/** Runs a step body with no output (the Lambdas log their result once). */
export const silentRunner: StepRunner = (_id, _description, body) => body({ detail: () => undefined, skip: () => undefined });

export interface PlannedStep {
  readonly id: string;
  readonly description: string;
}

/** The steps that would run from `state`, described (the dry-run plan). */
export function planSteps<S>(steps: readonly Step<S>[], state: S): PlannedStep[] {
  return steps.filter((s) => s.applies?.(state) ?? true).map((s) => ({ id: s.id, description: s.describe(state) }));
}

/**
 * Runs the steps in order, each on the state the one before returned. `reached` sees each state
 * as a step returns it: a caller that must say where a failed run stopped knows the last one.
 */
export async function runSteps<S>(steps: readonly Step<S>[], initial: S, runner: StepRunner, reached?: (state: S) => void): Promise<S> {
  let state = initial;
  for (const step of steps) {
    if (step.applies && !step.applies(state)) continue;
    const current = state;
    state = (await runner(step.id, step.describe(current), (h) => step.run(current, h))) ?? current;
    reached?.(state);
  }
  return state;
}
