import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IReleasableService, ReleaseFleet, ReleaseSupport, ReleaseSupportProps } from '../../../constructs';
import { newApp } from '../../support/synth';

/**
 * A stand-in for BlueGreenService with just what ReleaseSupport needs: a VPC, an internal ALB
 * with a production and a test listener, a target group, an ECS service and one alarm per fleet.
 */
export function fakeService(stack: Stack, alarmsPerFleet = 1): { vpc: ec2.Vpc; service: IReleasableService } {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: false });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'fleet', vpc });
  const fleet = (color: 'blue' | 'green'): ReleaseFleet & { targetGroup: elbv2.ApplicationTargetGroup } => {
    const targetGroup = new elbv2.ApplicationTargetGroup(stack, `${color}Tg`, { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
    const alarms = Array.from({ length: alarmsPerFleet }, (_, i) =>
      new cloudwatch.Alarm(stack, `${color}Alarm${i}`, { metric: new cloudwatch.Metric({ namespace: 'Test', metricName: `${color}Errors` }), threshold: 1, evaluationPeriods: 1 }),
    );
    return { targetGroup, service: ecs.Ec2Service.fromEc2ServiceAttributes(stack, `${color}Service`, { cluster, serviceName: `api-${color}` }), alarms: { all: alarms } };
  };
  const fleets = { blue: fleet('blue'), green: fleet('green') };
  const productionListener = loadBalancer.addListener('Production', { port: 80, open: false, defaultTargetGroups: [fleets.blue.targetGroup] });
  loadBalancer.addListener('Test', { port: 8443, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultTargetGroups: [fleets.green.targetGroup] });
  return { vpc, service: { releaseParts: { serviceName: 'api', loadBalancer, productionListener, testListenerPort: 8443, ...fleets } } };
}

export function releaseStack(props: Partial<ReleaseSupportProps> = {}, app: App = newApp(), alarmsPerFleet = 1): { app: App; stack: Stack; release: ReleaseSupport } {
  const stack = new Stack(app, 'bgf-test-api', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const { vpc, service } = fakeService(stack, alarmsPerFleet);
  const release = new ReleaseSupport(stack, 'Release', { vpc, service, ...props });
  return { app, stack, release };
}
