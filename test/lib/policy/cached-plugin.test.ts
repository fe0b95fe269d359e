import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import * as fs from 'fs';
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

  // The engine is CloudFormation's (WebAssembly, 2-10 s to start in a test file): the whole-app
  // tests run it for real through this plugin (test/lib/app.test.ts); here it answers as it
  // answers an unknown property, so what is tested is what the plugin adds, the remembering.
  const finding = (templatePath: string) => ({
    ruleName: 'E3002',
    description: 'Additional properties are not allowed (NotAProperty was unexpected)',
    violatingResources: [{ resourceLogicalId: 'Queue', templatePath, locations: ['Resources/Queue/Properties/NotAProperty'] }],
  });
  const engineAnswers = () =>
    jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate').mockImplementation((ctx) => ({ success: false, violations: ctx.templatePaths.map(finding) }));

  test('reports the finding, then reports it again from the cache without running the engine', () => {
    const plugin = CachedCloudFormationValidatePlugin.instance();
    const engine = engineAnswers();
    const first = plugin.validate(context);
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engine.mock.calls[0][0].templatePaths).toEqual(context.templatePaths);
    expect(first).toEqual({ success: false, violations: [finding(context.templatePaths[0])] });
    const second = plugin.validate(context);
    expect(engine).toHaveBeenCalledTimes(1);
    expect(second).toEqual(first);
  });

  test('only the templates it has not seen reach the engine, and the report holds both', () => {
    const plugin = CachedCloudFormationValidatePlugin.instance();
    const engine = engineAnswers();
    plugin.validate(context);
    const other = path.join(path.dirname(context.templatePaths[0]), `Other-${process.pid}-${Date.now()}.template.json`);
    fs.writeFileSync(other, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { Other: other } } } }));
    engine.mockClear();
    const both = plugin.validate({ ...context, templatePaths: [...context.templatePaths, other], stackTemplates: [...context.stackTemplates, { templatePath: other, stackConstructPath: 'Other' }] });
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engine.mock.calls[0][0]).toEqual({ ...context, templatePaths: [other], stackTemplates: [{ templatePath: other, stackConstructPath: 'Other' }] });
    expect(both.success).toBe(false);
    expect(both.violations).toEqual([finding(other), finding(context.templatePaths[0])]);
  });

  test('a template with no finding is remembered as passing', () => {
    const plugin = CachedCloudFormationValidatePlugin.instance();
    const clean = path.join(path.dirname(context.templatePaths[0]), `Clean-${process.pid}-${Date.now()}.template.json`);
    fs.writeFileSync(clean, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { Clean: clean } } } }));
    const clean1 = { ...context, templatePaths: [clean], stackTemplates: [{ templatePath: clean, stackConstructPath: 'Clean' }] };
    const engine = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate').mockReturnValue({ success: true, violations: [] });
    expect(plugin.validate(clean1)).toEqual({ success: true, violations: [] });
    expect(plugin.validate(clean1)).toEqual({ success: true, violations: [] });
    expect(engine).toHaveBeenCalledTimes(1);
  });

  test('with the cache off, every run reaches the engine', () => {
    process.env.BLUEGREEN_FLEET_GUARD_CACHE = 'off';
    try {
      const engine = engineAnswers();
      CachedCloudFormationValidatePlugin.instance().validate(context);
      CachedCloudFormationValidatePlugin.instance().validate(context);
      expect(engine).toHaveBeenCalledTimes(2);
    } finally {
      delete process.env.BLUEGREEN_FLEET_GUARD_CACHE;
    }
  });
});
