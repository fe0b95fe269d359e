import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, BuiltApp } from '../../lib/app';
import { selectEnvironments, SelectionInput } from '../../lib/config';
import context from '../../cdk.context.json';

/** The availability zones the app's accounts use, as recorded in cdk.context.json. */
export const CONTEXT: Record<string, unknown> = context;

/** An App with the committed context (AZs) and the project's feature flags. */
export function newApp(extraContext: Record<string, unknown> = {}, options: { outdir?: string } = {}): App {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const flags = require('../../cdk.json').context as Record<string, unknown>;
  return new App({ ...options, context: { ...flags, ...CONTEXT, ...extraContext } });
}

/** Builds the app exactly as bin/app.ts does, for a selection. */
export function buildTestApp(input: SelectionInput = {}): { app: App; built: BuiltApp } {
  const app = newApp();
  const built = buildApp(app, selectEnvironments(input));
  return { app, built };
}

/** A template as JSON with asset hashes replaced, so snapshots change only when the template does. */
export function scrubbed(template: Template): unknown {
  const text = JSON.stringify(template.toJSON())
    .replace(/[a-f0-9]{64}(\.zip|\.json)?/g, '<asset-hash>$1')
    .replace(/"cdk-[a-z0-9]{9}-/g, '"cdk-<qualifier>-');
  return JSON.parse(text);
}
