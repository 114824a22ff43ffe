/**
 * The configuration as SQL views (DESIGN §9): detections join these instead of being templated, so a detection's
 * SQL pastes into the Athena console unchanged. The same SELECT becomes a Glue view at deploy time and a DuckDB
 * view locally.
 */

/** The configuration values the views carry (the fixed config keys). */
export interface DetectionSettings {
  readonly internalDomains: readonly string[];
  readonly sensitiveMeetingPatterns: readonly string[];
  readonly watchedUsers: readonly string[];
  readonly minClientVersion: string;
}

/** One config view: its name, its SELECT and its columns (Trino types). */
export interface ConfigView {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  readonly columns: readonly { readonly name: string; readonly type: 'varchar' | 'integer' }[];
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

function valuesView(name: string, description: string, column: string, values: readonly string[]): ConfigView {
  const columns = [{ name: column, type: 'varchar' as const }];
  const distinct = [...new Set(values)];
  const sql = distinct.length === 0
    ? `SELECT ${column} FROM (VALUES (CAST(NULL AS varchar))) AS t (${column}) WHERE ${column} IS NOT NULL`
    : `SELECT ${column} FROM (VALUES ${distinct.map((v) => `(${literal(v)})`).join(', ')}) AS t (${column})`;
  return { name, description, sql, columns };
}

/** The version as numbers: `6.0.2` -> [6, 0, 2]. */
function versionParts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return [major, minor, patch];
}

/** Every config view, in a fixed order. */
export function configViews(settings: DetectionSettings): ConfigView[] {
  const [major, minor, patch] = versionParts(settings.minClientVersion);
  return [
    valuesView('internal_domains', 'zoomlake config: email domains of the organisation (lower case).', 'domain',
      settings.internalDomains.map((d) => d.toLowerCase())),
    // Patterns are case-insensitive in the config; (?i) makes them so in Trino (Java) and DuckDB (RE2) alike.
    valuesView('sensitive_meeting_patterns', 'zoomlake config: case-insensitive regular expressions for sensitive meeting topics.', 'pattern',
      settings.sensitiveMeetingPatterns.map((p) => `(?i)${p}`)),
    valuesView('watched_users', 'zoomlake config: emails of executives and other high-value users (lower case).', 'email',
      settings.watchedUsers.map((e) => e.toLowerCase())),
    {
      name: 'min_client_version',
      description: 'zoomlake config: the oldest Zoom client version considered patched, whole and as numbers.',
      sql: `SELECT ${literal(settings.minClientVersion)} AS version, ${major} AS major, ${minor} AS minor, ${patch} AS patch`,
      columns: [
        { name: 'version', type: 'varchar' }, { name: 'major', type: 'integer' }, { name: 'minor', type: 'integer' }, { name: 'patch', type: 'integer' },
      ],
    },
  ];
}
