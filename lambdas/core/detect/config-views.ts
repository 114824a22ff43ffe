/**
 * The configuration as SQL views (DESIGN §9): detections join these instead of being templated, so a detection's
 * SQL pastes into the Athena console unchanged. The same SELECT becomes a Glue view at deploy time and a DuckDB
 * view locally.
 */

import { compileSupportNames, lookalikeKeys } from '../realtime/impersonation.ts';
import type { Detection } from './detection.ts';
import { countryCodesView, idpSigninsView, type IdentitySource } from './identity-view.ts';

/** The configuration values the views carry (the fixed config keys). */
export interface DetectionSettings {
  readonly internalDomains: readonly string[];
  readonly sensitiveMeetingPatterns: readonly string[];
  readonly watchedUsers: readonly string[];
  /** Emails and domains of outside people expected in sensitive meetings (config `trustedExternals`); none by default. */
  readonly trustedExternals?: readonly string[] | undefined;
  readonly minClientVersion: string;
  /** The identity-provider sign-ins table and its columns (config `identity`); none makes `idp_signins` empty. */
  readonly identity?: IdentitySource | undefined;
  readonly supportNames: readonly string[];
}

/** One config view: its name, its SELECT and its columns (Trino types). */
export interface ConfigView {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  readonly columns: readonly { readonly name: string; readonly type: 'varchar' | 'integer' | 'bigint' | 'boolean' | 'timestamp' }[];
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Rows of a view from literal rows (an empty view of the same columns when there are none). */
function rowsView(name: string, description: string, columns: ConfigView['columns'], rows: readonly string[]): ConfigView {
  const names = columns.map((c) => c.name).join(', ');
  const sql =
    rows.length === 0
      ? `SELECT ${names} FROM (VALUES (${columns.map((c) => `CAST(NULL AS ${c.type})`).join(', ')})) AS t (${names}) WHERE ${columns[0]!.name} IS NOT NULL`
      : `SELECT ${names} FROM (VALUES ${rows.join(', ')}) AS t (${names})`;
  return { name, description, sql, columns };
}

function valuesView(name: string, description: string, column: string, values: readonly string[]): ConfigView {
  return rowsView(
    name,
    description,
    [{ name: column, type: 'varchar' }],
    [...new Set(values)].map((v) => `(${literal(v)})`),
  );
}

/** The version as numbers: `6.0.2` -> [6, 0, 2]. */
function versionParts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return [major, minor, patch];
}

/**
 * The detection_parameters view: one row per detection parameter with the value every path uses (its default in
 * detection.yml, or the config's override). A query reads its own with
 * `(SELECT value FROM detection_parameters WHERE detection_id = '<id>' AND name = '<parameter>')`.
 */
function parametersView(detections: readonly Pick<Detection, 'id' | 'values'>[]): ConfigView {
  const rows = detections.flatMap((d) =>
    Object.entries(d.values)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `(${literal(d.id)}, ${literal(name)}, CAST(${value} AS bigint))`),
  );
  const columns = '(detection_id, name, value)';
  const sql =
    rows.length === 0
      ? `SELECT detection_id, name, value FROM (VALUES (CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS bigint))) AS t ${columns} WHERE name IS NOT NULL`
      : `SELECT detection_id, name, value FROM (VALUES ${rows.join(', ')}) AS t ${columns}`;
  return {
    name: 'detection_parameters',
    description: 'zoomlake registry: each detection parameter (threshold, window) with its value, the default or the config override.',
    sql,
    columns: [
      { name: 'detection_id', type: 'varchar' },
      { name: 'name', type: 'varchar' },
      { name: 'value', type: 'bigint' },
    ],
  };
}

/** support_names: each configured support name with its folded phrase (lambdas/core/realtime/impersonation.ts). */
function supportNamesView(names: readonly string[]): ConfigView {
  return rowsView(
    'support_names',
    'zoomlake config: display names claiming to be Zoom or support staff; phrase is the name folded, space-padded; words its word count.',
    [
      { name: 'name', type: 'varchar' },
      { name: 'phrase', type: 'varchar' },
      { name: 'words', type: 'integer' },
    ],
    compileSupportNames(names).map((s) => `(${literal(s.name)}, ${literal(s.phrase)}, ${s.words})`),
  );
}

/** lookalike_domains: the folded forms of each internal domain a look-alike domain would show (lambdas/core/realtime/impersonation.ts). */
function lookalikeDomainsView(internalDomains: readonly string[]): ConfigView {
  return rowsView(
    'lookalike_domains',
    'zoomlake config: folded forms of each internal domain (same_name, domain_in_name, swapped_letters, name_with_lure) that a look-alike domain shows.',
    [
      { name: 'domain', type: 'varchar' },
      { name: 'kind', type: 'varchar' },
      { name: 'key', type: 'varchar' },
    ],
    lookalikeKeys(internalDomains).map((k) => `(${literal(k.domain)}, ${literal(k.kind)}, ${literal(k.key)})`),
  );
}

/** Every config view, in a fixed order; `detections` gives the detection_parameters view its rows. */
export function configViews(settings: DetectionSettings, detections: readonly Pick<Detection, 'id' | 'values'>[]): ConfigView[] {
  const [major, minor, patch] = versionParts(settings.minClientVersion);
  return [
    valuesView(
      'internal_domains',
      'zoomlake config: email domains of the organisation (lower case).',
      'domain',
      settings.internalDomains.map((d) => d.toLowerCase()),
    ),
    // Patterns are case-insensitive in the config; (?i) makes them so in Trino (Java) and DuckDB (RE2) alike.
    valuesView(
      'sensitive_meeting_patterns',
      'zoomlake config: case-insensitive regular expressions for sensitive meeting topics.',
      'pattern',
      settings.sensitiveMeetingPatterns.map((p) => `(?i)${p}`),
    ),
    valuesView(
      'watched_users',
      'zoomlake config: emails of executives and other high-value users (lower case).',
      'email',
      settings.watchedUsers.map((e) => e.toLowerCase()),
    ),
    valuesView(
      'trusted_externals',
      'zoomlake config: emails and email domains of outside people expected in sensitive meetings (lower case); a signed-in participant whose email, or its domain, is listed.',
      'entry',
      (settings.trustedExternals ?? []).map((e) => e.toLowerCase()),
    ),
    {
      name: 'min_client_version',
      description: 'zoomlake config: the oldest Zoom client version considered patched, whole and as numbers.',
      sql: `SELECT ${literal(settings.minClientVersion)} AS version, ${major} AS major, ${minor} AS minor, ${patch} AS patch`,
      columns: [
        { name: 'version', type: 'varchar' },
        { name: 'major', type: 'integer' },
        { name: 'minor', type: 'integer' },
        { name: 'patch', type: 'integer' },
      ],
    },
    supportNamesView(settings.supportNames),
    lookalikeDomainsView(settings.internalDomains),
    parametersView(detections),
    // country_codes before idp_signins, which joins it (DuckDB binds a view when it is created).
    countryCodesView(),
    idpSigninsView(settings.identity),
  ];
}
