import { Color } from '../contract/colors';

/**
 * One of a service's two fleets. The values are the strings of the `LiveColor` parameter and of
 * the contract's `Color` (constructs/contract/colors.ts), which the release CLI and the in-cloud
 * handlers use; an enum member can be passed wherever a `Color` is expected.
 */
export enum FleetColor {
  /** The blue fleet (construct id `Blue`); live after the first deploy. */
  BLUE = 'blue',
  /** The green fleet (construct id `Green`); the standby after the first deploy. */
  GREEN = 'green',
}

/** Both colors, blue first. */
export const FLEET_COLORS: readonly FleetColor[] = [FleetColor.BLUE, FleetColor.GREEN];

/** The enum member of a contract color. */
export function fleetColor(color: Color): FleetColor {
  return color === 'blue' ? FleetColor.BLUE : FleetColor.GREEN;
}
