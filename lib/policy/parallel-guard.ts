import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as os from 'os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { GuardResultCache, guardCacheEnabled } from './guard-cache';
import { relevantControlTowerRules, ScopedControlTowerValidator } from './scoped-guard';

/**
 * Runs in a worker thread: cfn-guard over one chunk of templates, through the validator's own
 * (synchronous) code, so results and their parsing are exactly the plugin's.
 */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { CfnGuardValidator } = require(workerData.pluginModule);
const { port, signal, slot, rules, templatePaths } = workerData;
let message;
try {
  const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate({ templatePaths });
  message = { report };
} catch (error) {
  message = { error: String(error && error.stack || error) };
}
port.postMessage(JSON.parse(JSON.stringify(message)));
Atomics.store(signal, slot, 1);
Atomics.notify(signal, slot);
`;

interface Pending {
  readonly signal: Int32Array;
  readonly ports: MessagePort[];
  /** The templates each worker checks, by slot. */
  readonly chunks: string[][];
  readonly cache?: GuardResultCache;
}

/**
 * The Control Tower checks of ScopedControlTowerValidator, run beside the other policy gates
 * instead of after them. `starter` is registered first: it hands the templates to cfn-guard in
 * worker threads (one per core) and returns at once. `collector` is registered last, after
 * cdk-nag and CloudFormation's own validation have run on the main thread: it waits for the
 * workers and reports their findings under the cfn-guard plugin's name, so acknowledgments keep
 * their `cdk-validator-cfnguard::` ids. On this 2-core machine the cfn-guard time (~10 s for the
 * app) then overlaps the ~5 s the other gates take, and the two halves run in parallel.
 * Templates checked before with the same rules take their findings from GuardResultCache.
 */
export class ParallelControlTowerValidator {
  public readonly starter: IPolicyValidationPlugin;
  public readonly collector: IPolicyValidationPlugin;
  private pending: Pending | undefined;

  constructor(private readonly workers = Math.max(1, os.availableParallelism?.() ?? os.cpus().length)) {
    const scoped = new ScopedControlTowerValidator();
    this.starter = {
      name: 'cdk-validator-cfnguard (started in parallel)',
      validate: (context) => this.start(context),
    };
    this.collector = {
      name: scoped.name,
      version: scoped.version,
      ruleIds: scoped.ruleIds,
      validate: (context) => this.collect(context),
    };
  }

  private start(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const rules = relevantControlTowerRules(context.templatePaths);
    if (rules.length === 0) return { success: true, violations: [] };
    const cache = guardCacheEnabled() ? new GuardResultCache(rules, this.collector.version ?? '') : undefined;
    const misses = context.templatePaths.filter((t) => !cache?.get(t));
    const chunks = chunk(misses, this.workers);
    const signal = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, chunks.length)));
    const ports = chunks.map((templatePaths, slot) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, signal, slot, rules, templatePaths, pluginModule: require.resolve('@cdklabs/cdk-validator-cfnguard') },
        transferList: [port2],
      });
      worker.unref();
      return port1;
    });
    this.pending = { signal, ports, chunks, cache };
    return { success: true, violations: [] };
  }

  private collect(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const pending = this.pending;
    this.pending = undefined;
    // Registered alone (or the starter saw no rules): validate here, synchronously.
    if (!pending) return new ScopedControlTowerValidator().validate(context);
    const fresh = pending.ports.flatMap((port, slot) => {
      while (Atomics.load(pending.signal, slot) === 0) Atomics.wait(pending.signal, slot, 0, 1000);
      const received = receiveMessageOnPort(port)?.message as { report?: PolicyValidationPluginReport; error?: string } | undefined;
      port.close();
      if (!received?.report) throw new Error(`cfn-guard worker failed: ${received?.error ?? 'no result'}`);
      pending.cache?.putAll(pending.chunks[slot], received.report.violations);
      return received.report.violations;
    });
    const checked = new Set(pending.chunks.flat());
    const cached = context.templatePaths.filter((t) => !checked.has(t)).flatMap((t) => pending.cache?.get(t) ?? []);
    const violations = [...fresh, ...cached];
    return { success: violations.length === 0, violations };
  }
}

/** Splits items into at most n chunks of nearly equal size, keeping order. */
export function chunk<T>(items: readonly T[], n: number): T[][] {
  const size = Math.ceil(items.length / n);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
