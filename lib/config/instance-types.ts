import table from '../../data/ec2-instance-types.json';

/**
 * Every EC2 instance type, from data/ec2-instance-types.json (made by
 * scripts/ec2-instance-types.js; its `source` and `asOf` say from what and when).
 */

export type Architecture = 'x86_64' | 'arm64' | 'x86_64_mac' | 'arm64_mac';

export interface InstanceTypeInfo {
  readonly arch: Architecture;
  /** Unset where the table has no specification for the type (see the script's header). */
  readonly vcpu?: number;
  readonly memoryMiB?: number;
  readonly maxEnis?: number;
}

const TYPES = table.types as unknown as Readonly<Record<string, InstanceTypeInfo>>;

export const INSTANCE_TABLE_SOURCE = { source: table.source, asOf: table.asOf };

export function instanceType(name: string): InstanceTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(TYPES, name) ? TYPES[name] : undefined;
}

export function allInstanceTypes(): readonly string[] {
  return Object.keys(TYPES);
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length];
}

/** The closest known type names (at most three, within two edits), for an error message. */
export function closestInstanceTypes(name: string): string[] {
  const lower = name.toLowerCase();
  return allInstanceTypes()
    .map((t) => ({ t, d: distance(lower, t) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d || x.t.localeCompare(y.t))
    .slice(0, 3)
    .map((x) => x.t);
}
