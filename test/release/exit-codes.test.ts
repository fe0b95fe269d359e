import { runDeploy } from '../../src/commands/deploy';
import { runSwap } from '../../src/commands/swap';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel } from './support/aws-model';
import { DEV_STACK, devWorld, json, run, SHORT_WAITS } from './support/model-harness';

/**
 * Exit codes stay true in every phase (docs/release.md): 5 and 130 say "live traffic untouched",
 * which is false once a swap or a rollback started moving it. Failed on the old code: a timeout
 * while the swap's stack update ran exited 5.
 */
describe('exit codes follow the phase reached', () => {
  let aws: AwsModel;
  beforeEach(() => {
    aws = devWorld();
  });
  afterEach(() => aws.restore());
  const slow = () => (aws.engine.timings.stepMs = 24 * 3_600_000);

  test('a wait that times out before the swap: 5, live traffic untouched', async () => {
    // From the prepare step on, CloudFormation takes a day per resource.
    const r = run(aws, { timings: SHORT_WAITS, hooks: { afterStep: (id) => void (id === 'record-pending' && slow()) } });
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true }, r.deps)).toBe(ExitCode.Timeout);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });

  test('a wait that times out during the swap\'s stack update: 1, and the message says traffic was moving', async () => {
    const r = run(aws, {
      timings: SHORT_WAITS,
      hooks: { afterStep: (id) => void (id === 'smoke-check' && slow()) },
    });
    const code = await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true }, r.deps);
    expect(code).toBe(ExitCode.Error);
    expect(json(r).exitCode).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/timed out after 1s waiting for stack bgf-dev-api to finish updating \(LiveColor=green\); production traffic was already moving to the green fleet, so this is not "live traffic untouched"/);
  });

  test('`swap`: a timeout during its stack update exits 1, not 5, and says traffic was moving', async () => {
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
    const r = run(aws, { timings: SHORT_WAITS, hooks: { afterStep: (id) => void (id === 'record-pending' && slow()) } });
    expect(await runSwap({ env: 'dev', service: 'api', json: true }, r.deps)).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/waiting for stack bgf-dev-api to finish updating \(LiveColor=green\); production traffic was already moving to the green fleet, so this is not "live traffic untouched"/);
  });

  test('`swap`: refused before its stack update (an unhealthy standby): 3, traffic untouched', async () => {
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', swap: false }, run(aws).deps)).toBe(ExitCode.Ok);
    aws.setTargetHealth(DEV_STACK, 'green', 'unhealthy');
    const r = run(aws);
    expect(await runSwap({ env: 'dev', service: 'api', json: true }, r.deps)).toBe(ExitCode.Refused);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });
});
