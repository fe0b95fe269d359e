import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { BlueGreenService } from '../../../constructs';
import { NamedSchedule, ScheduledCapacity, ScheduleOptions } from '../../../constructs/schedule';
import { buildService, changedResources, resourceOf, resourcesFor } from '../service/support';

const IMAGE = (digit: string) => `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${digit.repeat(64)}`;
const PARAMS = { BlueImage: IMAGE('a'), GreenImage: IMAGE('b'), BlueAmi: 'ami-0aaaaaaaaaaaaaaaa', GreenAmi: 'ami-0bbbbbbbbbbbbbbbb', StandbyMinTasks: '0' };

/** The production `api` example: out at 09:50 to 10/12, in at 16:30 to 6/8, Tokyo time. */
const TOKYO_DAY: NamedSchedule[] = [
  { name: 'morning-push', cron: '50 9 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 10, maxTasks: 12 },
  { name: 'afternoon', cron: '30 16 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 6, maxTasks: 8 },
];

function withSchedules(schedules: NamedSchedule[], more?: (capacity: ScheduledCapacity) => void) {
  let capacity!: ScheduledCapacity;
  const built = buildService(
    { minTasks: 6, maxTasks: 12 },
    {
      after: (_stack, _vpc, service) => {
        capacity = new ScheduledCapacity(service, 'Schedules', { service, schedules });
        more?.(capacity);
      },
    },
  );
  return { ...built, capacity };
}

const targetOf = (resources: Record<string, any>, color: 'Blue' | 'Green') =>
  Object.entries(resources).find(([id]) => id.startsWith(`Svc${color}ScalableTarget`))![1].Properties;

describe('ScheduledCapacity on a BlueGreenService', () => {
  let template: Template;
  let service: BlueGreenService;
  beforeAll(() => ({ template, service } = withSchedules(TOKYO_DAY)));

  test('puts the schedules on both targets inside an Fn::If on that fleet\'s live condition', () => {
    for (const color of ['Blue', 'Green']) {
      const { resource } = resourceOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget', `Svc${color}ScalableTarget`);
      expect(resource.Properties.ScheduledActions).toEqual({
        'Fn::If': [
          `${color}IsLive`,
          [
            { ScheduledActionName: 'morning-push', Schedule: 'cron(50 9 * * ? *)', Timezone: 'Asia/Tokyo', ScalableTargetAction: { MinCapacity: 10, MaxCapacity: 12 } },
            { ScheduledActionName: 'afternoon', Schedule: 'cron(30 16 * * ? *)', Timezone: 'Asia/Tokyo', ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 8 } },
          ],
          [],
        ],
      });
    }
  });

  test.each([
    ['blue', 'Blue', 'Green'],
    ['green', 'Green', 'Blue'],
  ] as const)('LiveColor=%s: the %s target carries the schedules, the %s target none', (live, liveId, standbyId) => {
    const resources = resourcesFor(template, { ...PARAMS, LiveColor: live });
    expect(targetOf(resources, liveId).ScheduledActions.map((a: any) => [a.ScheduledActionName, a.Timezone, a.ScalableTargetAction])).toEqual([
      ['morning-push', 'Asia/Tokyo', { MinCapacity: 10, MaxCapacity: 12 }],
      ['afternoon', 'Asia/Tokyo', { MinCapacity: 6, MaxCapacity: 8 }],
    ]);
    expect(targetOf(resources, standbyId).ScheduledActions).toEqual([]);
  });

  test('a swap moves the schedules by changing only what a swap already changes', () => {
    const ids = (type: string, prefix: string) => resourceOf(template, type, prefix).id;
    // A release swaps to a warm standby only (it warms it first); swapping to a cold one would also
    // change the services and groups, since cold means zero.
    const warm = { ...PARAMS, StandbyMinTasks: '6' };
    expect(changedResources(resourcesFor(template, { ...warm, LiveColor: 'blue' }), resourcesFor(template, { ...warm, LiveColor: 'green' }))).toEqual(
      [
        ids('AWS::ElasticLoadBalancingV2::Listener', 'SvcProductionListener'),
        ids('AWS::ElasticLoadBalancingV2::Listener', 'SvcTestListener'),
        ids('AWS::ApplicationAutoScaling::ScalableTarget', 'SvcBlueScalableTarget'),
        ids('AWS::ApplicationAutoScaling::ScalableTarget', 'SvcGreenScalableTarget'),
      ].sort(),
    );
  });

  test('exposes the names and the limit it checks against', () => {
    const capacity = service.node.findChild('Schedules') as ScheduledCapacity;
    expect(capacity.scheduleNames).toEqual(['morning-push', 'afternoon']);
    expect(capacity.serviceMaxTasks).toBe(12);
  });
});

describe('ScheduledCapacity defaults', () => {
  test('timeZone defaults to UTC; addSchedule after construction is included', () => {
    const { template } = withSchedules([], (c) => c.addSchedule('nightly', { cron: 'cron(0 22 ? * MON-FRI *)', minTasks: 6, maxTasks: 6 }));
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: { 'Fn::If': ['BlueIsLive', [Match.objectLike({ ScheduledActionName: 'nightly', Schedule: 'cron(0 22 ? * MON-FRI *)', Timezone: 'UTC' })], []] },
    });
  });

  test('the construct-level timeZone applies to schedules without one', () => {
    const { template } = buildService({ minTasks: 1, maxTasks: 4 }, {
      after: (_s, _v, service) => void new ScheduledCapacity(service, 'Schedules', { service, timeZone: 'Europe/Berlin', schedules: [{ name: 'a', cron: '0 8 * * ? *', minTasks: 2, maxTasks: 4 }] }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: { 'Fn::If': ['GreenIsLive', [Match.objectLike({ Timezone: 'Europe/Berlin' })], []] },
    });
  });

  test('schedules default to none: the targets get no ScheduledActions', () => {
    const { template } = withSchedules([]);
    for (const target of Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))) {
      expect(target.Properties.ScheduledActions).toBeUndefined();
    }
  });
});

