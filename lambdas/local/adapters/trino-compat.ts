import type { DuckDBConnection } from '@duckdb/node-api';

/*
 * Lets DuckDB run Athena (Trino) SQL unchanged. A macro in `main` shadows a DuckDB built-in of the same name, and
 * `system.main.<name>` still reaches the built-in, so each entry either adds a Trino function DuckDB lacks or
 * replaces one whose DuckDB meaning differs. Only functions with a test in test/unit/trino-compat.test.ts belong here.
 */

/** Session settings that make DuckDB evaluate like an Athena session. */
export const TRINO_COMPAT_SETTINGS: readonly string[] = [
  // Athena sessions run in UTC; TIMESTAMPTZ -> TIMESTAMP casts below rely on it.
  "SET TimeZone = 'UTC'",
  // Trino divides integers as integers (5 / 2 = 2, truncated toward zero); DuckDB's `/` returns a double.
  'SET integer_division = true',
];

// MySQL date_format specifiers (Trino's date_format) to strftime ones. Order matters: a specifier's
// replacement is never rewritten by a later step, and `%%` is parked on U+0001 so `%%i` stays a literal.
const MYSQL_TO_STRFTIME: readonly (readonly [string, string])[] = [
  ['%%', '\u0001'],
  ['%M', '%B'],
  ['%W', '%A'],
  ['%i', '%M'],
  ['%h', '%I'],
  ['%s', '%S'],
  ['%c', '%-m'],
  ['%e', '%-d'],
  ['%k', '%-H'],
  ['%l', '%-I'],
  ['%r', '%I:%M:%S %p'],
  ['%T', '%H:%M:%S'],
  ['%v', '%V'],
  ['\u0001', '%%'],
];

function sqlLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

const mysqlFormatExpr = MYSQL_TO_STRFTIME.reduce((expr, [from, to]) => `replace(${expr}, ${sqlLiteral(from)}, ${sqlLiteral(to)})`, 'f');

/** Milliseconds between two instants (timestamp, timestamp with time zone or date). */
const MS_BETWEEN = '(epoch_ms(b) - epoch_ms(a))';

