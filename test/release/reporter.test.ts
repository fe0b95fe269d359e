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

  test('a long wait prints a progress line until it ends', async () => {
    const sink = capture();
    const reporter = new Reporter({ sink, progressEverySeconds: 0.02 });
    const stop = reporter.progress('ECS service green to become stable', 600);
    await new Promise((resolve) => setTimeout(resolve, 90));
    stop();
    const lines = sink.text.split('\n').filter((l) => l.includes('... waiting for ECS service green to become stable: 0s (limit 600s)'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const after = sink.text.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sink.text.length).toBe(after);
  });

  test('on a terminal the progress line is rewritten in place and cleared', async () => {
    const sink = { ...capture(), isTTY: true };
    const reporter = new Reporter({ sink });
    const stop = reporter.progress('x', 10);
    stop();
    expect(sink.text).toBe('\r\x1b[K');
  });
});
