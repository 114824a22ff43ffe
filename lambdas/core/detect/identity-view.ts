/**
 * The identity input as config views (issue #16): `idp_signins`, the identity provider's sign-ins read from the
 * configured table through its column mapping, and `country_codes`, which turns the country names IdPs write (Okta:
 * "United States") and the codes others write (Entra: "US") into one form, ISO 3166-1 alpha-2, the form Zoom's own
 * locations end in ("New York (US)"). Detections read `idp_signins` and never the configured table.
 */

import { ZoomlakeError } from '../errors.ts';
import type { ConfigView } from './config-views.ts';

/** A configured table (or view) of identity-provider sign-ins and its columns (config `identity`). */
export interface IdentitySource {
  /** Lower-case SQL identifiers, validated by the config schema (checked again before they go into SQL). */
  readonly table: string;
  /** The user: an email, or text ending in one after a `/` or `:` (a CloudTrail ARN or principal id). */
  readonly userColumn: string;
  /** When the sign-in happened: a timestamp, or ISO-8601 text. */
  readonly timeColumn: string;
  /** The client's IP address. */
  readonly ipColumn: string;
  /** The country: an ISO 3166-1 alpha-2 code or an English name. @default none (countries unknown) */
  readonly countryColumn?: string | undefined;
  /** The outcome, compared with `successValues`. @default none (every row is a successful sign-in) */
  readonly outcomeColumn?: string | undefined;
  /** Outcomes that mean success, compared case-insensitively as text. @default ['SUCCESS', '0'] */
  readonly successValues?: readonly string[] | undefined;
  /** The IdP's session id, kept as evidence. @default none */
  readonly sessionColumn?: string | undefined;
  /** Which IdP the row comes from (okta, entra, aws), kept as evidence. @default none */
  readonly providerColumn?: string | undefined;
}

/** The name of the view detections read sign-ins from. */
export const IDP_SIGNINS_VIEW = 'idp_signins';
/** The name of the country name/code view. */
export const COUNTRY_CODES_VIEW = 'country_codes';
/** Outcomes that mean success when the config names none: Okta's and CloudTrail's `SUCCESS`/`Success`, Entra's error code 0. */
export const DEFAULT_SUCCESS_VALUES: readonly string[] = ['SUCCESS', '0'];

