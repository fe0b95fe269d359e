import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { ordersApp } from '../../examples/own-app';
import { newApp } from '../support/synth';

describe("the README's own-app example", () => {
  test('synthesizes two fleets, the release support and the schedule', () => {
    const template = Template.fromStack(ordersApp(newApp()));
    template.resourceCountIs('AWS::ECS::Cluster', 2);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasParameter('LiveColor', { AllowedValues: ['blue', 'green'] });
  });

  test('the README shows the example as it is in examples/own-app.ts', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'own-app.ts'), 'utf8');
    const body = source.slice(source.indexOf('  const network'), source.indexOf('  return stack;'));
    expect(readme).toContain(body);
    expect(readme).toContain("from 'bluegreen-fleet'");
  });
});
