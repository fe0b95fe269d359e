/**
 * One measurement in its own process: synthesize all four environments with N generated
 * services (policy gates on, as in `npm run synth`) and print one JSON line with the wall time,
 * peak memory and, per stack, the resource count and template size.
 */
import { App } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp } from '../lib/app';
import { selectEnvironments } from '../lib/config';
import { generatedEnvironments } from './generate';

const count = Number(process.argv[2] ?? '1');
// A third argument keeps the assembly there (the cfn-guard comparison reads it).
const keep = process.argv[3];
const outdir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), `bgf-bench-${count}-`));
const started = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const flags = require('../../cdk.json').context as Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const azs = require('../../cdk.context.json') as Record<string, unknown>;
const app = new App({ outdir, context: { ...flags, ...azs } });
buildApp(app, selectEnvironments({ environments: generatedEnvironments(count) }));
const assembly = app.synth();
const ms = performance.now() - started;
const stacks = assembly.stacks.map((s) => {
  const file = path.join(assembly.directory, s.templateFile);
  return { name: s.stackName, resources: Object.keys(s.template.Resources ?? {}).length, bytes: fs.statSync(file).size };
});
if (!keep) fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ count, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, stacks })}\n`);
