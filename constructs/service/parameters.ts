import { CfnCondition, CfnParameter, Fn } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { Color, COLORS, titleCase } from '../../contract/colors';
import { IMAGE_PATTERN } from '../../contract/names';

export { COLORS, IMAGE_PATTERN };
export type { Color };

export interface ServiceParametersProps {
  /** Prepended to every logical id, so two services can share a stack. */
  readonly prefix: string;
  /** The service's name, for descriptions. */
  readonly serviceName: string;
  /** Upper bound of `StandbyMinTasks` (the fleets' maximum task count). */
  readonly maxTasks: number;
}

/**
 * The release-owned state of a service, as CloudFormation parameters: which fleet is live, what
 * each fleet runs and boots, and how warm the standby is kept. A release changes them with the
 * previous template; `cdk deploy` keeps their previous values.
 */
export class ServiceParameters extends Construct {
  public readonly liveColor: CfnParameter;
  public readonly standbyMinTasks: CfnParameter;
  private readonly images: Record<Color, CfnParameter>;
  private readonly amis: Record<Color, CfnParameter>;
  private readonly live: Record<Color, CfnCondition>;

  constructor(scope: Construct, id: string, props: ServiceParametersProps) {
    super(scope, id);
    const p = props.prefix;
    const name = props.serviceName;
    this.liveColor = param(this, p, 'LiveColor', {
      type: 'String',
      allowedValues: [...COLORS],
      default: 'blue',
      description: `${name}: the fleet the production listener forwards to. Changed by a release, kept by cdk deploy.`,
    });
    this.standbyMinTasks = param(this, p, 'StandbyMinTasks', {
      type: 'Number',
      default: 0,
      minValue: 0,
      maxValue: props.maxTasks,
      description: `${name}: minimum tasks of the standby fleet; 0 when cold, the live size while warm (before a release, during the rollback window).`,
    });
    const image = (color: Color) =>
      param(this, p, `${cap(color)}Image`, {
        type: 'String',
        allowedPattern: IMAGE_PATTERN,
        constraintDescription: 'must be an ECR image pinned by digest: <account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>',
        description: `${name}: image of the ${color} fleet, pinned by digest.`,
      });
    const ami = (color: Color) =>
      // The AMI type makes CloudFormation check that the image exists before it changes anything.
      param(this, p, `${cap(color)}Ami`, {
        type: 'AWS::EC2::Image::Id',
        description: `${name}: AMI the ${color} fleet's instances boot (an ECS-optimized AMI of the instances' architecture).`,
      });
    this.images = { blue: image('blue'), green: image('green') };
    this.amis = { blue: ami('blue'), green: ami('green') };
    const condition = (color: Color) => {
      const c = new CfnCondition(this, `${cap(color)}IsLive`, { expression: Fn.conditionEquals(this.liveColor.valueAsString, color) });
      c.overrideLogicalId(`${p}${cap(color)}IsLive`);
      return c;
    };
    this.live = { blue: condition('blue'), green: condition('green') };
  }

  public image(color: Color): CfnParameter {
    return this.images[color];
  }

  public ami(color: Color): CfnParameter {
    return this.amis[color];
  }

  /** True when `color` is the live fleet. */
  public isLive(color: Color): CfnCondition {
    return this.live[color];
  }

  /** `whenLive` if `color` is the live fleet, else `otherwise` (an `Fn::If` on the live color). */
  public ifLive(color: Color, whenLive: unknown, otherwise: unknown): unknown {
    return Fn.conditionIf(this.live[color].logicalId, whenLive, otherwise);
  }
}

function param(scope: Construct, prefix: string, name: string, props: ConstructorParameters<typeof CfnParameter>[2]): CfnParameter {
  const parameter = new CfnParameter(scope, name, props);
  parameter.overrideLogicalId(`${prefix}${name}`);
  return parameter;
}

export function cap(color: Color): string {
  return titleCase(color);
}
