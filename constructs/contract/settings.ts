import * as z from 'zod/mini';
import { RELEASE_SETTINGS_OUTPUT, RELEASE_SETTINGS_VERSION } from './settings-names';

/**
 * The release settings a service stack publishes (docs/contracts.md "Release settings"): one
 * versioned JSON document in the `<prefix>ReleaseSettings` output, written by ReleaseSupport from
 * its props and read by the release CLI, so a release needs nothing but the deployed stack.
 *
 * One JSON output rather than one output per setting: a stack may declare at most 200 outputs
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html,
 * "Outputs"), a service stack already has about 30, and a version field lets the CLI tell a stack
 * built by an older ReleaseSupport from a broken one. The quotas page gives no size for an output
 * value; assumed: at most 4,096 characters, the documented limit of a parameter value (same page).
 * ReleaseSupport refuses a document above it at synth; a typical one is about 400 characters.
 */

// The plain constants live in settings-names.ts, which has no zod: the construct library imports
// them, and its compiled code must not require zod (scripts/consumer-test.sh, test/constructs/package.test.ts).
export { RELEASE_SETTINGS_MAX_LENGTH, RELEASE_SETTINGS_OUTPUT, RELEASE_SETTINGS_VERSION } from './settings-names';

export const SCAN_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE'] as const;
export type ScanSeverityName = (typeof SCAN_SEVERITIES)[number];

export const ARCHITECTURES = ['arm64', 'x86_64'] as const;
export type ArchitectureName = (typeof ARCHITECTURES)[number];

const minutes = z.int().check(z.minimum(0));

export const releaseSettingsSchema = z.object({
  version: z.literal(RELEASE_SETTINGS_VERSION),
  /** Environment name: history records, the `<environment>-live` ECR pointer tag. */
  environment: z.string().check(z.minLength(1)),
  /** The service's name (`BlueGreenService.serviceName`). */
  service: z.string().check(z.minLength(1)),
  /** After a swap, how long the CLI watches the new live fleet's alarms (0: no bake). */
  bakeMinutes: minutes,
  /** After a swap, how long the previous fleet stays warm for a rollback. */
  rollbackWindowMinutes: z.int().check(z.minimum(1)),
  /** The service's release windows (pre-warm and duration), for `staleAt` and the pending expiry. */
  releaseWindows: z.array(z.object({ name: z.string(), prewarmMinutes: minutes, durationMinutes: minutes })),
  /** Images with scan findings at or above this severity are refused (`NONE`: any finding). */
  maxScanSeverity: z.enum(SCAN_SEVERITIES),
  /** A warning above this image size (MiB). */
  imageSizeBudgetMiB: z.number().check(z.minimum(1)),
  /** The smoke check's path through the test listener. */
  smokeCheckPath: z.string().check(z.startsWith('/')),
  /** Each fleet's CPU architecture (`--ami latest`), where the fleet's instance types tell it. */
  architectures: z.object({
    blue: z.optional(z.enum(ARCHITECTURES)),
    green: z.optional(z.enum(ARCHITECTURES)),
  }),
});
export type ReleaseSettings = Readonly<z.infer<typeof releaseSettingsSchema>>;

/**
 * Parses the settings output of a stack; the problem names the output and what to do. `raw` is
 * the output's value, undefined when the stack has no such output.
 */
export function parseReleaseSettings(raw: string | undefined, where: { stack: string; prefix: string }): ReleaseSettings | { readonly problem: string } {
  const name = `${where.prefix}${RELEASE_SETTINGS_OUTPUT}`;
  const redeploy = 'redeploy it with a current ReleaseSupport (bluegreen-fleet constructs), which publishes the release settings';
  if (raw === undefined || raw === '') return { problem: `stack ${where.stack} has no output ${name}: ${redeploy}` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { problem: `stack ${where.stack}: output ${name} is not JSON (${raw.slice(0, 60)}${raw.length > 60 ? '...' : ''}): ${redeploy}` };
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > RELEASE_SETTINGS_VERSION) {
    return { problem: `stack ${where.stack}: output ${name} is version ${version}, newer than this CLI reads (${RELEASE_SETTINGS_VERSION}): upgrade bluegreen-fleet` };
  }
  const parsed = releaseSettingsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { problem: `stack ${where.stack}: output ${name} is malformed (${issue.path.join('.') || '(root)'}: ${issue.message}): ${redeploy}` };
}
