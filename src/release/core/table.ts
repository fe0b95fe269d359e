import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CapacityCarry,
  capacityCarrySchema,
  HistoryRecord,
  historyRecordSchema,
  LockItem,
  lockItemSchema,
  parseItem,
  PendingRelease,
  pendingReleaseSchema,
  WindowItem,
  windowItemSchema,
} from '../../../constructs/contract';

/**
 * The release table of one service stack (docs/contracts.md "Release state"): the lock, the
 * history, the rollback window and the release in flight. Shared by the CLI (which passes its
 * retrying `call`) and the Lambdas (which rely on the SDK's own retries).
 */

export type { CapacityCarry, HistoryRecord, LockItem, Outcome, PendingRelease, WindowItem } from '../../../constructs/contract';

export type Caller = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

const direct: Caller = (_operation, fn) => fn();

const LOCK = { pk: 'lock', sk: 'lock' };
const WINDOW = { pk: 'window', sk: 'current' };
const PENDING = { pk: 'release', sk: 'pending' };
const CARRY = { pk: 'capacity', sk: 'carry' };
const WINDOW_KEEP_SECONDS = 30 * 24 * 3600;

export function isConditionFailed(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string } };
  return e?.name === 'ConditionalCheckFailedException' || e?.cause?.name === 'ConditionalCheckFailedException';
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function isLockActive(lock: LockItem | undefined, now: Date): lock is LockItem {
  return lock !== undefined && lock.expiresAt >= epochSeconds(now);
}

export function isWindowOpen(window: WindowItem | undefined, now: Date): boolean {
  return window !== undefined && Date.parse(window.closesAt) > now.getTime();
}

export type LockAttempt = { readonly acquired: true; readonly lock: LockItem } | { readonly acquired: false; readonly holder?: LockItem };

export class ReleaseTable {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    public readonly tableName: string,
    private readonly call: Caller = direct,
  ) {}

  /** Takes the lock if it is free or expired (or unconditionally with `force`). */
  async acquireLock(lock: LockItem, now: Date, force = false): Promise<LockAttempt> {
    const condition = force
      ? {}
      : { ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now', ExpressionAttributeValues: { ':now': epochSeconds(now) } };
    const acquired = await this.conditional('PutItem (lock)', () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...LOCK, ...lock }, ...condition })),
    );
    return acquired ? { acquired: true, lock } : { acquired: false, holder: await this.readLock() };
  }

  /** Extends the lease; false when the lock is no longer ours (taken over). */
  async renewLock(token: string, expiresAt: number): Promise<boolean> {
    return this.conditional('UpdateItem (lock)', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LOCK,
          UpdateExpression: 'SET expiresAt = :e',
          ConditionExpression: '#token = :t',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':e': expiresAt, ':t': token },
        }),
      ),
    );
  }

  /** Deletes the lock if it is still ours; someone who took it over (or its expiry) keeps it. */
  async releaseLock(token: string): Promise<void> {
    await this.conditional('DeleteItem (lock)', () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: LOCK,
          ConditionExpression: '#token = :t',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':t': token },
        }),
      ),
    );
  }

  async readLock(): Promise<LockItem | undefined> {
    return this.parsed(lockItemSchema, LOCK, 'lock');
  }

  /** Writes a history record once; false when that record already exists (a re-run). */
  async putHistory(record: HistoryRecord): Promise<boolean> {
    return this.conditional('PutItem (history)', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'history', sk: `${record.at}#${record.id}`, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }


  /** The newest records first. */
  async listHistory(limit: number): Promise<HistoryRecord[]> {
    const out = await this.call('Query (history)', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'history' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map((item) => parseItem(historyRecordSchema, 'history', this.tableName, strip(item)));
  }

  async readWindow(): Promise<WindowItem | undefined> {
    return this.parsed(windowItemSchema, WINDOW, 'window');
  }

  async putWindow(window: WindowItem): Promise<void> {
    const expiresAt = Math.floor(Date.parse(window.closesAt) / 1000) + WINDOW_KEEP_SECONDS;
    await this.call('PutItem (window)', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...WINDOW, ...window, expiresAt } })));
  }

  /**
   * Marks the window of `releaseId` rolled back, once: false when it already was, or when the
   * window now belongs to another release. The Lambda and the CLI race here safely.
   */
  async markRolledBack(releaseId: string, by: string, at: Date): Promise<boolean> {
    return this.conditional('UpdateItem (window)', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: WINDOW,
          UpdateExpression: 'SET rolledBack = :true, rolledBackAt = :at, rolledBackBy = :by, liveColor = previousColor, previousColor = liveColor',
          ConditionExpression: 'releaseId = :id AND attribute_not_exists(rolledBack)',
          ExpressionAttributeValues: { ':true': true, ':at': at.toISOString(), ':by': by, ':id': releaseId },
        }),
      ),
    );
  }


  /** Marks the rollback of `releaseId`'s window finished (traffic verified, recorded, LiveColor reconciled). */
  async markRollbackDone(releaseId: string, at: Date): Promise<boolean> {
    return this.conditional('UpdateItem (window)', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: WINDOW,
          UpdateExpression: 'SET rollbackDoneAt = :at',
          ConditionExpression: 'releaseId = :id AND rolledBack = :true',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':id': releaseId, ':true': true },
        }),
      ),
    );
  }

  async readPending(): Promise<PendingRelease | undefined> {
    return this.parsed(pendingReleaseSchema, PENDING, 'pending release');
  }

  async putPending(pending: PendingRelease): Promise<void> {
    await this.call('PutItem (pending release)', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...PENDING, ...pending } })));
  }

  async deletePending(releaseId: string): Promise<void> {
    await this.conditional('DeleteItem (pending release)', () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: PENDING,
          ConditionExpression: 'releaseId = :id',
          ExpressionAttributeValues: { ':id': releaseId },
        }),
      ),
    );
  }


  async readCarry(): Promise<CapacityCarry | undefined> {
    return this.parsed(capacityCarrySchema, CARRY, 'capacity carry');
  }

  /** One item per stack: the last move's reading replaces the one before. */
  async putCarry(carry: CapacityCarry): Promise<void> {
    await this.call('PutItem (capacity carry)', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...CARRY, ...carry } })));
  }

  /** Runs a conditional write; false when its condition did not hold (not an error here). */
  private async conditional(what: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.call(what, send);
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  private async parsed<T>(schema: Parameters<typeof parseItem<T>>[0], key: { pk: string; sk: string }, what: string): Promise<T | undefined> {
    const item = await this.get(key, what);
    return item === undefined ? undefined : parseItem(schema, what, this.tableName, item);
  }

  private async get(key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.call(`GetItem (${what})`, () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return out.Item ? strip(out.Item) : undefined;
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'pk' && k !== 'sk'));
}
