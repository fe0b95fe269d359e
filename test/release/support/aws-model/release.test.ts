import { runDeploy } from '../../../../src/commands/deploy';
import type { CommandDeps } from '../../../../src/release/runtime/cli-runtime';
import { ExitCode } from '../../../../src/release/core/outcome';
import { AwsModel, imageRef } from './index';

/** The model serves every call a whole release makes, with the waits a test would use. */
test('the release CLI deploys v2 end to end on the model, with real time passing in CloudFormation and ECS', async () => {
  const aws = new AwsModel().install();
  try {
    aws.addServiceStack('bgf-dev-api', { live: 'blue', liveImage: imageRef('v1') });
    aws.addImage('v1');
    aws.addImage('v2');
    aws.timings.callMs = 5_000;
    let out = '';
    const w = { write: (s: string) => ((out += s), true) };
    const wait = { maxWaitSeconds: 1, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 };
    const deps = { clock: aws.clock, stdout: w, stderr: w, timings: { stackUpdate: wait, serviceStable: wait, targetsHealthy: wait, imageScan: wait }, retry: { sleep: async () => undefined, random: () => 0.5 }, env: { USER: 'alice' } } as unknown as CommandDeps;
    expect(await runDeploy({ env: 'dev', service: 'api', region: 'ap-northeast-1', image: 'v2' }, deps)).toBe(ExitCode.Ok);
    expect(aws.trafficColor('bgf-dev-api')).toBe('green');
    expect(aws.service('bgf-dev-api', 'green')).toMatchObject({ running: 2, deployments: 1 });
    expect(aws.count('UpdateStack')).toBe(2);
    expect(aws.schedules.get('bgf-dev-api-cool-down')).toBeDefined();
    expect(out).toMatch(/released .*: the green fleet is live/);
  } finally {
    aws.restore();
  }
});
