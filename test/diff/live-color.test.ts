import { CloudFormationClient, DescribeStacksCommand, Parameter } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { loadAssembly, LoadedAssembly } from '../../src/diff/assembly';
import { CloudFormationLiveColors, hasAwsCredentials, serviceParameters } from '../../src/diff/live-color';
import { removeTemporaryFolders, synthAssembly } from './fixtures';

/** Deployed stacks as CloudFormation would describe them; a missing stack fails like the API does. */
class DeployedStacks {
  readonly stacks = new Map<string, Parameter[]>();
  faults = new Map<string, Error>();
  calls: string[] = [];
  describe(name: string) {
    this.calls.push(name);
    const fault = this.faults.get(name);
    if (fault) throw fault;
    const params = this.stacks.get(name);
    if (!params) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
    return { Stacks: [{ StackName: name, StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date(), Parameters: params }] };
  }
}

describe('live color from the deployed stacks', () => {
  const cfn = mockClient(CloudFormationClient);
  let assembly: LoadedAssembly;
  let model: DeployedStacks;
  beforeAll(() => {
    assembly = loadAssembly(synthAssembly({ services: { production: {}, staging: {}, dev: {} }, networks: { production: {} } }));
  });
  beforeEach(() => {
    cfn.reset();
    model = new DeployedStacks();
    cfn.on(DescribeStacksCommand).callsFake((input) => model.describe(input.StackName));
  });

  test('each service reads the LiveColor parameter of its stack', () => {
    const api = assembly.stacks.find((s) => s.stackName === 'bgf-production-api')!;
    expect(serviceParameters(api)).toEqual([{ service: 'bgf-production-api/Service', parameter: 'LiveColor' }]);
    expect(serviceParameters(assembly.stacks.find((s) => s.stackName === 'bgf-production-network')!)).toEqual([]);
  });

  test('GIVEN deployed values WHEN looking up THEN the deployed value wins over the template default; stacks without a service are not asked', async () => {
    model.stacks.set('bgf-production-api', [{ ParameterKey: 'LiveColor', ParameterValue: 'green' }]);
    model.stacks.set('bgf-staging-api', [{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }]);
    model.stacks.set('bgf-dev-api', [{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }]);
    const { colors, warnings } = await new CloudFormationLiveColors(() => new CloudFormationClient({ region: 'ap-northeast-1' })).lookup(assembly.stacks);
    expect(Object.fromEntries(colors)).toEqual({ 'bgf-production-api/Service': 'green', 'bgf-staging-api/Service': 'blue', 'bgf-dev-api/Service': 'blue' });
    expect(warnings).toEqual([]);
    expect(model.calls.sort()).toEqual(['bgf-dev-api', 'bgf-production-api', 'bgf-staging-api']);
  });

  test('faults leave that service unknown, with the reason, and do not stop the others', async () => {
    model.stacks.set('bgf-production-api', [{ ParameterKey: 'LiveColor', ParameterValue: 'purple' }]);
    model.faults.set('bgf-staging-api', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    model.stacks.set('bgf-dev-api', [{ ParameterKey: 'LiveColor', ParameterValue: 'blue' }]);
    const { colors, warnings } = await new CloudFormationLiveColors(() => new CloudFormationClient({ region: 'ap-northeast-1', maxAttempts: 1 })).lookup(assembly.stacks);
    expect(Object.fromEntries(colors)).toEqual({ 'bgf-dev-api/Service': 'blue' });
    expect(warnings).toHaveLength(2);
    expect(warnings).toContain('bgf-production-api: deployed LiveColor is "purple"; live fleet unknown');
    expect(warnings).toContain('bgf-staging-api: could not read the deployed stack (Rate exceeded); live fleet unknown');
  });

  test('a stack that is not deployed yet is unknown', async () => {
    const { colors, warnings } = await new CloudFormationLiveColors(() => new CloudFormationClient({ region: 'ap-northeast-1' })).lookup(assembly.stacks.filter((s) => s.stackName === 'bgf-dev-api'));
    expect(colors.size).toBe(0);
    expect(warnings).toEqual(['bgf-dev-api: not deployed yet; live fleet unknown']);
  });
});

describe('credentials detection (no network probe)', () => {
  test.each([
    [{ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, true],
    [{ AWS_PROFILE: 'ci' }, true],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: '/t' }, true],
    [{ AWS_ACCESS_KEY_ID: 'a' }, false],
    [{}, false],
  ])('%j → %s', (env, expected) => {
    expect(hasAwsCredentials(env)).toBe(expected);
  });
});

afterAll(removeTemporaryFolders);
