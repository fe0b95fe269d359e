import * as z from 'zod/mini';
import { COLORS } from './colors';

/**
 * The items of a service's release table (docs/contracts.md "Release state"). The CLI and the
 * Lambdas both write them, and an operator can edit the table: every item is parsed with these
 * schemas when it is read, never cast.
 */

const color = z.enum(COLORS as unknown as ['blue', 'green']);
const isoTime = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time'));

export const OUTCOMES = ['succeeded', 'rolled-back', 'aborted', 'auto-rolled-back'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const lockItemSchema = z.object({
  owner: z.string(),
  acquiredAt: z.string(),
  /** Epoch seconds; also the table's TTL attribute. */
  expiresAt: z.number(),
  command: z.string(),
  /** Identifies one holder process, so only it renews or releases the lock. */
  token: z.string(),
});
export type LockItem = Readonly<z.infer<typeof lockItemSchema>>;

/** What a release moves: from which fleet to which, and the image and AMI before and after. */
const releaseChange = {
  fromColor: color,
  toColor: color,
  oldImage: z.string(),
  newImage: z.string(),
  oldAmi: z.string(),
  newAmi: z.string(),
};

export const historyRecordSchema = z.object({
  /** ISO time; with `id` it forms the sort key, so writing the same record twice is a no-op. */
  at: isoTime,
  id: z.string(),
  service: z.string(),
  environment: z.string(),
  ...releaseChange,
  actor: z.string(),
  outcome: z.enum(OUTCOMES),
  detail: z.string(),
});
export type HistoryRecord = Readonly<z.infer<typeof historyRecordSchema>>;

export const windowItemSchema = z.object({
  previousColor: color,
  liveColor: color,
  swappedAt: isoTime,
  closesAt: isoTime,
  releaseId: z.string(),
  /** What the previous fleet ran at the swap: a rollback goes back to exactly this, or not at all. */
  previousImage: z.optional(z.string()),
  previousAmi: z.optional(z.string()),
  /** Set once traffic went back to `previousColor`'s fleet inside this window. */
  rolledBack: z.optional(z.boolean()),
  rolledBackAt: z.optional(isoTime),
  rolledBackBy: z.optional(z.string()),
  /**
   * Set once the rollback of this window is finished (traffic verified, history written, LiveColor
   * reconciled): a retried auto-rollback or a re-run of `rollback` resumes until then.
   */
  rollbackDoneAt: z.optional(isoTime),
  expiresAt: z.optional(z.number()),
});
export type WindowItem = Readonly<z.infer<typeof windowItemSchema>>;

export const pendingReleaseSchema = z.object({
  releaseId: z.string(),
  kind: z.enum(['deploy', 'swap']),
  ...releaseChange,
  startedAt: isoTime,
  /** From then on `cool-if-idle` no longer keeps the standby warm for it. */
  staleAt: z.optional(isoTime),
  actor: z.string(),
});
export type PendingRelease = Readonly<z.infer<typeof pendingReleaseSchema>>;

/**
 * The live fleet's scalable-target bounds, read just before a stack update moved `LiveColor` away
 * from it (src/release/capacity.ts).
 */
export const capacityCarrySchema = z.object({
  /** The move: a release id, or `<release id>.rollback`. */
  moveId: z.string(),
  fromColor: color,
  toColor: color,
  minTasks: z.int().check(z.minimum(0)),
  maxTasks: z.int().check(z.minimum(0)),
  readAt: isoTime,
});
export type CapacityCarry = Readonly<z.infer<typeof capacityCarrySchema>>;

/** Parses one item read from the table; the error names the item and the field. */
export function parseItem<T>(schema: z.ZodMiniType<T>, what: string, tableName: string, item: unknown): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`release table ${tableName}: the ${what} item is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}; fix or delete the item (docs/contracts.md)`);
}
