import { existsSync, readFileSync } from 'node:fs';
import { configSchema, type ZoomlakeConfig } from './schema.ts';

/** The config file looked for when none is named. */
export const DEFAULT_CONFIG_FILE = 'zoomlake.config.json';

/** A configuration that cannot be read or does not fit the schema; the message names the field. */
export class ConfigError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed config object; throws ConfigError listing every bad field as `path.to.field: problem`. */
export function parseConfig(input: unknown, origin = 'config'): ZoomlakeConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `  ${[...at, key].join('.')}: unknown field`);
    }
    return [`  ${at.length > 0 ? at.join('.') : '(root)'}: ${issue.message}`];
  });
  throw new ConfigError(`invalid ${origin}:\n${lines.join('\n')}`);
}

/**
 * Loads and validates a config file. With no path, reads ./zoomlake.config.json when present, else uses the
 * built-in defaults.
 */
export function loadConfig(path?: string): ZoomlakeConfig {
  const file = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!file) return parseConfig({}, 'built-in defaults');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(parsed, `config file ${file}`);
}
