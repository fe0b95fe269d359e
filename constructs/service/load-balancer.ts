import { Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { FleetColor } from '../common/fleet-color';
import { Color, ServiceParameters } from './parameters';

export interface ServiceLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly serviceName: string;
  readonly internetFacing: boolean;
  readonly deletionProtection: boolean;
  readonly idleTimeout?: Duration;
  readonly accessLogBucket?: s3.IBucket;
}

/** The service's load balancer: internal unless asked, invalid headers dropped, closed by default. */
export function createLoadBalancer(scope: Construct, props: ServiceLoadBalancerProps): elbv2.ApplicationLoadBalancer {
  // No egress by default: the load balancer may reach only what a target group registers.
  const securityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc: props.vpc,
    description: `${props.serviceName} load balancer: callers in, targets out`,
    allowAllOutbound: false,
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc: props.vpc,
    internetFacing: props.internetFacing,
    vpcSubnets: { subnetType: props.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroup,
    deletionProtection: props.deletionProtection,
    dropInvalidHeaderFields: true,
    idleTimeout: props.idleTimeout,
  });
  if (props.accessLogBucket) loadBalancer.logAccessLogs(props.accessLogBucket, props.serviceName);
  return loadBalancer;
}

export interface LiveColorListenerProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly parameters: ServiceParameters;
  readonly targetGroups: Readonly<Record<Color, elbv2.ApplicationTargetGroup>>;
  /** `true`: the listener forwards to the live fleet; `false`: to the standby. */
  readonly toLive: boolean;
  readonly port: number;
  readonly certificate?: acm.ICertificate;
  /** Open to the world (internet-facing production listener only). */
  readonly open: boolean;
}

/** A listener whose only action forwards to the live (or the standby) fleet's target group. */
export function addLiveColorListener(scope: Construct, id: string, props: LiveColorListenerProps): elbv2.ApplicationListener {
  const { blue, green } = props.targetGroups;
  const params = props.parameters;
  const arn = props.toLive
    ? params.ifLive(FleetColor.BLUE, blue.targetGroupArn, green.targetGroupArn)
    : params.ifLive(FleetColor.BLUE, green.targetGroupArn, blue.targetGroupArn);
  return new elbv2.ApplicationListener(scope, id, {
    loadBalancer: props.loadBalancer,
    port: props.port,
    protocol: props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
    certificates: props.certificate ? [props.certificate] : undefined,
    sslPolicy: props.certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    open: props.open,
    defaultAction: new ForwardToEither(Token.asString(arn), [blue, green]),
  });
}

/**
 * Forwards to one of several target groups, chosen by a CloudFormation expression (an `Fn::If`
 * on the live color). Every candidate is registered with the listener, so each target group is
 * attached to the load balancer whichever color is live, ECS services wait for the listener,
 * and the load balancer's security group may reach every candidate's targets.
 */
export class ForwardToEither extends elbv2.ListenerAction {
  constructor(
    targetGroupArn: string,
    private readonly candidates: elbv2.IApplicationTargetGroup[],
  ) {
    super({ type: 'forward', targetGroupArn });
  }

  public override bind(_scope: Construct, listener: elbv2.IApplicationListener, associatingConstruct?: IConstruct): void {
    for (const targetGroup of this.candidates) targetGroup.registerListener(listener, associatingConstruct);
  }
}
