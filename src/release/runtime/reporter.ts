import type { StepHandle } from '../core/steps';
/**
 * What a human sees while a release runs: each step with its elapsed time, and a progress line
 * on long waits. Everything goes to stderr, so with `--json` stdout carries only the result.
 */

export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export type StepStatus = 'done' | 'skipped' | 'failed';

export interface StepRecord {
  readonly name: string;
  readonly status: StepStatus;
  readonly elapsedMs: number;
  readonly detail?: string;
}

export type { StepHandle } from '../core/steps';

export interface ReporterOptions {
  readonly sink: TextSink;
  readonly now?: () => number;
  /** Seconds between progress lines when the sink is not a terminal. */
  readonly progressEverySeconds?: number;
}

export class Reporter {
  public readonly steps: StepRecord[] = [];
  public readonly notes: string[] = [];
  private readonly sink: TextSink;
  private readonly now: () => number;
  private readonly started: number;
  private readonly progressEvery: number;

  constructor(options: ReporterOptions) {
    this.sink = options.sink;
    this.now = options.now ?? (() => Date.now());
    this.started = this.now();
    this.progressEvery = options.progressEverySeconds ?? 30;
  }

  async step<T>(name: string, fn: (handle: StepHandle) => Promise<T>): Promise<T> {
    const begin = this.now();
    let detail: string | undefined;
    let skipped = false;
    this.line(`-> ${name}`);
    const handle: StepHandle = {
      detail: (text) => (detail = text),
      skip: (reason) => {
        skipped = true;
        detail = reason;
      },
    };
    try {
      const result = await fn(handle);
      const status: StepStatus = skipped ? 'skipped' : 'done';
      this.record(name, status, begin, detail);
      return result;
    } catch (error) {
      this.record(name, 'failed', begin, (error as Error).message);
      throw error;
    }
  }

  note(text: string): void {
    this.notes.push(text);
    this.line(`   ${text}`);
  }

  warn(text: string): void {
    this.notes.push(`warning: ${text}`);
    this.line(`   WARNING: ${text}`);
  }

  /** Starts a progress indication for a wait; call the returned function when it ends. */
  progress(what: string, limitSeconds: number): () => void {
    const begin = Date.now();
    const tty = this.sink.isTTY === true;
    const render = () => `   ... waiting for ${what}: ${Math.round((Date.now() - begin) / 1000)}s (limit ${limitSeconds}s)`;
    const timer = setInterval(
      () => (tty ? this.sink.write(`\r${render()}`) : this.line(render().trimStart())),
      tty ? 1000 : this.progressEvery * 1000,
    );
    timer.unref?.();
    return () => {
      clearInterval(timer);
      if (tty) this.sink.write('\r\x1b[K');
    };
  }

  private record(name: string, status: StepStatus, begin: number, detail?: string): void {
    const elapsedMs = this.now() - begin;
    this.steps.push({ name, status, elapsedMs, ...(detail ? { detail } : {}) });
    const mark = status === 'done' ? 'ok  ' : status === 'skipped' ? 'skip' : 'FAIL';
    this.line(`${mark} ${name}${detail ? `: ${detail}` : ''} (${(elapsedMs / 1000).toFixed(1)}s)`);
  }

  private line(text: string): void {
    const total = ((this.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.sink.write(`[${total}s] ${text}\n`);
  }
}
