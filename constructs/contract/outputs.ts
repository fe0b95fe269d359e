import * as z from 'zod/mini';
import { Color } from './colors';
import { FLEET_OUTPUTS, fleetOutput } from './names';

/**
 * A fleet as the stack's outputs describe it. DescribeStacks answers are parsed with this schema,
 * so a stack that is not (or no longer) a bluegreen-fleet service stack fails with the output
 * named, not later with `undefined` in an API call.
 */
export const fleetOutputsSchema = z.object({
  targetGroupArn: z.string().check(z.minLength(1)),
  clusterName: z.string().check(z.minLength(1)),
  serviceName: z.string().check(z.minLength(1)),
  autoScalingGroupName: z.optional(z.string()),
  alarmNames: z.optional(z.string()),
});
export type FleetOutputs = z.infer<typeof fleetOutputsSchema>;

/** Reads one fleet's outputs from `outputs` (full keys) and parses them; the error names the output. */
export function parseFleetOutputs(outputs: Readonly<Record<string, string>>, prefix: string, color: Color): FleetOutputs | { readonly problem: string } {
  const raw = Object.fromEntries(
    (Object.entries(FLEET_OUTPUTS) as [keyof typeof FLEET_OUTPUTS, (typeof FLEET_OUTPUTS)[keyof typeof FLEET_OUTPUTS]][]).map(([field, suffix]) => [
      field,
      outputs[`${prefix}${fleetOutput(color, suffix)}`] || undefined,
    ]),
  );
  const parsed = fleetOutputsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path[0] as keyof typeof FLEET_OUTPUTS;
  return { problem: `output ${prefix}${fleetOutput(color, FLEET_OUTPUTS[field])} ${raw[field] === undefined ? 'is missing' : `is invalid (${issue.message})`}` };
}
