import { cpSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { addEnvironment } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';
import { loadAssembly, LoadedAssembly } from '../../src/diff/assembly';
import { diffAssemblies } from '../../src/diff/engine';
import { serviceParameters, UNKNOWN_LIVE_COLORS } from '../../src/diff/live-color';
import { defaultPriceTables } from '../../src/diff/prices';
import { CfnTemplate } from '../../src/diff/template';
import { newApp } from '../support/synth';
import { removeTemporaryFolders, temporaryFolder } from './fixtures';

/**
 * The diff on the real app's dev environment (synthesized once, without the policy gates, which
 * have their own tests): the contract names it relies on must be what the constructs produce.
 */
let dir: string | undefined;

describe('diff of the real dev environment', () => {
  let assembly: LoadedAssembly;
  beforeAll(() => {
    // Without an outdir the App synthesizes into a fresh temporary folder.
    const app = newApp({ 'aws:cdk:enable-path-metadata': true });
    addEnvironment(app, ENVIRONMENTS.dev);
    dir = app.synth().directory;
    assembly = loadAssembly(dir);
  });

  const diff = (head: LoadedAssembly) => diffAssemblies(assembly, head, { baseLabel: 'a', headLabel: 'b', liveColors: UNKNOWN_LIVE_COLORS, liveColorsDeployed: false, priceTables: defaultPriceTables() });

  test('an assembly against itself: no changes, a priced environment, each service with its LiveColor parameter', async () => {
    const report = await diff(assembly);
    expect(report.counts).toEqual({ danger: 0, caution: 0, resources: 0 });
    const dev = report.environments.find((e) => e.environment === 'dev')!;
    expect(dev.cost.after.monthlyUsd).toBeGreaterThan(0);
    const services = assembly.stacks.filter((s) => s.stackName !== 'bgf-dev-network');
    expect(services.length).toBe(ENVIRONMENTS.dev.services.length);
    for (const s of services) expect(serviceParameters(s)).toEqual([{ service: expect.stringMatching(new RegExp(`^${s.stackName}/`)), parameter: expect.stringMatching(/LiveColor$/) }]);
  });

  test('a wildcard added to a blue policy and a changed production listener are flagged and attributed', async () => {
    const copy = temporaryFolder('bgf-diff-app-head-');
    cpSync(dir!, copy, { recursive: true });
    const stack = assembly.stacks.find((s) => s.stackName === 'bgf-dev-api')!;
    const file = path.join(copy, 'bgf-dev-api.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate & { Resources: Record<string, any> };
    const [policyId] = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && stack.paths.get(id)?.includes('/Blue/'))!;
    template.Resources[policyId].Properties.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const listenerOutput = Object.entries(template.Outputs ?? {}).find(([name]) => name.endsWith('ProductionListenerArn'))!;
    const listenerId = (listenerOutput[1].Value as { Ref: string }).Ref;
    template.Resources[listenerId].Properties.Port = 8443;
    writeFileSync(file, JSON.stringify(template));

    const report = await diff(loadAssembly(copy));
    const flags = report.environments.flatMap((e) => e.stacks.flatMap((s) => s.flags));
    expect(flags).toContainEqual(expect.objectContaining({ category: 'iam', severity: 'danger', fleet: 'blue' }));
    expect(flags).toContainEqual(expect.objectContaining({ category: 'production-listener', severity: 'danger', logicalId: listenerId, fleet: 'shared' }));
  });
});

afterAll(() => {
  removeTemporaryFolders();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
