import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ReleaseContext } from '../runtime/context';
import { ExitCode, ReleaseError } from '../core/outcome';
import { epochSeconds, LockItem, ReleaseTable } from '../core/table';

/** Who a release runs as, for the lock and the history: a CI run or a person at a host. */
export function actorName(env: NodeJS.ProcessEnv = process.env, host: string = hostname()): string {
  if (env.GITHUB_ACTOR) return env.GITHUB_RUN_ID ? `${env.GITHUB_ACTOR}@github-run-${env.GITHUB_RUN_ID}` : `${env.GITHUB_ACTOR}@github`;
  return `${env.USER ?? env.USERNAME ?? 'unknown'}@${host}`;
}

export interface HeldLock {
  /** The lock as last written: its expiry is the last renewal's. */
  readonly item: LockItem;
  /** Extends the lease; throws when someone took the lock over. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Take the lock even when another release holds it (that release is known to be dead). */
  readonly breakLock?: boolean;
}

/**
 * One release per service at a time: a conditional put on the release table. A held lock
 * refuses with its owner and since when; an expired one is taken over.
 */
export async function acquireLock(ctx: ReleaseContext, table: ReleaseTable, command: string, options: LockOptions = {}): Promise<HeldLock> {
  const now = ctx.clock.now();
  const lease = ctx.timings.lockLeaseSeconds;
  const item: LockItem = {
    owner: ctx.actor,
    acquiredAt: now.toISOString(),
    expiresAt: epochSeconds(now) + lease,
    command,
    token: randomUUID(),
  };
  const attempt = await table.acquireLock(item, now, options.breakLock);
  if (!attempt.acquired) {
    const h = attempt.holder;
    const who = h ? `${h.owner} since ${h.acquiredAt} (${h.command}; lease until ${new Date(h.expiresAt * 1000).toISOString()})` : 'another release (it just finished; re-run)';
    throw new ReleaseError(ExitCode.Refused, `another release holds the lock of ${table.tableName}: ${who}. Wait for it; if that run is dead, re-run with --break-lock.`, {
      lockedBy: h?.owner,
      lockedSince: h?.acquiredAt,
    });
  }
  if (options.breakLock) ctx.reporter.warn(`took the release lock by force (--break-lock)`);
  // The lock as the table holds it: each renewal moves its expiry, which a warning that the
  // lock could not be released then names.
  let current = item;
  return {
    get item() {
      return current;
    },
    renew: async () => {
      const expiresAt = epochSeconds(ctx.clock.now()) + lease;
      const ok = await table.renewLock(item.token, expiresAt);
      if (!ok) {
        const holder = await table.readLock();
        throw new ReleaseError(ExitCode.Refused, `the release lock was taken over by ${holder?.owner ?? 'someone'}; stopping here`);
      }
      current = { ...current, expiresAt };
    },
    release: () => table.releaseLock(item.token),
  };
}
