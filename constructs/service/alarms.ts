import { CfnCondition, Duration, Fn, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

/** Thresholds of the alarms that mean "this fleet is unhealthy". */
export interface FleetAlarmOptions {
  /**
   * Target 5xx responses as a percentage of requests, per minute.
   * @default 5
   */
  readonly errorRatePercent?: number;

  /**
   * p99 target response time above which a minute counts as slow.
   * @default Duration.seconds(2)
   */
  readonly responseTimeP99?: Duration;

  /**
   * Consecutive one-minute periods over a threshold before an alarm fires. Several minutes ride
   * over a task that is replaced or an instance that leaves.
   * @default 5
   */
  readonly evaluationMinutes?: number;

  /**
   * Prefix of the alarm names; the fleet color and the alarm kind follow.
   * @default - `<stack name>-<service name>`
   */
  readonly alarmNamePrefix?: string;

  /**
   * Actions when an alarm fires (e.g. an SNS topic that pages). They run only while the
   * alarm's fleet is live (`ActionsEnabled` follows the `LiveColor` parameter), so a standby
   * that fails its smoke check pages no one. The alarm state, and its EventBridge events (the
   * auto-rollback's trigger), change either way.
   * @default - none: the release tool and the auto-rollback read the alarm states themselves
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/** The alarms of one fleet. */
export interface FleetAlarms {
  /** Target 5xx responses over `errorRatePercent` of requests. */
  readonly errorRate: cloudwatch.Alarm;
  /** At least one target unhealthy for every minute of the evaluation window. */
  readonly unhealthyHosts: cloudwatch.Alarm;
  /** p99 target response time over `responseTimeP99`. */
  readonly responseTime: cloudwatch.Alarm;
  /** All of the above. */
  readonly all: cloudwatch.Alarm[];
}

export interface FleetAlarmsProps extends FleetAlarmOptions {
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** True while the alarms' fleet is live: their actions run only then. */
  readonly isLive: CfnCondition;
  readonly namePrefix: string;
  readonly description: string;
}

const MINUTE = Duration.minutes(1);

/**
 * Alarms on the target group's metrics. Missing data is "not breaching": a standby scaled to
 * zero has no targets and no requests, and a target that is draining or deregistered is not
 * counted as unhealthy by the load balancer, so normal operations never fire them.
 */
export function createFleetAlarms(scope: Construct, props: FleetAlarmsProps): FleetAlarms {
  const errorRatePercent = props.errorRatePercent ?? 5;
  const responseTime = props.responseTimeP99 ?? Duration.seconds(2);
  const periods = props.evaluationMinutes ?? 5;
  if (!Number.isFinite(errorRatePercent) || errorRatePercent <= 0 || errorRatePercent > 100) {
    throw new Error(`BlueGreenService: alarms.errorRatePercent ${errorRatePercent} must be above 0 and at most 100`);
  }
  if (!Number.isInteger(periods) || periods < 1 || periods > 60) {
    throw new Error(`BlueGreenService: alarms.evaluationMinutes ${periods} must be a whole number from 1 to 60`);
  }
  const metrics = props.targetGroup.metrics;
  const common = {
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };

  const rate = new cloudwatch.MathExpression({
    expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
    usingMetrics: {
      errors: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: MINUTE, statistic: 'Sum' }),
      requests: metrics.requestCount({ period: MINUTE, statistic: 'Sum' }),
    },
    period: MINUTE,
    label: 'Target 5xx rate (%)',
  });
  const errorRate = rate.createAlarm(scope, 'ErrorRateAlarm', {
    ...common,
    alarmName: `${props.namePrefix}-target-5xx-rate`,
    alarmDescription: `${props.description}: target 5xx responses above ${errorRatePercent}% of requests for ${periods} minutes.`,
    threshold: errorRatePercent,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });

  const unhealthyHosts = metrics.unhealthyHostCount({ period: MINUTE, statistic: 'Minimum' }).createAlarm(scope, 'UnhealthyHostsAlarm', {
    ...common,
    alarmName: `${props.namePrefix}-unhealthy-hosts`,
    alarmDescription: `${props.description}: at least one target failed its health check for every minute of ${periods}.`,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });

  const latency = metrics.targetResponseTime({ period: MINUTE, statistic: 'p99' }).createAlarm(scope, 'ResponseTimeAlarm', {
    ...common,
    alarmName: `${props.namePrefix}-response-time-p99`,
    alarmDescription: `${props.description}: p99 target response time above ${responseTime.toHumanString()} for ${periods} minutes.`,
    threshold: responseTime.toMilliseconds() / 1000,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });

  const all = [errorRate, unhealthyHosts, latency];
  for (const alarm of all) {
    if (props.alarmActions?.length) {
      alarm.addAlarmAction(...props.alarmActions);
      // The L2 has no conditional ActionsEnabled. CloudWatch runs actions on a change into
      // ALARM only: an alarm already in ALARM when its fleet goes live stays silent until it
      // recovers and fires again.
      (alarm.node.defaultChild as cloudwatch.CfnAlarm).actionsEnabled = Fn.conditionIf(props.isLive.logicalId, true, false);
      Validations.of(alarm).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_alarm_action_enabled_check',
        reason: 'ActionsEnabled is true while this fleet is live (Fn::If on the LiveColor parameter) and false while it is the standby, so a standby under test pages no one; the state still reaches EventBridge and the release tool.',
      });
    } else {
      Validations.of(alarm).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
        reason: 'No alarmActions were given: the release tool and the auto-rollback read this alarm\'s state; a fleet that is not live must not page anyone.',
      });
    }
  }
  return { errorRate, unhealthyHosts, responseTime: latency, all };
}
