import { CfnOutput } from 'aws-cdk-lib';
import type { BlueGreenService } from './blue-green-service';
import { FLEET_COLORS as COLORS } from '../common/fleet-color';
import { fleetOutput, FleetOutput, OutputName, SERVICE_OUTPUTS as O } from '../contract/names';

/**
 * The outputs the release tool reads (docs/contracts.md). Logical ids are the contract's names
 * with the parameter prefix, whatever the construct path.
 */
export function addOutputs(service: BlueGreenService, prefix: string): void {
  const out = (name: OutputName, value: string, description: string) => {
    const output = new CfnOutput(service, `${name}Output`, { value, description });
    output.overrideLogicalId(`${prefix}${name}`);
  };
  const name = service.serviceName;
  out(O.productionListenerArn, service.productionListener.listenerArn, `${name}: listener that forwards to the live fleet`);
  out(O.testListenerArn, service.testListener.listenerArn, `${name}: listener that forwards to the standby fleet`);
  out(O.testListenerPort, String(service.testListenerPort), `${name}: port of the test listener`);
  out(O.loadBalancerDnsName, service.loadBalancer.loadBalancerDnsName, `${name}: the load balancer's DNS name`);
  if (service.dnsName) out(O.serviceDnsName, service.dnsName, `${name}: the service's private DNS name`);
  for (const color of COLORS) {
    const fleet = service.fleet(color);
    const C = (suffix: FleetOutput) => fleetOutput(color, suffix);
    out(C('TargetGroupArn'), fleet.targetGroup.targetGroupArn, `${name}: target group of the ${color} fleet`);
    out(C('ClusterName'), fleet.fleet.cluster.clusterName, `${name}: ECS cluster of the ${color} fleet`);
    out(C('ServiceName'), fleet.service.serviceName, `${name}: ECS service of the ${color} fleet`);
    out(C('AutoScalingGroupName'), fleet.fleet.autoScalingGroup.autoScalingGroupName, `${name}: Auto Scaling group of the ${color} fleet`);
    out(C('AlarmNames'), service.alarmNames(color), `${name}: alarms (comma-separated) that mean the ${color} fleet is unhealthy`);
  }
}
