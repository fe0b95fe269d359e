import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { GuardResultCache, guardCacheEnabled } from './guard-cache';
import { findingsForTemplates, GuardJob, planScopedEvaluation, ScopedPlan, spreadJobs } from './scoped-evaluation';
import { relevantControlTowerRules, ScopedControlTowerValidator } from './scoped-guard';

/**
 * Runs in a worker thread: its share of the planned cfn-guard calls, one after the other,
 * through the validator's own (synchronous) code, so results and their parsing are exactly the
 * plugin's.
 */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { CfnGuardValidator } = require(workerData.pluginModule);
const { port, signal, slot, jobs } = workerData;
let message;
try {
  const violations = [];
  for (const job of jobs) {
    const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: job.rules }).validate({ templatePaths: job.dataFiles });
    violations.push(...report.violations);
  }
  message = { report: { success: violations.length === 0, violations } };
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
  /** The templates checked by cfn-guard this time (the others came from the cache). */
  readonly checked: string[];
  readonly plan?: ScopedPlan;
  readonly cache?: GuardResultCache;
}

/**
 * The Control Tower checks of ScopedControlTowerValidator, run beside the other policy gates
 * instead of after them, and per rule file on the part of each template it can see
 * (scoped-evaluation.ts: the same findings for about half the cfn-guard time, and far less
 * when services repeat). `starter` is registered first: it plans the cfn-guard calls, hands
 * them to worker threads (one per core) and returns at once. `collector` is registered last, after
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
    const plan = misses.length > 0 ? planScopedEvaluation(misses, rules, fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-guard-')), this.workers) : undefined;
    const shares: GuardJob[][] = plan ? spreadJobs(plan.jobs, this.workers) : [];
    const signal = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, shares.length)));
    const ports = shares.map((jobs, slot) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, signal, slot, jobs, pluginModule: require.resolve('@cdklabs/cdk-validator-cfnguard') },
        transferList: [port2],
      });
      worker.unref();
      return port1;
    });
    this.pending = { signal, ports, checked: misses, plan, cache };
    return { success: true, violations: [] };
  }

  private collect(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const pending = this.pending;
    this.pending = undefined;
    // Registered alone (or the starter saw no rules): validate here, synchronously.
    if (!pending) return new ScopedControlTowerValidator().validate(context);
    let onScratch: PolicyValidationPluginReport['violations'];
    try {
      onScratch = pending.ports.flatMap((port, slot) => {
        while (Atomics.load(pending.signal, slot) === 0) Atomics.wait(pending.signal, slot, 0, 1000);
        const received = receiveMessageOnPort(port)?.message as { report?: PolicyValidationPluginReport; error?: string } | undefined;
        port.close();
        if (!received?.report) throw new Error(`cfn-guard worker failed: ${received?.error ?? 'no result'}`);
        return received.report.violations;
      });
    } finally {
      if (pending.plan) fs.rmSync(pending.plan.scratch, { recursive: true, force: true });
    }
    const fresh = pending.plan ? findingsForTemplates(pending.plan, onScratch) : [];
    pending.cache?.putAll(pending.checked, fresh);
    const checked = new Set(pending.checked);
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
