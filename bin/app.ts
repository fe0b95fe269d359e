#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ConfigError, selectEnvironments } from '../lib/config';

const app = new App();
try {
  const selection = selectEnvironments({
    env: app.node.tryGetContext('env'),
    branch: app.node.tryGetContext('branch'),
  });
  buildApp(app, selection);
} catch (error) {
  if (error instanceof ConfigError) {
    // One readable line, no stack trace: the message names environment, field, value and rule.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
