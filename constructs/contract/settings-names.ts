/**
 * The release settings output's name, version and size limit (docs/contracts.md "Release
 * settings"; why one JSON output and where the limit comes from: settings.ts). Kept apart from the
 * zod schema in settings.ts so that the construct library, which writes the document, imports no
 * zod at run time.
 */

export const RELEASE_SETTINGS_OUTPUT = 'ReleaseSettings';
export const RELEASE_SETTINGS_VERSION = 1;
/** assumed: at most 4,096 characters (see settings.ts). */
export const RELEASE_SETTINGS_MAX_LENGTH = 4096;
