/**
 * The two fleets of a service. Shared by the constructs (parameter allowed values, outputs), the
 * release CLI and the in-cloud handlers. No aws-cdk-lib, no AWS SDK, no zod: the construct
 * library imports this file and must not gain a runtime dependency through it.
 */

export type Color = 'blue' | 'green';
export const COLORS: readonly Color[] = ['blue', 'green'];

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

export function isColor(value: unknown): value is Color {
  return value === 'blue' || value === 'green';
}

/** `Blue` / `Green`: the spelling inside parameter and output names. */
export function titleCase(color: Color): 'Blue' | 'Green' {
  return color === 'blue' ? 'Blue' : 'Green';
}
