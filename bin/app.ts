#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ConfigError, selectEnvironments } from '../lib/config';

/**
 * Picks the environments from `-c env=<name>` (and `-c branch=<name>`) and builds them. A config
 * mistake ends the process with one readable line, not a stack trace.
 */
export function main(app: App, fail: (message: string) => never): App {
  try {
    const selection = selectEnvironments({
      env: app.node.tryGetContext('env'),
      branch: app.node.tryGetContext('branch'),
      otherBranches: app.node.tryGetContext('branches'),
    });
    buildApp(app, selection);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    // A construct refusing a value (e.g. "ScheduledCapacity: ...") is a configuration mistake
    // too: say it in one line; BGF_DEBUG=1 shows where it came from.
    if (error instanceof Error && !process.env.BGF_DEBUG) fail(`synth error: ${error.message.split('\n')[0]} (BGF_DEBUG=1 shows the stack trace)`);
    throw error;
  }
  return app;
}

/** Builds and synthesizes the app as the CDK CLI runs it (scripts/app.js calls this). */
export function run(): void {
  main(new App(), (message) => {
    console.error(message);
    process.exit(1);
  }).synth();
}

if (require.main === module) run();
