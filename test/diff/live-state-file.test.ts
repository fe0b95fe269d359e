import { writeFileSync } from 'fs';
import * as path from 'path';
import { DEFAULT_DEPENDENCIES, DiffDependencies, runDiffCommand } from '../../src/commands/diff';
import { loadAssembly } from '../../src/diff/assembly';
import { FileLiveColors } from '../../src/diff/live-color';
import { DiffReport } from '../../src/diff/types';
import { removeTemporaryFolders, synthAssembly, temporaryFolder } from './fixtures';

/**
 * `--live-state <file>`: the pull-request diff runs with no AWS credentials and reads the live
 * colors that a trusted job wrote with `aws cloudformation describe-stacks` (docs/pr-diff.md).
 */
describe('live colors from a live-state file', () => {
  afterAll(removeTemporaryFolders);
  const describeStacks = (stacks: Array<{ name: string; liveColor?: string }>) =>
    JSON.stringify({ Stacks: stacks.map((s) => ({ StackName: s.name, StackStatus: 'UPDATE_COMPLETE', Parameters: s.liveColor ? [{ ParameterKey: 'LiveColor', ParameterValue: s.liveColor }] : [] })) });

  test('the file\'s LiveColor wins; a stack missing from the file or without the parameter stays unknown with a warning', async () => {
    const assembly = loadAssembly(synthAssembly({ services: { production: {}, staging: {}, dev: {} } }));
    const colors = new FileLiveColors('live.json', () => describeStacks([{ name: 'bgf-production-api', liveColor: 'green' }, { name: 'bgf-staging-api' }]));
    const result = await colors.lookup(assembly.stacks);
    expect(Object.fromEntries(result.colors)).toEqual({ 'bgf-production-api/Service': 'green' });
    expect(result.warnings.sort()).toEqual([
      'bgf-dev-api: not in the live state (not deployed yet, or not read); live fleet unknown',
      'bgf-staging-api: deployed LiveColor is missing; live fleet unknown',
    ]);
  });

  test.each([
    ['not json', /--live-state live.json: not JSON/],
    ['{"stacks": []}', /must be describe-stacks output .*Stacks/],
    ['{"Stacks": [{"Parameters": []}]}', /Stacks.0.StackName/],
  ])('refuses %s', (text, message) => {
    expect(() => new FileLiveColors('live.json', () => text)).toThrow(message);
  });

  test('the command uses the file with no credentials, reports the colors as deployed, and refuses --no-live-color with it', async () => {
    const base = synthAssembly({ services: { production: {} } });
    const head = synthAssembly({ services: { production: { blue: { cpu: 512 } } } });
    const file = path.join(temporaryFolder(), 'live.json');
    writeFileSync(file, describeStacks([{ name: 'bgf-production-api', liveColor: 'blue' }]));
    const output: string[] = [];
    const deps: DiffDependencies = {
      ...DEFAULT_DEPENDENCIES,
      env: {},
      write: (t) => void output.push(t),
      liveColors: () => { throw new Error('AWS must not be asked when a live-state file is given'); },
    };
    await runDiffCommand({ baseAssembly: base, headAssembly: head, liveState: file, json: true }, deps);
    const report = JSON.parse(output.join('')) as DiffReport;
    expect(report.liveColorSource).toBe('deployed-stacks');
    expect(JSON.stringify(report)).toContain('"service":"bgf-production-api/Service","liveColor":"blue"');
    await expect(runDiffCommand({ baseAssembly: base, headAssembly: head, liveState: file, liveColor: false }, deps)).rejects.toThrow(/cannot be combined with --no-live-color/);
  });
});
