import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A directory only the current user can enter (0700), holding one file per build secret (0600),
 * removed in one synchronous call so it can also run from a signal handler.
 */
export interface PrivateWorkspace {
  readonly dir: string;
  /** Writes a secret to `<dir>/<id>` with mode 0600 and returns the path. */
  writeSecret(id: string, value: Uint8Array): Promise<string>;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

export async function createPrivateWorkspace(root: string = os.tmpdir()): Promise<PrivateWorkspace> {
  const dir = await fs.promises.mkdtemp(path.join(root, 'bgf-build-'));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    fs.rmSync(dir, { recursive: true, force: true });
    removed = true;
  };
  try {
    // mkdtemp already creates 0700 on POSIX; set it explicitly so no umask or platform differs.
    await fs.promises.chmod(dir, 0o700);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    dir,
    remove,
    async writeSecret(id: string, value: Uint8Array): Promise<string> {
      if (!SECRET_ID.test(id)) throw new Error(`build secret id "${id}" must be letters, digits, ".", "_" or "-" (it is also a file name)`);
      const file = path.join(dir, id);
      // 'wx': fail rather than follow or reuse anything that already sits at the path.
      const handle = await fs.promises.open(file, 'wx', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(value);
      } finally {
        await handle.close();
      }
      return file;
    },
  };
}