/** The identity table's mapped columns, each once, in the config's order (user, time, IP, then the optional ones). */
export function identityColumns(source: IdentitySource): string[] {
  const { userColumn, timeColumn, ipColumn, countryColumn, outcomeColumn, sessionColumn, providerColumn } = source;
  return [...new Set([userColumn, timeColumn, ipColumn, countryColumn, outcomeColumn, sessionColumn, providerColumn])].filter(
    (c): c is string => c !== undefined,
  );
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A configured identifier, double-quoted; refuses anything the config schema would not have accepted. */
function ident(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw new ZoomlakeError(`identity.${field} must be a lower-case SQL identifier, got "${name}"`, false);
  return `"${name}"`;
}

const IDP_COLUMNS: ConfigView['columns'] = [
  { name: 'user_email', type: 'varchar' },
  { name: 'event_time', type: 'timestamp' },
  { name: 'ip_address', type: 'varchar' },
  { name: 'country', type: 'varchar' },
  { name: 'succeeded', type: 'boolean' },
  { name: 'outcome', type: 'varchar' },
  { name: 'session_id', type: 'varchar' },
  { name: 'provider', type: 'varchar' },
];

const IDP_DESCRIPTION =
  'zoomlake config: identity-provider sign-ins from the configured identity table (lower-case email, UTC time, IP, ' +
  'ISO 3166-1 alpha-2 country, whether it succeeded); no rows when no identity input is configured.';

/** Text of a column, trimmed, NULL when empty. */
const text = (column: string) => `nullif(trim(CAST(s.${column} AS varchar)), '')`;

/**
 * The `idp_signins` view: the configured table through its mapping, or no rows when `source` is undefined. The time
 * may be a timestamp or ISO-8601 text (Okta's `published`, Entra's `createdDateTime`, CloudTrail's `eventTime`); both
 * engines read either through the same expression. The user is the last `/`- or `:`-separated part, lower-cased, so
 * a CloudTrail ARN or principal id ending in the email maps as it is.
 */
export function idpSigninsView(source: IdentitySource | undefined): ConfigView {
  const names = IDP_COLUMNS.map((c) => c.name).join(', ');
  if (source === undefined) {
    const nulls = IDP_COLUMNS.map((c) => `CAST(NULL AS ${c.type})`).join(', ');
    return {
      name: IDP_SIGNINS_VIEW,
      description: IDP_DESCRIPTION,
      sql: `SELECT ${names} FROM (VALUES (${nulls})) AS t (${names}) WHERE user_email IS NOT NULL`,
      columns: IDP_COLUMNS,
    };
  }
  const column = (field: keyof IdentitySource) => {
    const value = source[field];
    return typeof value === 'string' ? ident(value, field) : undefined;
  };
  const time = `CAST(s.${column('timeColumn')} AS varchar)`;
  const outcome = column('outcomeColumn');
  const country = column('countryColumn');
  const session = column('sessionColumn');
  const provider = column('providerColumn');
  const successes = [...new Set((source.successValues ?? DEFAULT_SUCCESS_VALUES).map((v) => v.trim().toLowerCase()))];
  const sql = [
    'SELECT',
    `  lower(regexp_extract(trim(CAST(s.${column('userColumn')} AS varchar)), '[^/:]+$')) AS user_email,`,
    // ISO-8601 text reads with from_iso8601_timestamp, a timestamp's text with CAST; try() keeps the one that works. Going
    // through epoch seconds gives UTC wall time whatever offset the text had (Athena sessions run in UTC).
    `  CAST(from_unixtime(coalesce(try(to_unixtime(from_iso8601_timestamp(${time}))), try(to_unixtime(CAST(${time} AS timestamp))))) AS timestamp) AS event_time,`,
    `  ${text(column('ipColumn')!)} AS ip_address,`,
    `  ${country ? 'c.code' : 'CAST(NULL AS varchar)'} AS country,`,
    `  ${outcome ? `coalesce(lower(${text(outcome)}) IN (${successes.map(literal).join(', ')}), false)` : 'true'} AS succeeded,`,
    `  ${outcome ? text(outcome) : 'CAST(NULL AS varchar)'} AS outcome,`,
    `  ${session ? text(session) : 'CAST(NULL AS varchar)'} AS session_id,`,
    `  ${provider ? text(provider) : 'CAST(NULL AS varchar)'} AS provider`,
    `FROM ${ident(source.table, 'table')} s`,
    ...(country ? [`LEFT JOIN ${COUNTRY_CODES_VIEW} c ON c.name = upper(${text(country)})`] : []),
  ].join('\n');
  return { name: IDP_SIGNINS_VIEW, description: IDP_DESCRIPTION, sql, columns: IDP_COLUMNS };
}

/** Non-country regions CLDR names (European Union, United Nations, pseudo-locales, unknown). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

/** Other names IdPs and GeoIP databases give (ISO 3166 long forms, older names), upper case. */
const ALIASES: Readonly<Record<string, string>> = {
  'UNITED STATES OF AMERICA': 'US',
  USA: 'US',
  UK: 'GB',
  'GREAT BRITAIN': 'GB',
  'UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND': 'GB',
  'RUSSIAN FEDERATION': 'RU',
  'CZECH REPUBLIC': 'CZ',
  TURKEY: 'TR',
  'KOREA, REPUBLIC OF': 'KR',
  'REPUBLIC OF KOREA': 'KR',
  "KOREA, DEMOCRATIC PEOPLE'S REPUBLIC OF": 'KP',
  'IRAN, ISLAMIC REPUBLIC OF': 'IR',
  'VIET NAM': 'VN',
  MACAU: 'MO',
  'TAIWAN, PROVINCE OF CHINA': 'TW',
  'IVORY COAST': 'CI',
  'DR CONGO': 'CD',
  'DEMOCRATIC REPUBLIC OF THE CONGO': 'CD',
  'CONGO REPUBLIC': 'CG',
  'REPUBLIC OF THE CONGO': 'CG',
  PALESTINE: 'PS',
  SWAZILAND: 'SZ',
  MACEDONIA: 'MK',
  'CABO VERDE': 'CV',
  'EAST TIMOR': 'TL',
  'THE NETHERLANDS': 'NL',
  'HOLY SEE': 'VA',
  'MOLDOVA, REPUBLIC OF': 'MD',
  'SYRIAN ARAB REPUBLIC': 'SY',
  "LAO PEOPLE'S DEMOCRATIC REPUBLIC": 'LA',
  'TANZANIA, UNITED REPUBLIC OF': 'TZ',
  'BRUNEI DARUSSALAM': 'BN',
  BURMA: 'MM',
  'BONAIRE, SINT EUSTATIUS, AND SABA': 'BQ',
};

/** The forms a CLDR English name is also written in: ASCII letters, "and" for "&", "Saint" for "St.", no "SAR China" or "(...)". */
function variants(name: string): string[] {
  const out = new Set<string>([name]);
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/’/g, "'");
  for (const n of [name, ascii]) {
    out.add(n);
    out.add(n.replaceAll(' & ', ' and '));
    out.add(n.replace(/^St\. /, 'Saint '));
    out.add(n.replace(/ SAR China$/, ''));
    out.add(n.replace(/ \([^)]*\)/g, ''));
  }
  return [...out].map((v) => v.toUpperCase());
}

/** Country names (upper case) and codes to their ISO 3166-1 alpha-2 code, from the runtime's CLDR names and the aliases. */
export function countryCodes(): ReadonlyMap<string, string> {
  const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const map = new Map<string, string>();
  const add = (name: string, code: string) => {
    if (!map.has(name)) map.set(name, code);
  };
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = display.of(code);
      // Withdrawn codes (DD, SU, YU, ...) canonicalise to their successor and are left out.
      if (name === undefined || NOT_COUNTRIES.has(code) || Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
      add(code, code);
      for (const v of variants(name)) add(v, code);
    }
  }
  for (const [name, code] of Object.entries(ALIASES)) add(name, code);
  return map;
}

/** The `country_codes` view: `name` (upper case: a code, an English name or an alias) to `code` (ISO 3166-1 alpha-2). */
export function countryCodesView(): ConfigView {
  const rows = [...countryCodes()].map(([name, code]) => `(${literal(name)}, ${literal(code)})`);
  return {
    name: COUNTRY_CODES_VIEW,
    description: 'zoomlake: country codes (ISO 3166-1 alpha-2) by upper-case name, code or alias, to compare IdP and Zoom countries.',
    sql: `SELECT name, code FROM (VALUES ${rows.join(', ')}) AS t (name, code)`,
    columns: [
      { name: 'name', type: 'varchar' },
      { name: 'code', type: 'varchar' },
    ],
  };
}
