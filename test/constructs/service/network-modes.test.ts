import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BlueGreenService } from '../../../constructs';
import { buildService, resourceOf } from './support';

type Rule = string; // "<direction> <group> <peer> <from>-<to>"

/** Every security group rule of the template, inline or standalone, as comparable strings. */
function rules(template: Template): Rule[] {
  const id = (ref: any): string => ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref ?? ref?.CidrIp ?? JSON.stringify(ref);
  const out: Rule[] = [];
  for (const [groupId, sg] of Object.entries(template.findResources('AWS::EC2::SecurityGroup'))) {
    for (const r of sg.Properties.SecurityGroupIngress ?? []) out.push(`in ${groupId} ${r.CidrIp ?? id(r.SourceSecurityGroupId)} ${r.FromPort}-${r.ToPort}`);
    for (const r of sg.Properties.SecurityGroupEgress ?? []) out.push(`out ${groupId} ${r.CidrIp ?? id(r.DestinationSecurityGroupId)} ${r.IpProtocol === '-1' ? 'all' : `${r.FromPort}-${r.ToPort}`}`);
  }
  for (const r of Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
    out.push(`in ${id(r.Properties.GroupId)} ${r.Properties.CidrIp ?? id(r.Properties.SourceSecurityGroupId)} ${r.Properties.FromPort}-${r.Properties.ToPort}`);
  }
  for (const r of Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))) {
    out.push(`out ${id(r.Properties.GroupId)} ${r.Properties.CidrIp ?? id(r.Properties.DestinationSecurityGroupId)} ${r.Properties.FromPort}-${r.Properties.ToPort}`);
  }
  return out.sort();
}

const sg = (template: Template, prefix: string) => resourceOf(template, 'AWS::EC2::SecurityGroup', prefix).id;

describe('awsvpc (default): a security group per service', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildService());
  });

  test('the load balancer reaches tasks only on the container port; nothing else gets in', () => {
    const lb = sg(template, 'SvcLoadBalancerSecurityGroup');
    const tasks = sg(template, 'SvcTaskSecurityGroup');
    const blue = sg(template, 'SvcBlueSecurityGroup');
    const green = sg(template, 'SvcGreenSecurityGroup');
    expect(rules(template)).toEqual(
      [
        `in ${tasks} ${lb} 8080-8080`,
        `out ${lb} ${tasks} 8080-8080`,
        `out ${tasks} 0.0.0.0/0 all`,
        `out ${blue} 0.0.0.0/0 all`,
        `out ${green} 0.0.0.0/0 all`,
      ].sort(),
    );
  });

  test('tasks run in the service group, target groups register IPs, host port = container port', () => {
    template.resourcePropertiesCountIs('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', SecurityGroups: [{ 'Fn::GetAtt': [sg(template, 'SvcTaskSecurityGroup'), 'GroupId'] }], Subnets: [{ Ref: resourceOf(template, 'AWS::EC2::Subnet', 'VpcPrivateSubnet1').id }, { Ref: resourceOf(template, 'AWS::EC2::Subnet', 'VpcPrivateSubnet2').id }] } } }, 2);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip' }, 2);
  });
});

describe('callers', () => {
  test('allowCallsFrom admits exactly the caller on the production port; allowTestCallsFrom on the test port', () => {
    const { template: before } = buildService();
    const { template } = buildService({}, {
      after: (stack, vpc, service) => {
        service.allowCallsFrom(new ec2.SecurityGroup(stack, 'Caller', { vpc }));
        service.allowTestCallsFrom(new ec2.SecurityGroup(stack, 'Tester', { vpc }));
      },
    });
    const [lb, caller, tester] = ['SvcLoadBalancerSecurityGroup', 'Caller', 'Tester'].map((p) => sg(template, p));
    const added = rules(template).filter((r) => !rules(before).includes(r));
    expect(added).toEqual([`in ${lb} ${caller} 80-80`, `in ${lb} ${tester} 8080-8080`, `out ${caller} 0.0.0.0/0 all`, `out ${tester} 0.0.0.0/0 all`].sort());
  });

  test('another service calls through its task group (awsvpc) or its instance groups (host)', () => {
    const others: Record<string, BlueGreenService> = {};
    const { template } = buildService({}, {
      after: (stack, vpc, api) => {
        const fleet = { instanceTypes: [new ec2.InstanceType('t3.medium')] };
        others.web = new BlueGreenService(stack, 'Web', { vpc, serviceName: 'web', containerPort: 3000, parameterPrefix: 'Web', fleet });
        others.hosted = new BlueGreenService(stack, 'Hosted', { vpc, serviceName: 'hosted', containerPort: 3001, networkMode: ecs.NetworkMode.HOST, parameterPrefix: 'Hosted', fleet });
        api.allowCallsFrom(others.web.outbound);
      },
    });
    expect(others.web.outbound.connections.securityGroups.map((g) => g.node.path)).toEqual(['SvcStack/Web/TaskSecurityGroup']);
    expect(others.hosted.outbound.connections.securityGroups.map((g) => g.node.path)).toEqual(['SvcStack/Hosted/Blue/SecurityGroup', 'SvcStack/Hosted/Green/SecurityGroup']);
    const lb = sg(template, 'SvcLoadBalancerSecurityGroup');
    expect(rules(template).filter((r) => r.startsWith(`in ${lb} `))).toEqual([`in ${lb} ${sg(template, 'WebTaskSecurityGroup')} 80-80`]);
  });
});

describe.each([
  ['host', ecs.NetworkMode.HOST, 8080, '8080-8080'],
  ['bridge', ecs.NetworkMode.BRIDGE, 0, '32768-65535'],
])('%s network mode', (_name, networkMode, hostPort, instancePorts) => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildService({ networkMode }));
  });

  test('tasks use the instances network; target groups register instances', () => {
    template.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { NetworkMode: networkMode }, 2);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Port: 8080 }, 2);
    for (const color of ['Blue', 'Green']) {
      const td = resourceOf(template, 'AWS::ECS::TaskDefinition', `Svc${color}TaskDefinition`).resource;
      expect(td.Properties.ContainerDefinitions[0].PortMappings).toEqual([{ ContainerPort: 8080, HostPort: hostPort, Protocol: 'tcp' }]);
      const service = resourceOf(template, 'AWS::ECS::Service', `Svc${color}Service`).resource;
      expect(service.Properties.NetworkConfiguration).toBeUndefined();
    }
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('SvcTaskSecurityGroup'))).toEqual([]);
  });

  test(`the load balancer reaches the instances only on ${instancePorts}`, () => {
    const lb = sg(template, 'SvcLoadBalancerSecurityGroup');
    const blue = sg(template, 'SvcBlueSecurityGroup');
    const green = sg(template, 'SvcGreenSecurityGroup');
    expect(rules(template)).toEqual(
      [
        `in ${blue} ${lb} ${instancePorts}`,
        `in ${green} ${lb} ${instancePorts}`,
        `out ${lb} ${blue} ${instancePorts}`,
        `out ${lb} ${green} ${instancePorts}`,
        `out ${blue} 0.0.0.0/0 all`,
        `out ${green} 0.0.0.0/0 all`,
      ].sort(),
    );
  });
});
