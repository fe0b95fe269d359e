import { spawnSync } from 'child_process';
import * as os from 'os';
import { branchNameProblem } from '../../../lib/config';

/** The branch-name rules agree with git itself, name by name. */
const NAMES = [
  'main', 'feature/login', 'Feature/Login_Page', 'fix-123', 'release/2026.12', 'a.b', 'a@b', '@', 'é-unicode', 'x/y/z', 'refs/heads/x',
  'a..b', '.hidden', 'a/.b', 'x.lock', 'a/b.lock/c', 'a.lock/b', 'has space', 'tab\tname', 'nl\nname', 'del\x7fname', 'ctl\x01name',
  'tilde~1', 'caret^', 'co:lon', 'what?', 'star*', 'br[1]', 'back\\slash', '/lead', 'trail/', 'dou//ble', 'end.', 'a/b.', 'at@{x}', '@{',
  '-dash', 'HEAD', 'feature/HEAD', 'lock.lockx', '.', '..', 'a/./b', 'x..', 'ends.lock',
];

function gitAccepts(name: string): boolean {
  const r = spawnSync('git', ['check-ref-format', '--branch', name], { cwd: os.tmpdir(), encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0;
}

describe('branch names against git check-ref-format --branch', () => {
  test.each(NAMES.map((name) => ({ name, shown: JSON.stringify(name) })))('$shown', ({ name }) => {
    expect({ name, accepted: branchNameProblem(name) === undefined }).toEqual({ name, accepted: gitAccepts(name) });
  });

  test('both accept and refuse something in the list', () => {
    const verdicts = new Set(NAMES.map(gitAccepts));
    expect(verdicts).toEqual(new Set([true, false]));
  });
});
