import { AlarmEvent, clock, handler } from '../../lambda/auto-rollback';
import { REQUEST_TOKEN_MAX, REQUEST_TOKEN_PATTERN, requestToken } from '../../src/release/core/request-token';
import { AwsModel } from '../release/support/aws-model';
import { DEV_STACK } from '../release/support/model-harness';
import { asFunction, releasedModel } from './model-support';

beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

describe('requestToken (the ClientRequestToken of one logical update)', () => {
  test('deterministic, different for another intent, and within the API constraints whatever it is given', () => {
    const a = requestToken('auto-rollback-LiveColor-blue', ['bgf-dev-api', 'e1']);
    expect(requestToken('auto-rollback-LiveColor-blue', ['bgf-dev-api', 'e1'])).toBe(a);
    expect(requestToken('auto-rollback-LiveColor-blue', ['bgf-dev-api', 'e2'])).not.toBe(a);
    expect(requestToken('auto-rollback-LiveColor-green', ['bgf-dev-api', 'e1'])).not.toBe(a);
    const long = requestToken(`${'x'.repeat(300)}/ä_${'y'.repeat(10)}`, ['s'.repeat(500), undefined, 3]);
    for (const t of [a, long, requestToken('---', []), requestToken('9 lives', ['z'])]) {
      expect(t.length).toBeLessThanOrEqual(REQUEST_TOKEN_MAX);
      expect(t).toMatch(REQUEST_TOKEN_PATTERN);
    }
  });
});

describe('the auto-rollback Lambda retried by Lambda after its UpdateStack took effect', () => {
  let aws: AwsModel;
  afterEach(() => aws.restore());

  // Failed on the old code: the Lambda sent no ClientRequestToken, so the retry of the same alarm
  // event started a second LiveColor update after the first one (whose response was lost) had
  // failed and rolled back.
  test('the retry of the same event sends the same token; CloudFormation knows it and starts no second update', async () => {
    aws = await releasedModel();
    clock.now = () => aws.clock.now();
    const [alarm] = aws.alarmNames(DEV_STACK, 'green');
    const fn = aws.outputs(DEV_STACK).AutoRollbackFunctionName;
    const event = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2026-03-02T01:05:00Z',
      region: 'ap-northeast-1',
      resources: [`arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:${alarm}`],
      detail: { alarmName: alarm, state: { value: 'ALARM', reason: 'Threshold Crossed' } },
    } as AlarmEvent;
    const invoke = () => asFunction(aws, 'AutoRollback', () => handler(event, { getRemainingTimeInMillis: () => 23_000 }));
    await aws.runFor(60_000);
    // The LiveColor update reaches CloudFormation but its answer is lost; the update then fails
    // on the test listener and CloudFormation rolls it back.
    aws.inject({ operation: 'UpdateStack', kind: 'timeout', times: 1, afterEffect: true, when: (_input, origin) => origin === fn });
    aws.failResource(DEV_STACK, 'ServiceTestListener', 'Resource handler returned message: "Listener port 8080 is in use"', { times: 1 });
    await expect(invoke()).rejects.toThrow(/not finished/);
    expect(await aws.settleStack(DEV_STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
    const updatesBefore = aws.stack(DEV_STACK).tokens.length;

    // Lambda retries the same event a minute later.
    await aws.runFor(60_000);
    await expect(invoke()).rejects.toThrow(/not finished/);
    const tokens = aws.calls.filter((c) => c.origin === fn && c.operation === 'UpdateStack').map((c) => c.input.ClientRequestToken as string);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[0]).toMatch(REQUEST_TOKEN_PATTERN);
    // No second update: the stack still has the rolled-back one as its last operation.
    expect(aws.stack(DEV_STACK).tokens).toHaveLength(updatesBefore);
    expect(aws.stack(DEV_STACK).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(aws.param(DEV_STACK, 'LiveColor')).toBe('green');
  });
});
