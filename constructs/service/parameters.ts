import { CfnCondition, CfnParameter, Fn, IResolvable, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { FLEET_COLORS, FleetColor } from '../common/fleet-color';
import { Color, COLORS, titleCase } from '../contract/colors';
import { IMAGE_PATTERN } from '../contract/names';

export { COLORS, IMAGE_PATTERN };
export type { Color };

/** A value of a CloudFormation expression: a literal, or a token such as another `Fn::If`. */
export type TemplateValue = string | number | IResolvable;

/**
 * The largest `StandbyMinTasks` a template accepts, whatever the service's `maxTasks`. A fixed
 * bound, not `maxTasks`: CloudFormation checks the previous value of a parameter against the new
 * template's constraints on every update, `UsePreviousValue` included, so a `MaxValue` of
 * `maxTasks` would make lowering `maxTasks` while the standby is warm fail the `cdk deploy`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
 * The template clamps the standby's minimum to `maxTasks` itself (`standbyMinimum`).
 */
export const STANDBY_MIN_TASKS_CEILING = 100;

export interface ServiceParametersProps {
  /** Prepended to every logical id, so two services can share a stack. */
  readonly prefix: string;
  /** The service's name, for descriptions. */
  readonly serviceName: string;
  /** The fleets' maximum task count: the standby's minimum is clamped to it. */
  readonly maxTasks: number;
  /**
   * `AllowedPattern` of the image parameters.
   * @default IMAGE_PATTERN - an ECR image of any account and Region, pinned by digest
   */
  readonly imagePattern?: string;
}

/**
 * The release-owned state of a service, as CloudFormation parameters: which fleet is live, what
 * each fleet runs and boots, and how warm the standby is kept. A release changes them with the
 * previous template; `cdk deploy` keeps their previous values.
 */
export class ServiceParameters extends Construct {
  /**
   * `AllowedPattern` of the image parameters by default: an ECR image of any account and Region,
   * pinned by digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>`).
   */
  public static readonly IMAGE_PATTERN: string = IMAGE_PATTERN;

  /** The largest `StandbyMinTasks` a template accepts (see `STANDBY_MIN_TASKS_CEILING`). */
  public static readonly STANDBY_MIN_TASKS_CEILING: number = STANDBY_MIN_TASKS_CEILING;

  /** Both fleet colors, blue first. */
  public static readonly COLORS: FleetColor[] = [...FLEET_COLORS];

  public readonly liveColor: CfnParameter;
  public readonly standbyMinTasks: CfnParameter;
  private readonly images: Record<Color, CfnParameter>;
  private readonly amis: Record<Color, CfnParameter>;
  private readonly live: Record<Color, CfnCondition>;
  /** True while `StandbyMinTasks` is 0: the standby's range, desired count and group are 0. */
  public readonly standbyIsCold: CfnCondition;
  private readonly maxTasks: number;

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
      maxValue: STANDBY_MIN_TASKS_CEILING,
      description: `${name}: minimum tasks of the standby fleet; 0 when cold (no task, no instance), the live size while warm (before a release, during the rollback window). Above ${props.maxTasks} (maxTasks) counts as ${props.maxTasks}.`,
    });
    this.maxTasks = props.maxTasks;
    const image = (color: Color) =>
      param(this, p, `${cap(color)}Image`, {
        type: 'String',
        allowedPattern: props.imagePattern ?? IMAGE_PATTERN,
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
    // Compared as the string CloudFormation holds for a Number parameter; the release tools write
    // it as String(n). assumed: a value spelled otherwise ("00") counts as warm.
    this.standbyIsCold = new CfnCondition(this, 'StandbyIsCold', { expression: Fn.conditionEquals(this.standbyMinTasks.valueAsString, '0') });
    this.standbyIsCold.overrideLogicalId(`${p}StandbyIsCold`);
  }

  /**
   * The standby's minimum: `StandbyMinTasks`, at most `maxTasks` (a lookup by index, since a
   * template has no arithmetic). The index is a `Ref`, which the function's "supported functions"
   * allow for the index (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-select.html);
   * an index past the list fails the update, which MaxValue (the list's length - 1) rules out.
   */
  public standbyMinimum(): string {
    const table = Array.from({ length: STANDBY_MIN_TASKS_CEILING + 1 }, (_, i) => String(Math.min(i, this.maxTasks)));
    return Fn.select(Token.asNumber(this.standbyMinTasks.value), table);
  }

  /** `whenLive` for the live fleet; for the standby, `whenCold` (default 0) while cold, else `whenWarm`. */
  public ifLiveOrWarm(color: FleetColor, whenLive: TemplateValue, whenWarm: TemplateValue, whenCold: TemplateValue = 0): IResolvable {
    return this.ifLive(color, whenLive, Fn.conditionIf(this.standbyIsCold.logicalId, whenCold, whenWarm));
  }

  /** The image parameter of a fleet (`BlueImage`, `GreenImage`). */
  public image(color: FleetColor): CfnParameter {
    return this.images[color];
  }

  /** The AMI parameter of a fleet (`BlueAmi`, `GreenAmi`). */
  public ami(color: FleetColor): CfnParameter {
    return this.amis[color];
  }

  /** True when `color` is the live fleet. */
  public isLive(color: FleetColor): CfnCondition {
    return this.live[color];
  }

  /** `whenLive` if `color` is the live fleet, else `otherwise` (an `Fn::If` on the live color). */
  public ifLive(color: FleetColor, whenLive: TemplateValue, otherwise: TemplateValue): IResolvable {
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
