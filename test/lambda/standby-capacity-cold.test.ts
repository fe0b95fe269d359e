import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { clock, handler } from '../../lambda/standby-capacity';
import { AwsModel, imageRef } from '../release/support/aws-model';

/**
 * `warm` on the template as it is: a cold standby's scalable target is 0..0 (BlueGreenService),
 * so its MaxCapacity cannot be the warm limit; the function's MAX_TASKS (from ReleaseSupport) is.
 */
const STACK = 'bgf-dev-api';
const region = 'ap-northeast-1';

beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

let aws: AwsModel;
beforeEach(() => {
  aws = new AwsModel().install();
  aws.timings.callMs = 0;
  aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
  clock.now = () => aws.clock.now();
  aws.handle(STACK, 'StandbyCapacity', handler);
});
afterEach(() => aws.restore());

test('warm a cold standby to the live size, through its 0..0 range, and the fleet follows', async () => {
  expect(aws.scalableTarget(STACK, 'green')).toMatchObject({ min: 0, max: 0 });
  aws.scaleTo(STACK, 'blue', 2);
  await aws.runFor(120_000);
  const out = await new LambdaClient({ region }).send(
    new InvokeCommand({ FunctionName: aws.outputs(STACK).StandbyCapacityFunctionName, Payload: new TextEncoder().encode(JSON.stringify({ action: 'warm' })) }),
  );
  expect(out.FunctionError).toBeUndefined();
  expect(JSON.parse(new TextDecoder().decode(out.Payload))).toMatchObject({ outcome: 'updated', standbyMinTasks: 2 });
  await aws.settleStack(STACK);
  expect(aws.scalableTarget(STACK, 'green').min).toBe(2);
  expect(aws.service(STACK, 'green').desired).toBe(2);
});
