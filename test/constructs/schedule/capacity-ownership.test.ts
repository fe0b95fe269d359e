import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ScheduledCapacity } from '../../../constructs/schedule';
import { buildService, changedResources, resourceOf, resourcesFor } from '../service/support';

/**
 * "Stack updates never reset capacity that schedules or releases set": CloudFormation updates
 * only resources whose properties change, so the template carries no current count a stack
 * update could reset (no `DesiredCapacity`; a `DesiredCount` only on a cold standby, 0, the one
 * count its 0..0 range allows), and the properties it does carry (bounds) must not change unless
 * the live color, `StandbyMinTasks` or the config changes.
 */

const IMAGE = (digit: string) => `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@sha256:${digit.repeat(64)}`;
const PARAMS = { BlueImage: IMAGE('a'), GreenImage: IMAGE('b'), BlueAmi: 'ami-0aaaaaaaaaaaaaaaa', GreenAmi: 'ami-0bbbbbbbbbbbbbbbb' };
const SCHEDULES = [
  { name: 'morning-push', cron: '50 9 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 10, maxTasks: 12 },
  { name: 'afternoon', cron: '30 16 * * ? *', timeZone: 'Asia/Tokyo', minTasks: 6, maxTasks: 8 },
];

function build(cpu: number): Template {
  return buildService(
    { minTasks: 6, maxTasks: 12, fleet: { instanceTypes: [new ec2.InstanceType('m6i.large')], cpu, memoryMiB: 2048 } },
    { after: (_s, _v, service) => void new ScheduledCapacity(service, 'Schedules', { service, schedules: SCHEDULES }) },
  ).template;
}

/** Every key anywhere under `node`. */
function keysOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keysOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

describe('what a stack update can reset', () => {
  let template: Template;
  let rendered: Record<string, Record<string, any>>;
  const target = (live: string, color: 'Blue' | 'Green') => Object.entries(rendered[live]).find(([id]) => id.startsWith(`Svc${color}ScalableTarget`))![1].Properties;
  beforeAll(() => {
    template = build(1024);
    rendered = {
      blue: resourcesFor(template, { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '0' }),
      green: resourcesFor(template, { ...PARAMS, LiveColor: 'green', StandbyMinTasks: '0' }),
    };
  });

  test.each(['blue', 'green'])('LiveColor=%s: only the cold standby\'s ECS service has a DesiredCount (0), no Auto Scaling group a DesiredCapacity, no scheduled action a desired count', (live) => {
    const keys = keysOf(rendered[live]);
    const counts = Object.entries(rendered[live]).filter(([, r]) => r.Properties?.DesiredCount !== undefined).map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.DesiredCount]);
    expect(counts).toEqual([[live === 'blue' ? 'SvcGreenService' : 'SvcBlueService', 0]]);
    const warm = resourcesFor(template, { ...PARAMS, LiveColor: live, StandbyMinTasks: '10' });
    expect(keysOf(warm).has('DesiredCount')).toBe(false);
    expect(keys.has('DesiredCapacity')).toBe(false);
    for (const color of ['Blue', 'Green'] as const) {
      for (const action of target(live, color).ScheduledActions) expect(Object.keys(action.ScalableTargetAction).sort()).toEqual(['MaxCapacity', 'MinCapacity']);
    }
  });

  test.each([
    ['blue', 'Blue', 'Green'],
    ['green', 'Green', 'Blue'],
  ] as const)('LiveColor=%s: the live target\'s minimum is the config minTasks, the standby\'s is StandbyMinTasks', (live, liveId, standbyId) => {
    expect(target(live, liveId)).toMatchObject({ MinCapacity: 6, MaxCapacity: 12 });
    // Cold (StandbyMinTasks 0): the range is 0..0, so nothing can keep a task running.
    expect(target(live, standbyId)).toMatchObject({ MinCapacity: 0, MaxCapacity: 0 });
    const warm = resourcesFor(template, { ...PARAMS, LiveColor: live, StandbyMinTasks: '10' });
    expect((Object.entries(warm).find(([id]) => id.startsWith(`Svc${standbyId}ScalableTarget`))![1] as { Properties: unknown }).Properties).toMatchObject({ MinCapacity: '10', MaxCapacity: 12 });
  });

  test.each(['blue', 'green'])('LiveColor=%s: a release warming or cooling the standby changes only the standby\'s target, service and group', (live) => {
    const warm = resourcesFor(template, { ...PARAMS, LiveColor: live, StandbyMinTasks: '10' });
    const standby = live === 'blue' ? 'Green' : 'Blue';
    expect(changedResources(rendered[live], warm)).toEqual(
      [
        resourceOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget', `Svc${standby}ScalableTarget`).id,
        resourceOf(template, 'AWS::ECS::Service', `Svc${standby}Service`).id,
        resourceOf(template, 'AWS::AutoScaling::AutoScalingGroup', `Svc${standby}AutoScalingGroup`).id,
      ].sort(),
    );
  });

  test('a deploy that changes the task size leaves both scalable targets and both groups untouched', () => {
    const changed = changedResources(
      resourcesFor(template, { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '0' }),
      resourcesFor(build(2048), { ...PARAMS, LiveColor: 'blue', StandbyMinTasks: '0' }),
    );
    expect(changed.length).toBeGreaterThan(0);
    const types = changed.map((id) => (template.toJSON() as { Resources: Record<string, { Type: string }> }).Resources[id].Type);
    expect(types).not.toContain('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(types).not.toContain('AWS::AutoScaling::AutoScalingGroup');
  });

  test('the one exception: a swap updates both targets (live bounds and schedules move, the new standby\'s minimum becomes StandbyMinTasks)', () => {
    const swapped = changedResources(rendered.blue, rendered.green).filter((id) => id.includes('ScalableTarget'));
    expect(swapped).toHaveLength(2);
    expect(target('green', 'Blue')).toMatchObject({ MinCapacity: 0, ScheduledActions: [] });
    expect(target('green', 'Green').ScheduledActions).toHaveLength(2);
  });
});
