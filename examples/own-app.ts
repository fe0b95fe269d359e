// The README's "Using the constructs in your own CDK app", kept compiling and synthesizing by
// test/examples/own-app.test.ts. Outside this repository, import from 'bluegreen-fleet'.
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlueGreenService, Network, ReleaseSupport, ScheduledCapacity } from '../constructs';

export function ordersApp(app = new App()): Stack {
  const stack = new Stack(app, 'orders', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const network = new Network(stack, 'Network', { maxAzs: 3, natGateways: 3 });
  const orders = new BlueGreenService(stack, 'Service', {
    vpc: network.vpc,
    serviceName: 'orders',
    containerPort: 8080,
    fleet: { instanceTypes: [new ec2.InstanceType('m6i.large')], cpu: 512, memoryMiB: 1024 },
    green: { instanceTypes: [new ec2.InstanceType('m7i.large')] }, // tried on green first
    minTasks: 3,
    maxTasks: 12,
  });
  new ReleaseSupport(stack, 'Release', { service: orders, vpc: network.vpc, environmentName: 'prod' });
  new ScheduledCapacity(stack, 'Schedules', {
    service: orders,
    timeZone: 'Asia/Tokyo',
    schedules: [{ name: 'morning-push', cron: '50 9 * * ? *', minTasks: 10, maxTasks: 12 }],
  });
  const caller = new ec2.SecurityGroup(stack, 'Caller', { vpc: network.vpc });
  orders.allowCallsFrom(caller);
  return stack;
}
