import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { main } from '../../bin/app';
import { newApp } from './synth';

/**
 * The whole app, every environment, with the policy gates on (what `npm run synth` builds),
 * synthesized once per version of the app (the folder of test/support/global-setup.js is kept per
 * digest of its inputs) and read by every test file that asserts on it. Cold, the gates
 * cost most of a synthesis (cfn-guard over every template, CloudFormation's validation engine);
 * the app-level test files start together on jest's two workers, and each synthesizing its own
 * environments through the gates cost each of them a synthesis. The first file to ask synthesizes
 * into the run's folder (`BGF_TEST_TEMPLATES`, test/support/global-setup.js) and every file that
 * asks once it is there reads it; a file asking while it is being synthesized makes its own (a
 * wait would idle its worker). Without that folder (a file run outside jest's global setup) each
 * process synthesizes its own.
 */

export interface ValidationReport {
  readonly pluginReports: Array<{
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: Array<{ readonly ruleName: string; readonly violatingConstructs: Array<{ readonly constructPath: string }> }>;
    readonly suppressedViolations?: Array<{ readonly acknowledgedId: string; readonly reason?: string }>;
  }>;
}

export interface GatedStack {
  readonly stackName: string;
  readonly terminationProtection: boolean;
  /** The template file's path inside the assembly. */
  readonly templateFile: string;
  readonly template: Template;
}

export interface GatedApp {
  readonly assembly: cxapi.CloudAssembly;
  readonly directory: string;
  readonly report: ValidationReport;
  /** The app's top-level stacks, in the assembly's order. */
  readonly stacks: readonly GatedStack[];
  stack(name: string): GatedStack;
}

let loaded: GatedApp | undefined;

function synthesize(outdir: string): void {
  const app = newApp({}, { outdir });
  main(app, (message) => {
    throw new Error(message);
  }).synth();
}

/** The folder that holds the run's whole-app assembly, synthesized by this call or another worker's. */
function sharedAssembly(): string {
  const base = process.env.BGF_TEST_TEMPLATES;
  if (!base) {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-gated-app-'));
    synthesize(own);
    return own;
  }
  const dir = path.join(base, 'whole-app');
  const done = `${dir}.done`;
  let mine = false;
  try {
    // The lock names this worker, so a later run can tell a synthesis that stopped
    // (global-setup.js); made whole (a link of a written file), so it is never seen empty.
    const named = `${dir}.lock.${process.pid}`;
    fs.writeFileSync(named, String(process.pid));
    try {
      fs.linkSync(named, `${dir}.lock`);
      mine = true;
    } finally {
      fs.rmSync(named, { force: true });
    }
  } catch {
    // Another worker synthesizes it.
  }
  if (mine) {
    synthesize(dir);
    fs.writeFileSync(done, '');
    return dir;
  }
  if (fs.existsSync(done)) return dir;
  // Another worker is synthesizing it right now. test/support/sequencer.js runs the other readers
  // last so that this is rare; when it happens, waiting would leave this worker's core idle for
  // the whole synthesis, so this file synthesizes its own copy (in the run's folder, removed
  // with it); the files that start later read the shared one.
  const own = fs.mkdtempSync(path.join(base, 'whole-app-'));
  synthesize(own);
  return own;
}

/** The gated whole-app assembly of this jest run. */
export function gatedApp(): GatedApp {
  if (loaded) return loaded;
  const directory = sharedAssembly();
  const assembly = new cxapi.CloudAssembly(directory);
  const stacks = assembly.stacks.map((s) => {
    let template: Template | undefined;
    return {
      stackName: s.stackName,
      terminationProtection: s.terminationProtection === true,
      templateFile: s.templateFile,
      get template(): Template {
        return (template ??= Template.fromJSON(s.template));
      },
    };
  });
  const byName = new Map(stacks.map((s) => [s.stackName, s]));
  loaded = {
    assembly,
    directory,
    report: JSON.parse(fs.readFileSync(path.join(directory, 'validation-report.json'), 'utf8')) as ValidationReport,
    stacks,
    stack(name: string): GatedStack {
      const s = byName.get(name);
      if (!s) throw new Error(`the whole app has no stack ${name}; it has ${[...byName.keys()].join(', ')}`);
      return s;
    },
  };
  return loaded;
}
