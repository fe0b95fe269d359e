import { Match, Template } from 'aws-cdk-lib/assertions';
import { addEnvironment } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesFor } from '../constructs/service/support';
import { newApp } from '../support/synth';

/**
 * The production templates carry what issue "scheduled capacity and the standby lifecycle" asks
 * for: time-zone-aware scheduled actions on the live fleet's scalable targets, conditioned on the
 * live color; the standby's pre-warm and cool-down schedules; no desired count but a cold standby's 0.
 * (The policy gates over the same stacks run in service-stack.test.ts.)
 */

const IMAGE = (digit: string) => `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${digit.repeat(64)}`;
const PARAMS = { BlueImage: IMAGE('a'), GreenImage: IMAGE('b'), BlueAmi: 'ami-0aaaaaaaaaaaaaaaa', GreenAmi: 'ami-0bbbbbbbbbbbbbbbb', StandbyMinTasks: '0' };

describe('production service stacks', () => {
  const templates: Record<string, Template> = {};
  beforeAll(() => {
    const { services } = addEnvironment(newApp(), ENVIRONMENTS.production);
    for (const s of services) templates[s.config.name] = Template.fromStack(s);
  });

  const target = (name: string, live: 'blue' | 'green', color: 'Blue' | 'Green') =>
    Object.entries(resourcesFor(templates[name], { ...PARAMS, LiveColor: live }) as Record<string, any>).find(([id]) => id.startsWith(`Service${color}ScalableTarget`))![1].Properties;

  test.each([
    ['blue', 'Blue', 'Green'],
    ['green', 'Green', 'Blue'],
  ] as const)('api, LiveColor=%s: the %s target scales out at 09:50 and in at 16:30 Tokyo time; the %s target has no schedule', (live, liveId, standbyId) => {
    expect(target('api', live, liveId).ScheduledActions).toEqual([
      { ScheduledActionName: 'morning-push', Schedule: 'cron(50 9 * * ? *)', Timezone: 'Asia/Tokyo', ScalableTargetAction: { MinCapacity: 10, MaxCapacity: 12 } },
      { ScheduledActionName: 'afternoon', Schedule: 'cron(30 16 * * ? *)', Timezone: 'Asia/Tokyo', ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 8 } },
    ]);
    expect(target('api', live, standbyId).ScheduledActions).toEqual([]);
    expect(target('api', live, liveId).MinCapacity).toBe(6);
    // Cold standby: 0..0.
    expect(target('api', live, standbyId)).toMatchObject({ MinCapacity: 0, MaxCapacity: 0 });
  });

  test('web has no schedules', () => {
    for (const t of Object.values(templates.web.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))) expect(t.Properties.ScheduledActions).toBeUndefined();
  });

  test.each(['api', 'web'])('%s: the standby is warmed at 10:30 and cooled-if-idle at 13:00, Mon-Thu, Tokyo time, by the standby-capacity Lambda', (name) => {
    const t = templates[name];
    const outputs = (t.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    const target = (input: string) => Match.objectLike({ Arn: outputs.StandbyCapacityFunctionArn.Value, RoleArn: outputs.ReleaseSchedulerRoleArn.Value, Input: input });
    t.resourceCountIs('AWS::Scheduler::Schedule', 2);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 10 ? * MON-THU *)', ScheduleExpressionTimezone: 'Asia/Tokyo', State: 'ENABLED', Target: target('{"action":"warm"}') });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 13 ? * MON-THU *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      Target: target('{"action":"cool-if-idle","windowMinutes":150}'),
    });
  });

  test.each(['api', 'web'])('%s: no template value a stack update could use to reset a running count, for either live color (a cold standby\'s DesiredCount 0 is the only count its 0..0 range allows)', (name) => {
    for (const live of ['blue', 'green']) {
      const warm = JSON.stringify(resourcesFor(templates[name], { ...PARAMS, LiveColor: live, StandbyMinTasks: '4' }));
      expect(warm).not.toContain('"DesiredCount"');
      expect(warm).not.toContain('"DesiredCapacity"');
      const cold = resourcesFor(templates[name], { ...PARAMS, LiveColor: live }) as Record<string, any>;
      const counts = Object.entries(cold).filter(([, r]) => r.Properties?.DesiredCount !== undefined).map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.DesiredCount]);
      expect(counts).toEqual([[live === 'blue' ? 'ServiceGreenService' : 'ServiceBlueService', 0]]);
      expect(JSON.stringify(cold)).not.toContain('"DesiredCapacity"');
    }
  });
});

describe('environments without schedules or windows', () => {
  test('dev gets no Scheduler schedules and no scheduled actions', () => {
    const { services } = addEnvironment(newApp(), ENVIRONMENTS.dev);
    for (const s of services) {
      const t = Template.fromStack(s);
      t.resourceCountIs('AWS::Scheduler::Schedule', 0);
      for (const target of Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))) expect(target.Properties.ScheduledActions).toBeUndefined();
    }
  });
});
