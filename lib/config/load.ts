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

/** Config fields that became detection parameters (`detections.<id>.parameters.<name>`), and where they went. */
const MOVED: Readonly<Record<string, string>> = {
  'realtime.burstParticipantsPerMinute':
    'removed: a join burst counts distinct IPs only (detections.zoom.participant.join_burst_many_ips.parameters.min_ips)',
  'realtime.burstIpsPerMinute': 'moved to detections.zoom.participant.join_burst_many_ips.parameters.min_ips (distinct IPs within window_minutes)',
  'correlation.dataAccessWindowMinutes': 'moved to detections.zoom.correlation.host_data_access_after_external_meeting.parameters.window_minutes',
};

/** Validates a parsed config object; throws ConfigError listing every bad field as `path.to.field: problem`. */
export function parseConfig(input: unknown, origin = 'config'): ZoomlakeConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const field = [...at, key].join('.');
        return `  ${field}: ${MOVED[field] ?? 'unknown field'}`;
      });
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
