import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel } from './support/aws-model';
import { DEV_STACK, devWorld, json, run } from './support/model-harness';

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
    const r = run(aws, { hooks: { afterStep: (id) => void (id === 'record-pending' && slow()) } });
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true }, r.deps)).toBe(ExitCode.Timeout);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  });

  test('a wait that times out during the swap\'s stack update: 1, and the message says traffic was moving', async () => {
    const r = run(aws, {
      hooks: { afterStep: (id) => void (id === 'smoke-check' && slow()) },
    });
    const code = await runDeploy({ env: 'dev', service: 'api', image: 'v2', json: true }, r.deps);
    expect(code).toBe(ExitCode.Error);
    expect(json(r).exitCode).toBe(ExitCode.Error);
    expect(json(r).error).toMatch(/timed out after 3s waiting for stack bgf-dev-api to finish updating \(LiveColor=green\); production traffic was already moving to the green fleet, so this is not "live traffic untouched"/);
  });
});
