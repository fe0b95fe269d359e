import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createPrivateWorkspace } from '../../src/build/workspace';

describe('createPrivateWorkspace', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgf-ws-test-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('GIVEN a loose umask THEN the directory is still 0700 and each file 0600', async () => {
    const previous = process.umask(0o000);
    try {
      const ws = await createPrivateWorkspace(root);
      const file = await ws.writeSecret('token', Buffer.from('value'));
      expect(fs.statSync(ws.dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file, 'utf8')).toBe('value');
      ws.remove();
    } finally {
      process.umask(previous);
    }
  });

  test('tmpRoot defaults to the OS temp directory', async () => {
    const ws = await createPrivateWorkspace();
    try {
      expect(path.dirname(ws.dir)).toBe(os.tmpdir());
    } finally {
      ws.remove();
    }
  });

  test('a file that already exists is never reused (no following a planted link)', async () => {
    const ws = await createPrivateWorkspace(root);
    fs.symlinkSync('/etc/hostname', path.join(ws.dir, 'token'));
    await expect(ws.writeSecret('token', Buffer.from('value'))).rejects.toThrow(/EEXIST/);
    ws.remove();
  });

  test('remove deletes everything and can be called again', async () => {
    const ws = await createPrivateWorkspace(root);
    await ws.writeSecret('a', Buffer.from('1'));
    ws.remove();
    ws.remove();
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test.each(['../x', 'a/b', '', '.hidden'])('secret id %j is refused as a file name', async (id) => {
    const ws = await createPrivateWorkspace(root);
    await expect(ws.writeSecret(id, Buffer.from('v'))).rejects.toThrow(/build secret id/);
    expect(fs.readdirSync(ws.dir)).toEqual([]);
    ws.remove();
  });
});