describe('ScheduledCapacity validation', () => {
  const good: ScheduleOptions = { cron: '50 9 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 10, maxTasks: 12 };
  const add = (name: string, options: Partial<ScheduleOptions>, first?: NamedSchedule) => () =>
    withSchedules(first ? [first] : [], (c) => c.addSchedule(name, { ...good, ...options }));

  test.each<[string, string, Partial<ScheduleOptions>, RegExp]>([
    ['a bad cron', 'push', { cron: '50 9 * * *' }, /ScheduledCapacity api: schedule "push": cron "50 9 \* \* \*" has 5 fields; AWS cron needs 6/],
    ['a bad field', 'push', { cron: '70 9 * * ? *' }, /schedule "push": cron "70 9 \* \* \? \*" field minutes "70" is not valid/],
    ['an unknown time zone', 'push', { timeZone: 'Asia/Osaka' }, /schedule "push": timeZone "Asia\/Osaka" is not an IANA time zone/],
    ['min above max', 'push', { minTasks: 9, maxTasks: 8 }, /schedule "push": minTasks 9 is above maxTasks 8/],
    ['max above the service max', 'push', { minTasks: 10, maxTasks: 14 }, /schedule "push": maxTasks 14 is above the service's maxTasks 12; raise the service's maxTasks instead/],
    ['a negative min', 'push', { minTasks: -1 }, /schedule "push": minTasks -1 must be a whole number, 0 or more/],
    ['a bad name', 'Push Now', {}, /schedule "Push Now": name must be 1-64 letters, digits/],
  ])('%s is refused with a message naming the schedule', (_what, name, options, message) => {
    expect(add(name, options)).toThrow(message);
  });

  test('a duplicate name is refused', () => {
    expect(add('push', {}, { name: 'push', ...good })).toThrow(/schedule "push": name is already used by another schedule of this service/);
  });

  test('an unknown construct-level time zone is refused', () => {
    expect(() => buildService({}, { after: (_s, _v, service) => void new ScheduledCapacity(service, 'S', { service, timeZone: 'Mars/Olympus' }) })).toThrow(
      /ScheduledCapacity api: timeZone "Mars\/Olympus" is not an IANA time zone/,
    );
  });

  test('scheduled actions added to a target directly are refused at synth', () => {
    expect(() =>
      withSchedules(TOKYO_DAY, (c) => {
        const service = c.node.scope as BlueGreenService;
        service.blue.scalableTarget.scaleOnSchedule('Direct', { schedule: appscaling.Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 3 });
      }),
    ).toThrow(/the blue fleet's scalable target already has scheduled actions \(scaleOnSchedule\)/);
  });
});
