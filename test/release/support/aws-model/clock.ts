import type { Clock } from '../../../../src/release/runtime/context';

/**
 * The model's time. Nothing in the model happens "inside a call": every change AWS makes over time
 * (a stack update's resources, a task starting, a target becoming healthy, a schedule firing, a
 * Lambda retry) is an entry on the timeline at a fake time, and runs when the clock reaches it.
 */
export class ModelClock implements Clock {
  constructor(public t = Date.parse('2026-03-02T01:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  /** The CLI's own sleeps (bake time, retry backoff) move fake time; nothing really waits. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new Error('aborted');
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly what: string;
  readonly run: () => void | Promise<void>;
  /** Runs a handler (Lambda, schedule): never from inside another handler's call, see `settle`. */
  readonly async: boolean;
}

export class Timeline {
  private entries: Entry[] = [];
  private seq = 0;
  private depth = 0;

  constructor(private readonly clock: ModelClock) {}

  /** Schedules `run` at `at` (epoch ms); entries at the same time run in the order scheduled. */
  at(at: number, what: string, run: () => void, options: { async?: false }): void;
  at(at: number, what: string, run: () => Promise<void>, options: { async: true }): void;
  at(at: number, what: string, run: () => void | Promise<void>, options: { async?: boolean } = {}): void {
    this.entries.push({ at, seq: this.seq++, what, run, async: options.async ?? false });
  }

  after(ms: number, what: string, run: () => void): void {
    this.at(this.clock.t + ms, what, run, {});
  }

  /** What is still to happen, soonest first (for tests and error messages). */
  pending(): { at: Date; what: string }[] {
    return this.sorted().map((e) => ({ at: new Date(e.at), what: e.what }));
  }

  /**
   * Runs every entry due by now, in time order, including entries that due entries schedule.
   * Handler entries (async) run only from the outermost settle: a Lambda handler's own AWS calls
   * settle too, and must not start another handler in the middle of its await (the queue keeps it
   * for the next outer call, as Lambda's queue would deliver it a moment later).
   */
  async settle(): Promise<void> {
    this.depth++;
    try {
      for (;;) {
        const next = this.sorted().find((e) => e.at <= this.clock.t && (!e.async || this.depth === 1));
        if (!next) return;
        this.entries = this.entries.filter((e) => e !== next);
        await next.run();
      }
    } finally {
      this.depth--;
    }
  }

  /**
   * Moves the clock to each pending entry in turn (at most `maxMs` ahead) and runs it: "let the
   * cloud finish what it is doing". Returns the time reached.
   */
  async runFor(maxMs: number): Promise<Date> {
    const end = this.clock.t + maxMs;
    for (;;) {
      await this.settle();
      const next = this.sorted()[0];
      if (!next || next.at > end) break;
      this.clock.t = Math.max(this.clock.t, next.at);
    }
    this.clock.t = Math.max(this.clock.t, end);
    await this.settle();
    return this.clock.now();
  }

  private sorted(): Entry[] {
    return [...this.entries].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}
