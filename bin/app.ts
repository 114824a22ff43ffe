#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '#config/load.ts';
import type { ZoomlakeConfig } from '#config/schema.ts';
import { DetectionDefinitionError } from '#core/detect/detection.ts';
import { buildApp } from '../lib/app.ts';
import { applyNagChecks } from '../lib/nag/checks.ts';

const app = new App();
const contextConfig: unknown = app.node.tryGetContext('config');

let config: ZoomlakeConfig;
try {
  config = loadConfig(process.env.ZOOMLAKE_CONFIG ?? (typeof contextConfig === 'string' ? contextConfig : undefined));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`zoomlake: ${error.message}\n`);
  process.exit(1);
}

try {
  buildApp(config, app);
} catch (error) {
  // An invalid detection.yml, or a config a construct cannot deploy: the message names the detection or the setting;
  // a stack trace would bury it.
  if (!(error instanceof DetectionDefinitionError || error instanceof ConfigError)) throw error;
  process.stderr.write(`zoomlake: ${error.message}\n`);
  process.exit(1);
}
applyNagChecks(app);
