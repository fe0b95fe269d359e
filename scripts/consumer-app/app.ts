// A CDK app of a team outside this repository: it installs the packed bluegreen-fleet, imports
// an existing VPC and builds one service with its release support (scripts/consumer-test.sh).
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlueGreenService, ReleaseSupport } from 'bluegreen-fleet';

const app = new App();
const stack = new Stack(app, 'orders', { env: { account: '123456789012', region: 'eu-west-1' } });

// The team's VPC, made elsewhere: imported by attributes, no lookup and no credentials.
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '10.20.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
});

// The team's own aws-cdk-lib types (ec2.IVpc, ec2.InstanceType) go straight into the constructs:
// this only type-checks when the package shares the app's aws-cdk-lib.
const service = new BlueGreenService(stack, 'Service', {
  vpc,
  serviceName: 'orders',
  containerPort: 8080,
  fleet: { instanceTypes: [new ec2.InstanceType('m6i.large')], cpu: 512, memoryMiB: 1024 },
  minTasks: 2,
  maxTasks: 6,
});
new ReleaseSupport(stack, 'Release', { service, vpc, environmentName: 'prod' });
