import type { CommandDeps } from '../../../src/release/runtime/cli-runtime';
import type { ReleaseHooks, ReleaseTimings } from '../../../src/release/runtime/context';
import { resolveTarget } from '../../../src/release/runtime/target';
import { FakeAws, imageRef } from './fake-aws';

/** Waits that give up in a fraction of a second, so a stuck standby fails fast in tests. */
export const FAST_TIMINGS: Partial<ReleaseTimings> = {
  stackUpdate: { maxWaitSeconds: 1, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
  serviceStable: { maxWaitSeconds: 0.3, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
  targetsHealthy: { maxWaitSeconds: 0.3, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
  imageScan: { maxWaitSeconds: 0.3, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
};

export interface Captured {
  text: string;
  write(s: string): boolean;
}

export function capture(): Captured {
  return {
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

export interface Run {
  readonly stdout: Captured;
  readonly stderr: Captured;
  readonly sleeps: number[];
  readonly deps: CommandDeps;
}

/** The command dependencies of one CLI run against the fake: its clock, fast waits, no real sleeps. */
export function run(aws: FakeAws, options: { hooks?: ReleaseHooks; actor?: string } = {}): Run {
  const stdout = capture();
  const stderr = capture();
  const sleeps: number[] = [];
  return {
    stdout,
    stderr,
    sleeps,
    deps: {
      clock: aws.clock,
      stdout,
      stderr,
      timings: FAST_TIMINGS,
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
      hooks: options.hooks,
      env: { USER: options.actor ?? 'alice' },
    },
  };
}

export const DEV_STACK = 'bgf-dev-api';
/** dev api's bakeMinutes, from lib/config (the tests follow the config, not a copy of it). */
export const DEV_BAKE_MINUTES = resolveTarget({ env: 'dev', service: 'api' }).service.bakeMinutes;
export const V1 = imageRef('v1');
export const V2 = imageRef('v2');

/** dev's api service live on blue with v1, standby cold; image v2 pushed and scanned. */
export function devWorld(): FakeAws {
  const aws = new FakeAws().install();
  aws.addServiceStack(DEV_STACK, { live: 'blue', liveImage: V1 });
  aws.addImage('v1');
  aws.addImage('v2');
  return aws;
}

/** The JSON result a `--json` run printed. */
export function json(r: Run): any {
  return JSON.parse(r.stdout.text);
}

/** Hooks that stop the process (as a crash or Ctrl-C would) right after `step`. */
export function stopAfter(step: string | ((name: string) => boolean)): ReleaseHooks {
  const matches = typeof step === 'string' ? (name: string) => name === step : step;
  return {
    afterStep: (name) => {
      if (matches(name)) throw new Error(`process stopped after ${name}`);
    },
  };
}
