import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ENVIRONMENTS } from '../../lib/config';

/**
 * The workflows are part of the trust model (docs/threat-model.md): these tests pin who runs
 * which code with which identity.
 */

const DIR = path.join(__dirname, '../../.github/workflows');

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { permissions?: Record<string, string> | string; environment?: string; concurrency?: { group: string; 'cancel-in-progress'?: boolean; queue?: string }; steps?: Step[]; needs?: string | string[]; if?: string; strategy?: unknown }
interface Workflow { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> }

const load = (file: string): Workflow => parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const assumesRole = (job: Job) => (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
const idToken = (job: Job) => typeof job.permissions === 'object' && job.permissions['id-token'] === 'write';
const runsRepositoryCode = (job: Job) => (job.steps ?? []).some((s) => s.uses?.startsWith('actions/checkout') || /\b(npm|npx|node)\b/.test(s.run ?? ''));

describe('every workflow', () => {
  test.each(files)('%s: a job gets an OIDC token only when it assumes a role, and no workflow-level grant widens the jobs', (file) => {
    const wf = load(file);
    expect(JSON.stringify(wf.permissions ?? {})).not.toMatch(/write/);
    for (const [name, job] of Object.entries(wf.jobs)) expect({ name, idToken: idToken(job) }).toEqual({ name, idToken: assumesRole(job) });
  });

  test.each(files)('%s: no expression is pasted into a script (inputs and event data reach run steps through env only)', (file) => {
    for (const job of Object.values(load(file).jobs)) {
      for (const step of job.steps ?? []) expect(step.run ?? '').not.toMatch(/\$\{\{/);
    }
  });

  test.each(files)('%s: checkouts keep no token in .git/config', (file) => {
    for (const job of Object.values(load(file).jobs)) {
      for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/checkout'))) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });
});

describe('the pull-request diff: untrusted code without credentials, live state from trusted code', () => {
  test('pr-synth runs the pull request\'s code with a read-only token and no AWS identity', () => {
    const wf = load('pr-synth.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    for (const job of Object.values(wf.jobs)) {
      expect(job.permissions).toEqual({ contents: 'read' });
      expect(assumesRole(job)).toBe(false);
    }
  });

  test('pr-diff runs on workflow_run only (the default branch\'s file and code), never on pull_request or pull_request_target', () => {
    const wf = load('pr-diff.yml');
    expect(wf.on).toEqual({ workflow_run: { workflows: ['pr-synth'], types: ['completed'] } });
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs)) {
      for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/checkout'))) expect(step.with?.ref).toBeUndefined();
    }
  });

  test('the only job with AWS credentials runs no repository code and assumes the live-state role; the jobs that read the pull request\'s templates have none', () => {
    const wf = load('pr-diff.yml');
    const withCredentials = Object.entries(wf.jobs).filter(([, job]) => assumesRole(job)).map(([name]) => name);
    expect(withCredentials).toEqual(['live-state']);
    const live = wf.jobs['live-state'];
    expect(runsRepositoryCode(live)).toBe(false);
    const configure = live.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(configure.with?.['role-to-assume']).toMatch(/:role\/bgf-ci-live-state-\$\{\{ matrix\.environment\.name \}\}$/);
    const diff = wf.jobs.diff;
    expect(idToken(diff)).toBe(false);
    const command = diff.steps!.map((s) => s.run ?? '').find((r) => r.includes('npm run diff'))!;
    expect(command).toMatch(/--head-assembly head\.out/);
    expect(command).toMatch(/--live-state live-state\.json/);
    expect(command).toMatch(/--base-ref "\$BASE_SHA"/);
  });

  test('the pull request number from the artifact is checked against the API before it is used', () => {
    const script = load('pr-diff.yml').jobs.context.steps!.map((s) => s.run ?? '').join('\n');
    expect(script).toMatch(/\^\[0-9\]\{1,9\}\$/);
    expect(script).toMatch(/\.head\.sha.*HEAD_SHA/);
  });
});

describe('cdk deploy and releases', () => {
  const deploy = load('deploy.yml');
  const release = load('release.yml');

  test('each deploy job deploys only its environment\'s bgf-<env>-* stacks (never the CI stack with its own roles)', () => {
    for (const [name, job] of Object.entries(deploy.jobs).filter(([, j]) => assumesRole(j))) {
      const command = job.steps!.map((s) => s.run ?? '').find((r) => r.includes('cdk deploy'))!;
      expect(command).toContain(`npx cdk deploy 'bgf-${name}-*' -c env=${name} `);
      expect(command).not.toMatch(/--all|bgf-ci-/);
      expect(job.environment).toBe(name);
    }
  });

  test('the release runs the CLI through its package bin after npm ci, with no build step that could leave a stale dist/', () => {
    const runs = release.jobs.release.steps!.map((s) => s.run ?? '');
    expect(runs.filter((r) => /npx --no-install bluegreen-fleet "\$\{args\[@\]\}"/.test(r))).toHaveLength(1);
    expect(runs.join('\n')).not.toMatch(/npm run build|dist\/src\/cli/);
    expect(runs).toContain('npm ci --no-audit --no-fund');
  });

  test('a cdk deploy and a release of one environment share a concurrency group that queues and never cancels (issue 11 item 9)', () => {
    for (const [name, job] of Object.entries(deploy.jobs).filter(([, j]) => assumesRole(j))) {
      expect(job.concurrency).toEqual({ group: `bgf-environment-${name}`, 'cancel-in-progress': false, queue: 'max' });
    }
    expect(release.jobs.release.concurrency).toEqual({ group: 'bgf-environment-${{ inputs.environment }}', 'cancel-in-progress': false, queue: 'max' });
    expect(release.jobs.release.environment).toBe('${{ inputs.environment }}');
    const choices = (release.on.workflow_dispatch as { inputs: { environment: { options: string[] } } }).inputs.environment.options;
    expect(choices.sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
  });

  test('deploy and release assume the roles of their GitHub environment (environment variables), which trust deploy.yml and release.yml', () => {
    for (const job of [...Object.values(deploy.jobs), release.jobs.release].filter(assumesRole)) {
      const configure = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
      expect(configure.with?.['role-to-assume']).toMatch(/^\$\{\{ vars\.(DEPLOY|RELEASE)_ROLE_ARN \}\}$/);
    }
    expect(fs.existsSync(path.join(DIR, 'deploy.yml')) && fs.existsSync(path.join(DIR, 'release.yml')) && fs.existsSync(path.join(DIR, 'pr-diff.yml'))).toBe(true);
  });
});
