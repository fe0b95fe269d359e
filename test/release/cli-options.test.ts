import { main } from '../../src/cli/main';
import { ExitCode } from '../../src/release/core/outcome';
import { AwsModel } from './support/aws-model';
import { devWorld } from './support/model-harness';

/**
 * Bad release-CLI invocations: each exits with the documented code and names the option, before
 * a single AWS call (the SDK clients are mocked onto the fake, which counts every call).
 */
const DIGEST = `sha256:${'a'.repeat(64)}`;
const REF = `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bluegreen-fleet/api@${DIGEST}`;
const T = ['--env', 'dev', '--service', 'api'];

const CASES: [string, string[], number, RegExp][] = [
  ['deploy without --image or --image-from', ['deploy', ...T], ExitCode.Usage, /--image or --image-from is required/],
  ['deploy with both --image and --image-from', ['deploy', ...T, '--image', 'v2', '--image-from', 'staging'], ExitCode.Usage, /--image and --image-from exclude each other/],
  ['a digest too short', ['deploy', ...T, '--image', 'sha256:abc'], ExitCode.Usage, /--image "sha256:abc" is not a sha256 digest/],
  ['a digest in upper case', ['deploy', ...T, '--image', `sha256:${'A'.repeat(64)}`], ExitCode.Usage, /--image .* is not a sha256 digest/],
  ['a reference whose digest is not sha256', ['deploy', ...T, '--image', 'repo@md5:abc'], ExitCode.Usage, /--image "repo@md5:abc": "md5:abc" is not a sha256 digest/],
  ['a tag starting with a dash', ['deploy', ...T, '--image=-v2'], ExitCode.Usage, /--image "-v2": "-v2" is not a valid image tag/],
  ['a tag longer than 128 characters', ['deploy', ...T, '--image', 'v'.repeat(129)], ExitCode.Usage, /--image .* is not a valid image tag/],
  ['a tag with a space', ['deploy', ...T, '--image', 'v 2'], ExitCode.Usage, /--image "v 2": "v 2" is not a valid image tag/],
  ['--ami that is not an AMI id', ['deploy', ...T, '--image', 'v2', '--ami', 'ami-xyz'], ExitCode.Usage, /--ami "ami-xyz" is not an AMI id/],
  ['--ami of a snapshot id', ['deploy', ...T, '--image', 'v2', '--ami', 'snap-0123456789abcdef0'], ExitCode.Usage, /--ami "snap-0123456789abcdef0" is not an AMI id/],
  ['--ami Latest (case)', ['deploy', ...T, '--image', 'v2', '--ami', 'Latest'], ExitCode.Usage, /--ami "Latest" is not an AMI id/],
  ['--image-from the same environment', ['deploy', ...T, '--image-from', 'dev'], ExitCode.Usage, /--image-from names the environment being released \(dev\)/],
  ['--image-from not an environment name', ['deploy', ...T, '--image-from', 'Staging!'], ExitCode.Usage, /--image-from "Staging!" is not an environment name/],
  ['--image-from-role-arn without --image-from', ['deploy', ...T, '--image', 'v2', '--image-from-role-arn', 'arn:aws:iam::222222222222:role/reader'], ExitCode.Usage, /--image-from-profile and --image-from-role-arn need --image-from/],
  ['--image-from-role-arn not a role ARN', ['deploy', ...T, '--image-from', 'staging', '--image-from-role-arn', 'arn:aws:iam::2222:user/x'], ExitCode.Usage, /--image-from-role-arn "arn:aws:iam::2222:user\/x" is not an IAM role ARN/],
  ['--image-from-profile not a profile name', ['deploy', ...T, '--image-from', 'staging', '--image-from-profile', 'two words'], ExitCode.Usage, /--image-from-profile "two words" is not a profile name/],
  ['--image-from-stack without --image-from', ['deploy', ...T, '--image', 'v2', '--image-from-stack', 'bgf-staging-api'], ExitCode.Usage, /--image-from-stack and --image-from-region need --image-from/],
  ['--image-from-region not a region', ['deploy', ...T, '--image-from', 'staging', '--image-from-region', 'tokyo'], ExitCode.Usage, /--image-from-region "tokyo" is not an AWS Region code/],
  ['--stack of another environment', ['deploy', ...T, '--image', 'v2', '--stack', 'bgf-production-api'], ExitCode.Usage, /--stack "bgf-production-api" is not a stack of --env dev/],
  ['--stack that is not a stack name', ['deploy', ...T, '--image', 'v2', '--stack', 'bgf_dev_api'], ExitCode.Usage, /--stack "bgf_dev_api" is not a CloudFormation stack name/],
  ['--stack starting with a digit', ['rollback', ...T, '--stack', '1bgf-dev-api'], ExitCode.Usage, /--stack "1bgf-dev-api" is not a CloudFormation stack name/],
  ['--role-arn not a role ARN', ['swap', ...T, '--role-arn', 'arn:aws:iam::123456789012:user/alice'], ExitCode.Usage, /--role-arn "arn:aws:iam::123456789012:user\/alice" is not an IAM role ARN/],
  ['--profile with a space', ['swap', ...T, '--profile', 'my ops'], ExitCode.Usage, /--profile "my ops" is not a profile name/],
  ['--account not 12 digits', ['deploy', ...T, '--image', 'v2', '--account', '12345'], ExitCode.Usage, /--account "12345" is not an AWS account id/],
  ['--region not a region', ['rollback', ...T, '--region', 'Tokyo'], ExitCode.Usage, /--region "Tokyo" is not an AWS Region code/],
  ['--region against a stack ARN in another region', ['status', '--stack', 'arn:aws:cloudformation:eu-west-1:123456789012:stack/bgf-dev-api/0a1b2c3d', '--region', 'ap-northeast-1'], ExitCode.Usage, /--region ap-northeast-1 disagrees with the stack ARN's region eu-west-1/],
  ['--account against a stack ARN of another account', ['status', '--stack', 'arn:aws:cloudformation:eu-west-1:123456789012:stack/bgf-dev-api/0a1b2c3d', '--account', '210987654321'], ExitCode.Usage, /--account 210987654321 disagrees with the stack ARN's account 123456789012/],
  ['no stack at all', ['status'], ExitCode.Usage, /--stack or --env with --service is required/],
  ['--parameter-prefix with a dash', ['swap', ...T, '--parameter-prefix', 'api-'], ExitCode.Usage, /--parameter-prefix "api-" is not a parameter prefix/],
  ['--env not an environment name', ['status', '--env', 'Dev', '--service', 'api'], ExitCode.Usage, /--env "Dev" is not an environment name/],
  ['--stack ARN of another environment', ['status', '--env', 'dev', '--stack', 'arn:aws:cloudformation:eu-west-1:123456789012:stack/bgf-staging-api/0a1b2c3d'], ExitCode.Usage, /--stack .* is not a stack of --env dev/],
  ['--service not a name', ['status', '--env', 'dev', '--service', 'API'], ExitCode.Usage, /--service "API" is not a service name/],
  ['--last zero', ['status', ...T, '--last', '0'], ExitCode.Usage, /--last must be at least 1, not 0/],
  ['--last not a number', ['status', ...T, '--last', 'five'], ExitCode.Usage, /--last must be an integer, not "five"/],
  ['--last a fraction', ['status', ...T, '--last', '2.5'], ExitCode.Usage, /--last must be an integer, not "2.5"/],
  ['--last too many', ['status', ...T, '--last', '1000'], ExitCode.Usage, /--last must be at most 100, not 1000/],
  ['--env missing (with --service)', ['rollback', '--service', 'api'], ExitCode.Usage, /--env is required too: give --env and --service together/],
  ['--service missing (with --env)', ['swap', '--env', 'dev'], ExitCode.Usage, /--service is required too: give --env and --service together/],
  ['an unknown option', ['rollback', ...T, '--force'], ExitCode.Usage, /unknown option '--force'/],
  ['--image without a value', ['deploy', ...T, '--image'], ExitCode.Usage, /option '--image <tag-or-digest>' argument missing/],
  ['promote a tag, not a digest', ['promote', '--service', 'api', '--image', 'v2', '--tag', 'prod'], ExitCode.Usage, /--image "v2" is not pinned by digest/],
  ['promote a bare digest without --repository or --env', ['promote', '--service', 'api', '--image', DIGEST, '--tag', 'prod'], ExitCode.Usage, /--image "sha256:a+" is a bare digest: add --repository, --stack or --env/],
  ['promote to an invalid tag', ['promote', '--service', 'api', '--image', REF, '--tag', '.prod'], ExitCode.Usage, /--tag ".prod" is not a valid image tag/],
  ['promote with a repository that is not ECR', ['promote', '--service', 'api', '--image', DIGEST, '--tag', 'prod', '--repository', 'docker.io/library/nginx'], ExitCode.Usage, /--repository "docker.io\/library\/nginx" is not <account>.dkr.ecr/],
];

describe('bad release-CLI invocations', () => {
  let aws: AwsModel;
  let stderr: string;
  beforeAll(() => {
    aws = devWorld();
  });
  afterAll(() => aws.restore());
  beforeEach(() => {
    stderr = '';
    process.exitCode = undefined;
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  test(`at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  test.each(CASES)('%s: exit %#', async (_name, argv, code, message) => {
    const before = aws.calls.length;
    expect({ code: await main(['node', 'bluegreen-fleet', ...argv]), stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
    expect(aws.calls.slice(before)).toEqual([]);
  });
});
