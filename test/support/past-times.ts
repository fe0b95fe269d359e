import * as fs from 'fs';
import * as path from 'path';

/**
 * Every file under `dir` stamped a minute ago (symbolic links left alone): the caches refuse
 * what was saved while they worked, so a fixture written just now would look saved during it.
 */
export function pastTimes(dir: string): void {
  const past = Date.now() / 1000 - 60;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) pastTimes(full);
    else if (!entry.isSymbolicLink()) fs.utimesSync(full, past, past);
  }
}
