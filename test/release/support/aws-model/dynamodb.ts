/**
 * A DynamoDB table in memory that understands the condition and update expressions the release
 * table uses (attribute_exists/not_exists, comparisons, AND/OR, SET a = :v / a = b).
 */

type Item = Record<string, unknown>;

export interface ExpressionInput {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

export class ConditionalCheckFailed extends Error {
  override readonly name = 'ConditionalCheckFailedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  constructor() {
    super('The conditional request failed');
  }
}

function operand(token: string, item: Item | undefined, input: ExpressionInput): unknown {
  const t = token.trim();
  if (t.startsWith(':')) return input.ExpressionAttributeValues?.[t];
  const name = t.startsWith('#') ? input.ExpressionAttributeNames?.[t] ?? t : t;
  return item?.[name];
}

function attributeName(token: string, input: ExpressionInput): string {
  const t = token.trim();
  return t.startsWith('#') ? input.ExpressionAttributeNames?.[t] ?? t : t;
}

function atom(text: string, item: Item | undefined, input: ExpressionInput): boolean {
  const t = text.trim();
  let m = /^attribute_not_exists\((.+)\)$/.exec(t);
  if (m) return item === undefined || item[attributeName(m[1], input)] === undefined;
  m = /^attribute_exists\((.+)\)$/.exec(t);
  if (m) return item !== undefined && item[attributeName(m[1], input)] !== undefined;
  m = /^(\S+)\s*(=|<>|<=|>=|<|>)\s*(\S+)$/.exec(t);
  if (!m) throw new Error(`fake DynamoDB cannot parse condition "${t}"`);
  const a = operand(m[1], item, input) as number | string;
  const b = operand(m[3], item, input) as number | string;
  if (a === undefined || b === undefined) return false;
  switch (m[2]) {
    case '=':
      return a === b;
    case '<>':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    default:
      return a >= b;
  }
}

export function conditionHolds(item: Item | undefined, input: ExpressionInput): boolean {
  if (!input.ConditionExpression) return true;
  return input.ConditionExpression.split(/\s+OR\s+/).some((clause) => clause.split(/\s+AND\s+/).every((a) => atom(a, item, input)));
}

export class FakeTable {
  readonly items = new Map<string, Item>();

  private key(k: { pk: unknown; sk: unknown }): string {
    return `${String(k.pk)}|${String(k.sk)}`;
  }

  get(key: { pk: unknown; sk: unknown }): Item | undefined {
    const item = this.items.get(this.key(key));
    return item ? structuredClone(item) : undefined;
  }

  put(item: Item, input: ExpressionInput): void {
    const existing = this.items.get(this.key(item as { pk: unknown; sk: unknown }));
    if (!conditionHolds(existing, input)) throw new ConditionalCheckFailed();
    this.items.set(this.key(item as { pk: unknown; sk: unknown }), structuredClone(item));
  }

  delete(key: { pk: unknown; sk: unknown }, input: ExpressionInput): void {
    if (!conditionHolds(this.items.get(this.key(key)), input)) throw new ConditionalCheckFailed();
    this.items.delete(this.key(key));
  }

  update(key: { pk: unknown; sk: unknown }, updateExpression: string, input: ExpressionInput): void {
    const existing = this.items.get(this.key(key));
    if (!conditionHolds(existing, input)) throw new ConditionalCheckFailed();
    const old: Item = { ...(existing ?? key) };
    const next: Item = { ...old };
    const m = /^SET\s+(.+)$/.exec(updateExpression.trim());
    if (!m) throw new Error(`fake DynamoDB supports SET only: "${updateExpression}"`);
    for (const assignment of m[1].split(',')) {
      const [left, right] = assignment.split('=').map((s) => s.trim());
      // Right-hand sides read the item as it was before this update (DynamoDB semantics).
      next[attributeName(left, input)] = operand(right, old, input);
    }
    this.items.set(this.key(key), next);
  }

  query(pk: unknown, forward: boolean, limit?: number): Item[] {
    const rows = [...this.items.values()].filter((i) => i.pk === pk).sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    if (!forward) rows.reverse();
    return structuredClone(limit ? rows.slice(0, limit) : rows);
  }
}
