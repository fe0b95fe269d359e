import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { removeTemporaryFolders, temporaryFolder } from './fixtures';

/**
 * Bad `bluegreen-fleet diff` invocations, through the CLI as a user types them: each is refused
 * before anything is synthesized or read outside the assemblies, with the exit code (1 a refused
 * value, 2 a usage error) and a message that names the option at fault.
 */

/** A one-stack cloud assembly written by hand; `artifact` overrides the stack's manifest entry. */
function assembly(artifact: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const dir = temporaryFolder('bgf-diff-bad-');
  const stack = { type: 'aws:cloudformation:stack', environment: 'aws://123456789012/ap-northeast-1', properties: { templateFile: 'bgf-dev-api.template.json' }, ...artifact };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { 'bgf-dev-api': stack } }));
  fs.writeFileSync(path.join(dir, 'bgf-dev-api.template.json'), JSON.stringify({ Resources: {} }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('bad bluegreen-fleet diff invocations', () => {
  let good: string;
  let outside: string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    good = assembly();
    // A readable template outside every assembly: a traversal must be refused, not merely fail.
    outside = path.join(temporaryFolder('bgf-diff-outside-'), 'secret.template.json');
    fs.writeFileSync(outside, JSON.stringify({ Resources: { Leaked: { Type: 'AWS::SNS::Topic' } } }));
    for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_SESSION_TOKEN']) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
    removeTemporaryFolders();
  });

  async function run(args: string[]): Promise<{ code: number; output: string }> {
    const output: string[] = [];
    const capture = (chunk: unknown) => (output.push(String(chunk)), true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    const log = jest.spyOn(console, 'error').mockImplementation((...m: unknown[]) => void output.push(m.join(' ')));
    try {
      process.exitCode = undefined;
      const code = await main(['node', 'bluegreen-fleet', 'diff', ...args]);
      return { code, output: output.join('') };
    } finally {
      process.exitCode = undefined;
      out.mockRestore();
      err.mockRestore();
      log.mockRestore();
    }
  }

  const cases: Array<[string, () => string[], number, RegExp]> = [
    ['a base ref that names nothing', () => ['--base-ref', 'no-such-branch-xyz', '--head-assembly', good], 1, /--base-ref "no-such-branch-xyz" is not a commit/],
    ['a base ref that is a tree, not a commit', () => ['--base-ref', 'HEAD^{tree}', '--head-assembly', good], 1, /--base-ref "HEAD\^\{tree\}" is not a commit/],
    ['a base ref shaped like a git option', () => ['--base-ref=--output=/tmp/x', '--head-assembly', good], 1, /--base-ref "--output=\/tmp\/x" is not a git ref/],
    ['a base ref with a space', () => ['--base-ref', 'main branch', '--head-assembly', good], 1, /--base-ref "main branch" is not a git ref/],
    ['a base ref far beyond history', () => ['--base-ref', 'HEAD~999999', '--head-assembly', good], 1, /--base-ref "HEAD~999999" is not a commit/],
    ['both a base ref and a base assembly', () => ['--base-ref', 'HEAD', '--base-assembly', good, '--head-assembly', good], 1, /either --base-ref or --base-assembly/],
    ['--deployed with a base ref', () => ['--deployed', '--base-ref', 'HEAD'], 1, /--deployed .*cannot be combined with --base-ref/],
    ['--deployed without credentials', () => ['--deployed', '--head-assembly', good], 1, /--deployed needs AWS credentials/],
    ['an unknown format', () => ['--format', 'html', '--base-assembly', good, '--head-assembly', good], 1, /--format must be text, markdown or json, not "html"/],
    ['a context entry without a value', () => ['-c', 'production', '--base-assembly', good, '--head-assembly', good], 1, /--context "production" must be key=value/],
    ['a base assembly that does not exist', () => ['--base-assembly', '/nonexistent/cdk.out', '--head-assembly', good], 1, /--base-assembly \/nonexistent\/cdk\.out: .*manifest\.json is missing/],
    ['a template path that climbs out of the assembly', () => ['--base-assembly', good, '--head-assembly', assembly({ properties: { templateFile: path.relative(good, outside).replace(/^[^/]+/, '..') } })], 1, /--head-assembly .*templateFile ".*secret\.template\.json" points outside the assembly directory/],
    ['an absolute template path', () => ['--base-assembly', assembly({ properties: { templateFile: outside } }), '--head-assembly', good], 1, /--base-assembly .*templateFile ".*secret\.template\.json" points outside the assembly directory/],
    ['a template that is a symbolic link out of the assembly', () => {
      const dir = assembly({ properties: { templateFile: 'linked.template.json' } });
      fs.symlinkSync(outside, path.join(dir, 'linked.template.json'));
      return ['--base-assembly', good, '--head-assembly', dir];
    }, 1, /--head-assembly .*templateFile "linked\.template\.json" points outside the assembly directory/],
    ['a nested assembly outside the assembly', () => ['--base-assembly', good, '--head-assembly', assembly({ type: 'cdk:cloud-assembly', properties: { directoryName: '..' } })], 1, /--head-assembly .*directoryName "\.\." points outside the assembly directory/],
    ['a metadata file outside the assembly', () => ['--base-assembly', good, '--head-assembly', assembly({ additionalMetadataFile: '../../metadata.json' })], 1, /--head-assembly .*additionalMetadataFile "\.\.\/\.\.\/metadata\.json" points outside/],
    ['a base ref option without its value', () => ['--head-assembly', good, '--base-ref'], 2, /option '--base-ref <ref>' argument missing/],
    ['an unknown option', () => ['--base-commit', 'HEAD'], 2, /unknown option '--base-commit'/],
  ];

  test.each(cases)('%s is refused, naming the option', async (_name, args, code, message) => {
    const result = await run(args());
    expect({ code: result.code, named: message.test(result.output) }).toEqual({ code, named: true });
    // Nothing was read from outside: the leaked resource's name never reaches the output.
    expect(result.output).not.toMatch(/Leaked/);
  });

  test('a well-formed pair of assemblies still diffs (exit 0), so the refusals above are not blanket', async () => {
    const result = await run(['--base-assembly', good, '--head-assembly', good, '--no-live-color']);
    expect(result.code).toBe(0);
  });
});
