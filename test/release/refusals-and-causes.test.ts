import { runDeploy } from '../../src/commands/deploy';
import { ExitCode } from '../../src/release/core/outcome';
import { digestOf, REGISTRY } from './support/aws-model';
import { DEV_STACK, devWorld, run } from './support/model-harness';

/**
 * A release changes the digest a fleet runs, not the repository it pulls from: the task
 * execution role's pull grant follows the image's repository (constructs/service/task-definition.ts
 * repositoryOf), so another repository means an IAM policy change, which the release role may not
 * make (the update would fail and roll back). Refused before anything is written. And a stack
 * update that fails says why, from the stack events.
 */
test('an image from another repository is refused, naming both repositories, with no stack update', async () => {
  const aws = devWorld();
  try {
    aws.addImage('other', { repository: 'bluegreen-fleet/web' });
    const r = run(aws);
    const exit = await runDeploy({ env: 'dev', service: 'api', image: `${REGISTRY}/bluegreen-fleet/web@${digestOf('other')}` }, r.deps);
    expect({ exit, err: r.stderr.text }).toMatchObject({ exit: ExitCode.Refused, err: expect.stringMatching(/bluegreen-fleet\/web.*bluegreen-fleet\/api/) });
    expect(aws.count('UpdateStack')).toBe(0);
    expect(aws.count('DescribeImages')).toBe(0);
  } finally {
    aws.restore();
  }
});

test('a failed stack update names its first failed stack event, where CloudFormation puts the cause', async () => {
  const aws = devWorld();
  try {
    aws.failNextUpdate(DEV_STACK, 'Resource handler returned message: "Invalid request provided: the task definition is too large"');
    const r = run(aws);
    expect(await runDeploy({ env: 'dev', service: 'api', image: 'v2' }, r.deps)).not.toBe(ExitCode.Ok);
    // The stack's own reason names resources only; the event says why.
    expect(r.stderr.text).toMatch(/first failed event: \S+ UPDATE_FAILED: Resource handler returned message: "Invalid request provided: the task definition is too large"/);
    expect(aws.trafficColor(DEV_STACK)).toBe('blue');
  } finally {
    aws.restore();
  }
});
