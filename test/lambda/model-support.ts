import type { AlarmEvent } from '../../lambda/auto-rollback';
import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, runAs } from '../release/support/aws-model';
import { DEV_STACK, devWorld, run } from '../release/support/model-harness';

/** v2 released on green by the CLI on the AWS model (window open, blue warm). */
export async function releasedModel(): Promise<AwsModel> {
  const aws = devWorld();
  expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  return aws;
}

/**
 * Runs `body` as the stack's function `fn` runs it: with the environment variables the template
 * gives it (ReleaseSupport), its AWS calls attributed to it (so they are not counted as the CLI's).
 */
export async function asFunction<T>(aws: AwsModel, fn: 'AutoRollback' | 'StandbyCapacity', body: () => Promise<T>, stack = DEV_STACK): Promise<T> {
  const f = aws.lambda.get(aws.outputs(stack)[`${fn}FunctionName`]);
  const saved = Object.fromEntries(Object.keys(f.environment).map((k) => [k, process.env[k]]));
  Object.assign(process.env, f.environment);
  try {
    return await runAs(f.name, body);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * A CloudWatch alarm state change as EventBridge delivers it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html);
 * `reason: null` leaves the state's reason out.
 */
export function alarmEvent(alarmName: string, options: { value?: string; id?: string; reason?: string | null } = {}): AlarmEvent {
  const reason = options.reason === undefined ? 'Threshold Crossed: 5 datapoints were greater than 5.0' : options.reason;
  return {
    version: '0',
    id: options.id ?? 'e1',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-03-02T01:05:00Z',
    region: 'ap-northeast-1',
    resources: [`arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:${alarmName}`],
    detail: { alarmName, state: { value: options.value ?? 'ALARM', ...(reason === null ? {} : { reason }) } },
  } as AlarmEvent;
}
