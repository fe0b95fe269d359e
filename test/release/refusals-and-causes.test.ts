import { runDeploy } from '../../src/commands/deploy';
import type { CommandDeps } from '../../src/release/runtime/cli-runtime';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel, digestOf, imageRef, REGISTRY } from './support/aws-model';

/**
 * A release changes the digest a fleet runs, not the repository it pulls from: the task
 * execution role's pull grant follows the image's repository (constructs/service/task-definition.ts
 * repositoryOf), so another repository means an IAM policy change, which the release role may not
 * make (the update would fail and roll back). Refused before anything is written.
 */
const STACK = 'bgf-dev-api';

test('an image from another repository is refused, naming both repositories, with no stack update', async () => {
  const aws = new AwsModel().install();
  try {
    aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
    aws.addImage('v1');
    aws.addImage('other', { repository: 'bluegreen-fleet/web' });
    let err = '';
    const w = { write: (s: string) => ((err += s), true) };
    const wait = { maxWaitSeconds: 3, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 };
    const deps = { clock: aws.clock, stdout: w, stderr: w, timings: { stackUpdate: wait, serviceStable: wait, targetsHealthy: wait, imageScan: wait }, retry: { sleep: async () => undefined, random: () => 0.5 }, env: { USER: 'alice' } } as unknown as CommandDeps;
    const exit = await runDeploy({ env: 'dev', service: 'api', image: `${REGISTRY}/bluegreen-fleet/web@${digestOf('other')}` }, deps);
    expect({ exit, err }).toMatchObject({ exit: ExitCode.Refused, err: expect.stringMatching(/bluegreen-fleet\/web.*bluegreen-fleet\/api|bluegreen-fleet\/api.*bluegreen-fleet\/web/) });
    expect(aws.count('UpdateStack')).toBe(0);
    expect(aws.count('DescribeImages')).toBe(0);
  } finally {
    aws.restore();
  }
});

test('a failed stack update names its first failed stack event, where CloudFormation puts the cause', async () => {
  const aws = new AwsModel().install();
  try {
    aws.addServiceStack(STACK, { live: 'blue', liveImage: imageRef('v1') });
    aws.addImage('v1');
    aws.addImage('v2');
    aws.failNextUpdate(STACK, 'Resource handler returned message: "Invalid request provided: the task definition is too large"');
    let err = '';
    const w = { write: (s: string) => ((err += s), true) };
    const wait = { maxWaitSeconds: 3, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 };
    const deps = { clock: aws.clock, stdout: w, stderr: w, timings: { stackUpdate: wait, serviceStable: wait, targetsHealthy: wait, imageScan: wait }, retry: { sleep: async () => undefined, random: () => 0.5 }, env: { USER: 'alice' } } as unknown as CommandDeps;
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, deps)).not.toBe(ExitCode.Ok);
    // The stack's own reason names resources only; the event says why.
    expect(err).toMatch(/first failed event: \S+ UPDATE_FAILED: Resource handler returned message: "Invalid request provided: the task definition is too large"/);
    expect(aws.trafficColor(STACK)).toBe('blue');
  } finally {
    aws.restore();
  }
});
