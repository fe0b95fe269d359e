import { Reporter } from '../../src/release/runtime/reporter';
import { capture } from './support/model-harness';

describe('Reporter', () => {
  test('each step with the time since the start and its own duration; failures are marked', async () => {
    let now = 0;
    const sink = capture();
    const reporter = new Reporter({ sink, now: () => now });
    await reporter.step('prepare', async (h) => {
      now += 1500;
      h.detail('StandbyMinTasks=2');
    });
    await reporter.step('swap', async (h) => h.skip('LiveColor is already green'));
    await expect(reporter.step('bake', async () => Promise.reject(new Error('alarm')))).rejects.toThrow('alarm');
    expect(sink.text).toBe(
      [
        '[   0.0s] -> prepare',
        '[   1.5s] ok   prepare: StandbyMinTasks=2 (1.5s)',
        '[   1.5s] -> swap',
        '[   1.5s] skip swap: LiveColor is already green (0.0s)',
        '[   1.5s] -> bake',
        '[   1.5s] FAIL bake: alarm (0.0s)',
        '',
      ].join('\n'),
    );
    expect(reporter.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'failed']);
  });

  test('a long wait prints a progress line every interval, with the time waited, until it ends', () => {
    // Fake timers (Date.now included): the lines and their seconds do not depend on the machine's load.
    jest.useFakeTimers();
    try {
      const sink = capture();
      const reporter = new Reporter({ sink, progressEverySeconds: 30 });
      const stop = reporter.progress('ECS service green to become stable', 600);
      jest.advanceTimersByTime(29_999);
      expect(sink.text).toBe('');
      jest.advanceTimersByTime(60_001);
      const lines = sink.text.split('\n').filter((l) => l.includes('... waiting for ECS service green to become stable'));
      expect(lines.map((l) => /: (\d+)s \(limit 600s\)$/.exec(l)?.[1])).toEqual(['30', '60', '90']);
      stop();
      const after = sink.text.length;
      jest.advanceTimersByTime(120_000);
      expect(sink.text.length).toBe(after);
    } finally {
      jest.useRealTimers();
    }
  });

  test('on a terminal the progress line is rewritten in place and cleared', async () => {
    const sink = { ...capture(), isTTY: true };
    const reporter = new Reporter({ sink });
    const stop = reporter.progress('x', 10);
    stop();
    expect(sink.text).toBe('\r\x1b[K');
  });
});
