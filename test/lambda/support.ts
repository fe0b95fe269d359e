import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { FakeAws } from '../release/support/fake-aws';
import { DEV_STACK, devWorld, run } from '../release/support/harness';

/** The environment ReleaseSupport gives the Lambdas of an api stack (dev's by default). */
export function lambdaEnv(aws: FakeAws, stackName = DEV_STACK, environment = 'dev'): void {
  const stack = aws.stacks.get(stackName)!;
  Object.assign(process.env, {
    STACK_NAME: stackName,
    TABLE_NAME: stack.outputs.ReleaseTableName,
    PARAMETER_PREFIX: '',
    SERVICE_NAME: 'api',
    ENVIRONMENT_NAME: environment,
    UPDATE_ROLE_ARN: stack.outputs.ParameterUpdateRoleArn,
  });
}

/** v2 released on green at 01:00 (window until 01:15, blue warm); the clock at 01:02. */
export async function releasedWorld(): Promise<FakeAws> {
  const aws = devWorld();
  expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, run(aws).deps)).toBe(ExitCode.Ok);
  lambdaEnv(aws);
  return aws;
}