/** The CREATE MACRO statements of the compatibility layer, in dependency order. */
export const TRINO_COMPAT_MACROS: readonly string[] = [
  // --- regular expressions (Trino: Java syntax, search semantics, all matches replaced) ---
  'CREATE OR REPLACE MACRO regexp_like(s, pattern) AS regexp_matches(s, pattern)',
  // DuckDB returns '' when nothing matches; Trino returns NULL.
  `CREATE OR REPLACE MACRO regexp_extract(s, pattern) AS
     CASE WHEN regexp_matches(s, pattern) THEN system.main.regexp_extract(s, pattern) END,
   (s, pattern, grp) AS
     CASE WHEN regexp_matches(s, pattern) THEN system.main.regexp_extract(s, pattern, grp) END`,
  // Trino replaces every match and writes groups as $1; DuckDB replaces the first unless 'g' and writes \\1.
  String.raw`CREATE OR REPLACE MACRO zl_java_replacement(r) AS system.main.regexp_replace(r, '\$(\d)', '\\\1', 'g')`,
  `CREATE OR REPLACE MACRO regexp_replace(s, pattern) AS system.main.regexp_replace(s, pattern, '', 'g'),
   (s, pattern, replacement) AS system.main.regexp_replace(s, pattern, zl_java_replacement(replacement), 'g')`,

  // --- time: Trino's timestamp is UTC wall time here, so timestamptz results are cast back to timestamp ---
  'CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts)',
  'CREATE OR REPLACE MACRO from_unixtime(seconds) AS CAST(to_timestamp(seconds) AS TIMESTAMP)',
  'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)',
  'CREATE OR REPLACE MACRO from_iso8601_date(s) AS CAST(s AS DATE)',
  `CREATE OR REPLACE MACRO zl_add(unit, n, x) AS CASE lower(unit)
     WHEN 'millisecond' THEN x + system.main.to_milliseconds(CAST(n AS BIGINT))
     WHEN 'second' THEN x + to_seconds(CAST(n AS BIGINT))
     WHEN 'minute' THEN x + to_minutes(CAST(n AS BIGINT))
     WHEN 'hour' THEN x + to_hours(CAST(n AS BIGINT))
     WHEN 'day' THEN x + to_days(CAST(n AS INTEGER))
     WHEN 'week' THEN x + to_weeks(CAST(n AS INTEGER))
     WHEN 'month' THEN x + to_months(CAST(n AS INTEGER))
     WHEN 'quarter' THEN x + to_months(CAST(n AS INTEGER) * 3)
     WHEN 'year' THEN x + to_years(CAST(n AS INTEGER))
     ELSE error('date_add: unsupported unit ' || unit)
   END`,
  // Trino: date_add(unit, value, x), a date stays a date. The 2-argument form keeps DuckDB's date_add(x, interval).
  `CREATE OR REPLACE MACRO date_add(x, i) AS x + i,
   (unit, n, x DATE) AS CAST(zl_add(unit, n, CAST(x AS TIMESTAMP)) AS DATE),
   (unit, n, x) AS zl_add(unit, n, x)`,
  // Whole calendar months from a to b (a <= b): the largest n with a + n months <= b, months clamped to their last
  // day as Joda (and so Trino) does. DuckDB's own date_diff counts month boundaries instead.
  `CREATE OR REPLACE MACRO zl_whole_months(a, b) AS system.main.date_diff('month', a, b)
     - CASE WHEN a + to_months(CAST(system.main.date_diff('month', a, b) AS INTEGER)) > b THEN 1 ELSE 0 END`,
  'CREATE OR REPLACE MACRO zl_months_between(a, b) AS CASE WHEN a <= b THEN zl_whole_months(a, b) ELSE -zl_whole_months(b, a) END',
  // Trino counts whole units elapsed, truncated toward zero (Joda getDifference); DuckDB counts boundaries crossed.
  `CREATE OR REPLACE MACRO date_diff(unit, a, b) AS CASE lower(unit)
     WHEN 'millisecond' THEN ${MS_BETWEEN}
     WHEN 'second' THEN ${MS_BETWEEN} // 1000
     WHEN 'minute' THEN ${MS_BETWEEN} // 60000
     WHEN 'hour' THEN ${MS_BETWEEN} // 3600000
     WHEN 'day' THEN ${MS_BETWEEN} // 86400000
     WHEN 'week' THEN ${MS_BETWEEN} // 604800000
     WHEN 'month' THEN zl_months_between(a, b)
     WHEN 'quarter' THEN zl_months_between(a, b) // 3
     WHEN 'year' THEN zl_months_between(a, b) // 12
     ELSE error('date_diff: unsupported unit ' || unit)
   END`,
  // Trino: to_milliseconds(interval) is the interval's length; DuckDB's builds an interval from a number.
  `CREATE OR REPLACE MACRO to_milliseconds(x INTERVAL) AS CAST(round(epoch(x) * 1000) AS BIGINT),
   (x) AS system.main.to_milliseconds(x)`,
  `CREATE OR REPLACE MACRO zl_mysql_format(f) AS ${mysqlFormatExpr}`,
  'CREATE OR REPLACE MACRO date_format(ts, f) AS strftime(ts, zl_mysql_format(f))',
  // DuckDB's dow counts Sunday as 0; Trino's day_of_week/dow is ISO (Monday 1 .. Sunday 7).
  'CREATE OR REPLACE MACRO day_of_week(x) AS isodow(x)',
  'CREATE OR REPLACE MACRO dow(x) AS isodow(x)',
  'CREATE OR REPLACE MACRO day_of_year(x) AS dayofyear(x)',
  'CREATE OR REPLACE MACRO doy(x) AS dayofyear(x)',
  'CREATE OR REPLACE MACRO week_of_year(x) AS week(x)',
  'CREATE OR REPLACE MACRO year_of_week(x) AS isoyear(x)',

  // --- aggregates ---
  // An exact count is within approx_distinct's documented error and keeps local results deterministic.
  'CREATE OR REPLACE MACRO approx_distinct(x) AS count(DISTINCT x), (x, max_standard_error) AS count(DISTINCT x)',

  // --- JSON: Trino's json_extract_scalar is NULL for objects, arrays and malformed JSON, and paths may use ["key"] ---
  String.raw`CREATE OR REPLACE MACRO zl_json_path(p) AS system.main.regexp_replace(p, '\[\s*"([^"]*)"\s*\]', '."\1"', 'g')`,
  `CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS try(
     CASE WHEN json_type(j, zl_json_path(p)) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, zl_json_path(p)) END)`,

  // --- arrays and strings ---
  // DuckDB's element_at and cardinality take maps only; Trino's take arrays too. `x[k]` indexes both lists and maps.
  'CREATE OR REPLACE MACRO element_at(x, k) AS x[k]',
  'CREATE OR REPLACE MACRO cardinality(x) AS len(x)',
  `CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep),
   (a, sep, null_replacement) AS array_to_string(list_transform(a, lambda e: coalesce(CAST(e AS VARCHAR), null_replacement)), sep)`,
  // DuckDB returns '' past the last field; Trino returns NULL.
  `CREATE OR REPLACE MACRO split_part(s, delimiter, idx) AS CASE WHEN idx >= 1
     THEN list_extract(string_split(s, delimiter), idx) ELSE error('split_part: index must be greater than zero') END`,
  // DuckDB's levenshtein counts bytes ('é' vs 'e' is 2); Trino counts characters. Each character of the pair is
  // recoded to one ASCII byte first (up to 126 distinct characters, far beyond names; past that, bytes).
  "CREATE OR REPLACE MACRO zl_alphabet(a, b) AS list_sort(list_distinct(str_split(a, '') || str_split(b, '')))",
  "CREATE OR REPLACE MACRO zl_recode(s, alphabet) AS array_to_string(list_transform(str_split(s, ''), x -> chr(1 + list_position(alphabet, x))), '')",
  `CREATE OR REPLACE MACRO levenshtein_distance(a, b) AS CASE
     WHEN len(zl_alphabet(a, b)) < 127 THEN levenshtein(zl_recode(a, zl_alphabet(a, b)), zl_recode(b, zl_alphabet(a, b)))
     ELSE levenshtein(a, b)
   END`,
  String.raw`CREATE OR REPLACE MACRO url_extract_host(u) AS nullif(
     system.main.regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]/]*\]|[^:/?#]*)', 1), '')`,
];

/** Installs the compatibility layer (settings, then macros in `main`) on a DuckDB connection. */
export async function installTrinoCompat(connection: DuckDBConnection): Promise<void> {
  for (const statement of [...TRINO_COMPAT_SETTINGS, ...TRINO_COMPAT_MACROS]) {
    await connection.run(statement);
  }
}
