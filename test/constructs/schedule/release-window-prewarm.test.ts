import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ReleaseWindowOptions, ReleaseWindowPrewarm, ReleaseWindowPrewarmProps } from '../../../constructs/schedule';
import { newApp } from '../../support/synth';

const FUNCTION_ARN = 'arn:aws:lambda:ap-northeast-1:123456789012:function:bgf-production-api-StandbyCapacity';
const WEEKDAY_MORNING: ReleaseWindowOptions = { cron: '0 11 ? * MON-THU *', timeZone: 'Asia/Tokyo', duration: Duration.minutes(120), prewarm: Duration.minutes(30) };

/** A bare stack with an imported standby-capacity Lambda: cheap to synthesize. */
function prewarmStack(props: Partial<ReleaseWindowPrewarmProps> = {}, windows: Record<string, ReleaseWindowOptions> = { 'weekday-morning': WEEKDAY_MORNING }) {
  const stack = new Stack(newApp(), 'bgf-production-api', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const fn = lambda.Function.fromFunctionArn(stack, 'StandbyCapacity', FUNCTION_ARN);
  const prewarm = new ReleaseWindowPrewarm(stack, 'Prewarm', { serviceName: 'api', standbyCapacityFunction: fn, ...props });
  for (const [name, options] of Object.entries(windows)) prewarm.addWindow(name, options);
  return { stack, prewarm, template: Template.fromStack(stack) };
}

describe('ReleaseWindowPrewarm', () => {
  let template: Template;
  let prewarm: ReleaseWindowPrewarm;
  beforeAll(() => ({ template, prewarm } = prewarmStack()));

  test('warms the standby 30 minutes before the window opens, in the window\'s time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 10 ? * MON-THU *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: FUNCTION_ARN, Input: '{"action":"warm"}', RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 1800 } }),
    });
  });

  test('cools it when the window closes unless a release happened in the window (pre-warm included)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 13 ? * MON-THU *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      Target: Match.objectLike({ Arn: FUNCTION_ARN, Input: '{"action":"cool-if-idle","windowMinutes":150}' }),
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
  });

  test('the default role: assumable by this account\'s EventBridge Scheduler only, may invoke only that Lambda', () => {
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }],
        Version: '2012-10-17',
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: FUNCTION_ARN }], Version: '2012-10-17' },
    });
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    for (const s of Object.values(template.findResources('AWS::Scheduler::Schedule'))) expect(s.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  test('exposes the windows and their schedules', () => {
    expect(prewarm.windowNames).toEqual(['weekday-morning']);
    expect(prewarm.schedulesOf('weekday-morning')?.warm.scheduleExpression).toBe('cron(30 10 ? * MON-THU *)');
    expect(prewarm.schedulesOf('weekday-morning')?.coolIfIdle.scheduleExpression).toBe('cron(0 13 ? * MON-THU *)');
    expect(prewarm.schedulesOf('other')).toBeUndefined();
  });
});

describe('ReleaseWindowPrewarm defaults and options', () => {
  test('prewarm defaults to 30 minutes, timeZone to UTC, enabled to true, groupName to the default group', () => {
    const { template } = prewarmStack({}, { w: { cron: '0 2 ? * TUE *', duration: Duration.hours(1) } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 1 ? * TUE *)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', GroupName: Match.absent() });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * TUE *)', Target: Match.objectLike({ Input: '{"action":"cool-if-idle","windowMinutes":90}' }) });
  });

  test('the construct-level time zone, enabled=false and a group name apply to every schedule', () => {
    const { template } = prewarmStack({ timeZone: 'Europe/Berlin', enabled: false, groupName: 'releases' }, { w: { cron: '0 2 ? * TUE *', duration: Duration.hours(1) } });
    template.allResourcesProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Europe/Berlin', State: 'DISABLED', GroupName: 'releases' });
  });

  test('windows given as props are added, crossing midnight moves the day of week', () => {
    const { template } = prewarmStack({ windows: [{ name: 'monday-early', cron: '15 0 ? * MON *', duration: Duration.minutes(60), prewarm: Duration.minutes(45) }] }, {});
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 23 ? * SUN *)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(15 1 ? * MON *)' });
  });

  test('a given role is used and allowed to invoke the Lambda; no role is created', () => {
    const stack = new Stack(newApp(), 'S');
    const role = new iam.Role(stack, 'Given', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', FUNCTION_ARN);
    new ReleaseWindowPrewarm(stack, 'Prewarm', { serviceName: 'api', standbyCapacityFunction: fn, role, windows: [{ name: 'w', ...WEEKDAY_MORNING }] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: FUNCTION_ARN }], Version: '2012-10-17' } });
    template.allResourcesProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] } }) });
  });
});

describe('ReleaseWindowPrewarm validation', () => {
  test.each<[string, string, Partial<ReleaseWindowOptions>, RegExp]>([
    ['a bad cron', 'w', { cron: '0 11 * * MON *' }, /ReleaseWindowPrewarm api: window "w": cron "0 11 \* \* MON \*" must have "\?" in exactly one/],
    ['an unknown time zone', 'w', { timeZone: 'Tokyo' }, /window "w": timeZone "Tokyo" is not an IANA time zone/],
    ['a zero duration', 'w', { duration: Duration.minutes(0) }, /window "w": duration 0 minutes must be whole minutes from 1 to 1440/],
    ['a duration over a day', 'w', { duration: Duration.hours(25) }, /window "w": duration 1 day 1 hour must be whole minutes from 1 to 1440/],
    ['a pre-warm in seconds', 'w', { prewarm: Duration.seconds(90) }, /window "w": prewarm 1 minute 30 seconds must be whole minutes/],
    ['a bad name', 'Weekday Morning', {}, /window "Weekday Morning": name must be 1-32 letters/],
    [
      'a pre-warm that cannot be derived',
      'monthly',
      { cron: '0 0 1 * ? *' },
      /window "monthly": the pre-warm time \(30 minutes before the window\): cannot move "0 0 1 \* \? \*" by -30 minutes: it crosses midnight and names days of the month/,
    ],
    ['an end that cannot be derived', 'late', { cron: '0 23 ? 6 MON *' }, /window "late": the end of the window \(120 minutes after it opens\): .* names a month or year/],
  ])('%s is refused with a message naming the window', (_what, name, options, message) => {
    expect(() => prewarmStack({}, { [name]: { ...WEEKDAY_MORNING, ...options } })).toThrow(message);
  });

  test('a duplicate name is refused', () => {
    expect(() => prewarmStack({ windows: [{ name: 'w', ...WEEKDAY_MORNING }] }, { w: WEEKDAY_MORNING })).toThrow(/window "w": name is already used by another window of this service/);
  });

  test('an unknown construct-level time zone is refused', () => {
    expect(() => prewarmStack({ timeZone: 'Nowhere/City' }, {})).toThrow(/ReleaseWindowPrewarm api: timeZone "Nowhere\/City" is not an IANA time zone/);
  });
});
