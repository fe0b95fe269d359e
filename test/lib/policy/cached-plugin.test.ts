import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import * as path from 'path';
import { CachedCloudFormationValidatePlugin } from '../../../lib/policy';

describe('CachedCloudFormationValidatePlugin', () => {
  let context: any;
  beforeAll(() => {
    // GIVEN a template CloudFormation's validation rejects (an unknown property), unique to this run
    const app = new App();
    const stack = new Stack(app, 'Invalid');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { NotAProperty: `x-${process.pid}-${Date.now()}` } });
    const dir = app.synth().directory;
    const templatePath = path.join(dir, 'Invalid.template.json');
    context = { templatePaths: [templatePath], stackTemplates: [{ templatePath, stackConstructPath: 'Invalid' }] };
  });

  afterEach(() => jest.restoreAllMocks());

  test('is the CloudFormation validation plugin to CDK, one per process', () => {
    expect(CachedCloudFormationValidatePlugin.instance()).toBeInstanceOf(CloudFormationValidatePlugin);
    expect(CachedCloudFormationValidatePlugin.instance()).toBe(CachedCloudFormationValidatePlugin.instance());
  });

  test('reports the finding, then reports it again from the cache without running the engine', () => {
    const plugin = CachedCloudFormationValidatePlugin.instance();
    const first = plugin.validate(context);
    expect(first.violations.length).toBeGreaterThan(0);
    const engine = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
    const second = plugin.validate(context);
    expect(engine).not.toHaveBeenCalled();
    expect(second.success).toBe(first.success);
    expect(second.violations.map((v) => v.ruleName).sort()).toEqual(first.violations.map((v) => v.ruleName).sort());
  });

  test('with the cache off, every run reaches the engine', () => {
    process.env.BLUEGREEN_FLEET_GUARD_CACHE = 'off';
    try {
      const engine = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
      CachedCloudFormationValidatePlugin.instance().validate(context);
      expect(engine).toHaveBeenCalledTimes(1);
    } finally {
      delete process.env.BLUEGREEN_FLEET_GUARD_CACHE;
    }
  });
});
