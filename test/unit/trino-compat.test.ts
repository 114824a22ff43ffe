import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRINO_COMPAT_MACROS, installTrinoCompat } from '#local/adapters/trino-compat.ts';

/** An expression, the DuckDB type Trino's result type maps to, and Trino's documented value. */
interface Case {
  readonly name: string;
  readonly expr: string;
  readonly type: string;
  readonly value: unknown;
}

const ts = (s: string): string => `TIMESTAMP '${s}'`;
const date = (s: string): string => `DATE '${s}'`;
const diff = (unit: string, a: string, b: string): string => `date_diff('${unit}', ${a}, ${b})`;
const bigint = (name: string, expr: string, value: number): Case => ({ name, expr, type: 'BIGINT', value });

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await installTrinoCompat(connection);
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** The expression's DuckDB type and its value (BIGINT as a number, temporal values as DuckDB's text). */
async function evaluate(expr: string): Promise<{ type: string; value: unknown }> {
  const reader = await connection.runAndReadAll(`SELECT typeof(${expr}) AS t, ${expr} AS v`);
  const [row] = reader.getRowsJson();
  const type = String(row?.[0]);
  const value = row?.[1] ?? null;
  return { type, value: (type === 'BIGINT' || type === 'HUGEINT') && value !== null ? Number(value) : value };
}

// Trino docs, "Date and time functions": date_diff(unit, t1, t2) is t2 - t1 in whole `unit`s. Trino computes it with
// Joda's getDifference (ISOChronology, UTC), which truncates toward zero and clamps months to their last day.
const DATE_DIFF: Case[] = [
  bigint('day: 23:00 to 01:00 next day is 0 whole days (DuckDB counts 1 boundary)', diff('day', ts('2024-01-01 23:00'), ts('2024-01-02 01:00')), 0),
  bigint('day: exactly 24 hours is 1', diff('day', ts('2024-01-01 00:00'), ts('2024-01-02 00:00')), 1),
  bigint('day: 2 hours backwards across midnight is 0, not -1', diff('day', ts('2024-01-02 01:00'), ts('2024-01-01 23:00')), 0),
  bigint('day: -1.5 days truncates toward zero to -1', diff('day', ts('2024-01-03 00:00'), ts('2024-01-01 12:00')), -1),
  bigint('day: dates count whole days (Jan 1 to Mar 1 2024 is 60)', diff('day', date('2024-01-01'), date('2024-03-01')), 60),
  bigint('day: the unit is case-insensitive', diff('DAY', ts('2024-01-01 00:00'), ts('2024-01-03 00:00')), 2),
  bigint('hour: 10:59:59.999 to 11:00 is 0', diff('hour', ts('2024-01-01 10:59:59.999'), ts('2024-01-01 11:00')), 0),
  bigint('hour: 10:00 to 12:59:59.999 is 2', diff('hour', ts('2024-01-01 10:00'), ts('2024-01-01 12:59:59.999')), 2),
  bigint('hour: timestamp against timestamp with time zone', `date_diff('hour', ${ts('2024-01-01 00:00')}, TIMESTAMPTZ '2024-01-01 02:30:00+00')`, 2),
  bigint('minute: 10:00:30 to 10:01:29 is 0', diff('minute', ts('2024-01-01 10:00:30'), ts('2024-01-01 10:01:29')), 0),
  bigint('minute: -90 seconds truncates to -1', diff('minute', ts('2024-01-01 10:01:30'), ts('2024-01-01 10:00:00')), -1),
  bigint('second: 999 ms is 0 seconds', diff('second', ts('2024-01-01 10:00:00.001'), ts('2024-01-01 10:00:01.000')), 0),
  bigint('millisecond: exact milliseconds', diff('millisecond', ts('2024-01-01 10:00:00.001'), ts('2024-01-01 10:00:00.250')), 249),
  bigint('week: 13 days 23:59 is 1 week', diff('week', ts('2024-01-01 00:00'), ts('2024-01-14 23:59')), 1),
  bigint('week: 14 days backwards is -2', diff('week', date('2024-01-15'), date('2024-01-01')), -2),
  bigint('month: Jan 31 to Feb 29 is 1 (Jan 31 + 1 month clamps to Feb 29)', diff('month', ts('2024-01-31'), ts('2024-02-29')), 1),
  bigint('month: Jan 31 to Feb 28 2024 is 0', diff('month', ts('2024-01-31'), ts('2024-02-28')), 0),
  bigint('month: Jan 15 10:00 to Feb 15 09:59 is 0', diff('month', ts('2024-01-15 10:00'), ts('2024-02-15 09:59')), 0),
  bigint('month: Jan 15 to Feb 15 is 1', diff('month', ts('2024-01-15'), ts('2024-02-15')), 1),
  bigint('month: Feb 29 back to Jan 31 is -1 (negated forward difference)', diff('month', ts('2024-02-29'), ts('2024-01-31')), -1),
  bigint('month: Mar 15 back to Jan 16 is -1', diff('month', ts('2024-03-15'), ts('2024-01-16')), -1),
  bigint('quarter: 5 whole months is 1 quarter', diff('quarter', ts('2024-01-15'), ts('2024-07-14')), 1),
  bigint('year: Feb 29 2024 to Feb 28 2025 is 1 (leap day clamps)', diff('year', ts('2024-02-29'), ts('2025-02-28')), 1),
  bigint('year: Mar 1 2023 to Feb 29 2024 is 0', diff('year', ts('2023-03-01'), ts('2024-02-29')), 0),
  bigint('year: just under a year backwards is 0', diff('year', ts('2025-01-01'), ts('2024-01-02')), 0),
];

// Trino docs: date_add(unit, value, timestamp) adds `value` units; a date stays a date; months clamp to their end.
const DATE_ADD: Case[] = [
  { name: 'day on a date returns a date', expr: `date_add('day', 1, ${date('2024-01-31')})`, type: 'DATE', value: '2024-02-01' },
  { name: 'month clamps Jan 31 to Feb 29', expr: `date_add('month', 1, ${ts('2024-01-31 10:00')})`, type: 'TIMESTAMP', value: '2024-02-29 10:00:00' },
  { name: 'negative hours cross midnight', expr: `date_add('hour', -2, ${ts('2024-01-01 01:00')})`, type: 'TIMESTAMP', value: '2023-12-31 23:00:00' },
  { name: 'milliseconds', expr: `date_add('millisecond', 5, ${ts('2024-01-01 00:00')})`, type: 'TIMESTAMP', value: '2024-01-01 00:00:00.005' },
  { name: 'seconds', expr: `date_add('second', 90, ${ts('2024-01-01 00:00')})`, type: 'TIMESTAMP', value: '2024-01-01 00:01:30' },
  {
    name: 'the unit is case-insensitive',
    expr: `date_add('MINUTE', 30, ${ts('2024-01-01 23:45')})`,
    type: 'TIMESTAMP',
    value: '2024-01-02 00:15:00',
  },
  { name: 'weeks on a date', expr: `date_add('week', 2, ${date('2024-01-01')})`, type: 'DATE', value: '2024-01-15' },
  { name: 'quarter on a date clamps Nov 30 to Feb 28', expr: `date_add('quarter', 1, ${date('2024-11-30')})`, type: 'DATE', value: '2025-02-28' },
  {
    name: 'year from a leap day clamps to Feb 28',
    expr: `date_add('year', 1, ${ts('2024-02-29')})`,
    type: 'TIMESTAMP',
    value: '2025-02-28 00:00:00',
  },
  {
    name: 'dt partition idiom: a date minus 7 days casts to yyyy-MM-dd',
    expr: `CAST(date_add('day', -7, ${date('2024-01-08')}) AS VARCHAR)`,
    type: 'VARCHAR',
    value: '2024-01-01',
  },
  {
    name: "DuckDB's own 2-argument form still works",
    expr: `date_add(${date('2024-01-01')}, INTERVAL 1 DAY)`,
    type: 'TIMESTAMP',
    value: '2024-01-02 00:00:00',
  },
];

const OTHER: Case[] = [
  // Trino docs: to_unixtime(timestamp) -> double seconds; from_unixtime(double) -> timestamp; UTC session.
  { name: 'to_unixtime keeps milliseconds as a fraction', expr: `to_unixtime(${ts('2024-01-01 00:00:01.5')})`, type: 'DOUBLE', value: 1704067201.5 },
  { name: 'to_unixtime of the epoch is 0', expr: `to_unixtime(${ts('1970-01-01 00:00:00')})`, type: 'DOUBLE', value: 0 },
  { name: 'from_unixtime of fractional seconds', expr: 'from_unixtime(1704067201.5)', type: 'TIMESTAMP', value: '2024-01-01 00:00:01.5' },
  {
    name: 'from_unixtime of epoch ms / 1000 (integer division)',
    expr: 'from_unixtime(1704067201999 / 1000)',
    type: 'TIMESTAMP',
    value: '2024-01-01 00:00:01',
  },
  // Trino docs: from_iso8601_timestamp parses ISO 8601 with an optional offset; no offset means the session zone (UTC).
  { name: 'from_iso8601_timestamp with Z', expr: "from_iso8601_timestamp('2024-01-01T10:00:00Z')", type: 'TIMESTAMP', value: '2024-01-01 10:00:00' },
  {
    name: 'from_iso8601_timestamp converts an offset to UTC',
    expr: "from_iso8601_timestamp('2024-01-01T10:00:00.123+02:00')",
    type: 'TIMESTAMP',
    value: '2024-01-01 08:00:00.123',
  },
  {
    name: 'from_iso8601_timestamp of a bare date is midnight UTC',
    expr: "from_iso8601_timestamp('2024-01-01')",
    type: 'TIMESTAMP',
    value: '2024-01-01 00:00:00',
  },
  {
    name: 'from_iso8601_timestamp compares with a timestamp column',
    expr: `${ts('2024-01-01 10:00:01')} > from_iso8601_timestamp('2024-01-01T10:00:00Z')`,
    type: 'BOOLEAN',
    value: true,
  },
  { name: 'from_iso8601_date', expr: "from_iso8601_date('2024-02-29')", type: 'DATE', value: '2024-02-29' },
  // Trino docs: to_milliseconds(interval) -> bigint.
  {
    name: 'to_milliseconds of a timestamp difference',
    expr: `to_milliseconds(${ts('2024-01-01 10:00:01.5')} - ${ts('2024-01-01 10:00:00')})`,
    type: 'BIGINT',
    value: 1500,
  },
  { name: 'to_milliseconds of a day interval', expr: "to_milliseconds(INTERVAL '1' DAY)", type: 'BIGINT', value: 86_400_000 },
  // Trino docs: date_format uses MySQL specifiers (%i minutes, %s seconds, %M month name, %W weekday name).
  {
    name: 'date_format with %Y-%m-%d %H:%i:%s',
    expr: `date_format(${ts('2024-03-05 14:07:09.123')}, '%Y-%m-%d %H:%i:%s')`,
    type: 'VARCHAR',
    value: '2024-03-05 14:07:09',
  },
  {
    name: 'date_format names, unpadded fields and %%',
    expr: `date_format(${ts('2024-03-05 14:07:09')}, '%M %W %e %c %k %l %p %T %%i')`,
    type: 'VARCHAR',
    value: 'March Tuesday 5 3 14 2 PM 14:07:09 %i',
  },
  { name: 'date_format hour bucket', expr: `date_format(${ts('2024-03-05 04:59:00')}, '%Y-%m-%dT%H')`, type: 'VARCHAR', value: '2024-03-05T04' },
  // Trino docs: day_of_week/dow is ISO, Monday 1 to Sunday 7 (DuckDB's dow is Sunday 0).
  bigint('day_of_week of a Sunday is 7', `day_of_week(${date('2024-01-07')})`, 7),
  bigint('dow of a Monday is 1', `dow(${date('2024-01-08')})`, 1),
  bigint('day_of_year', `day_of_year(${date('2024-02-01')})`, 32),
  bigint('doy of Dec 31 in a leap year', `doy(${date('2024-12-31')})`, 366),
  bigint('week_of_year is the ISO week', `week_of_year(${date('2024-12-30')})`, 1),
  bigint('year_of_week is the ISO week-year', `year_of_week(${date('2024-12-30')})`, 2025),
  // Trino docs: regexp_like is a search (partial match) with Java syntax; regexp_extract is NULL when nothing
  // matches; regexp_replace replaces every match and writes groups as $n.
  { name: 'regexp_like matches anywhere in the string', expr: "regexp_like('xabcx', 'abc')", type: 'BOOLEAN', value: true },
  { name: 'regexp_like honours anchors', expr: "regexp_like('xabcx', '^abc')", type: 'BOOLEAN', value: false },
  { name: 'regexp_like with an inline (?i) flag', expr: "regexp_like('Board Meeting', '(?i)board')", type: 'BOOLEAN', value: true },
  { name: 'regexp_extract returns the first match', expr: String.raw`regexp_extract('a1b22', '\d+')`, type: 'VARCHAR', value: '1' },
  { name: 'regexp_extract of a group', expr: "regexp_extract('user@ex.com', '@(.+)$', 1)", type: 'VARCHAR', value: 'ex.com' },
  { name: 'regexp_extract is NULL when nothing matches', expr: "regexp_extract('abc', 'z')", type: 'VARCHAR', value: null },
  { name: 'regexp_extract of a group is NULL when nothing matches', expr: "regexp_extract('abc', '(z)', 1)", type: 'VARCHAR', value: null },
  { name: 'regexp_replace with two arguments removes every match', expr: String.raw`regexp_replace('a1b22', '\d')`, type: 'VARCHAR', value: 'ab' },
  { name: 'regexp_replace replaces every match', expr: "regexp_replace('aXbXc', 'X', '-')", type: 'VARCHAR', value: 'a-b-c' },
  {
    name: 'regexp_replace writes groups as $n',
    expr: String.raw`regexp_replace('john.smith', '(\w+)\.(\w+)', '$2, $1')`,
    type: 'VARCHAR',
    value: 'smith, john',
  },
  // Trino docs: approx_distinct ignores NULLs; with few values its estimate is the exact count.
  bigint('approx_distinct counts distinct non-NULL values', "(SELECT approx_distinct(x) FROM (VALUES ('a'), ('b'), ('a'), (NULL)) t(x))", 2),
  bigint('approx_distinct with a max standard error', '(SELECT approx_distinct(x, 0.01) FROM (VALUES (1), (2), (3)) t(x))', 3),
  // Trino docs: json_extract_scalar returns a scalar as varchar, NULL for objects, arrays, JSON null and bad JSON.
  { name: 'json_extract_scalar of a nested number', expr: `json_extract_scalar('{"a":{"b":1}}', '$.a.b')`, type: 'VARCHAR', value: '1' },
  {
    name: 'json_extract_scalar of a string unescapes it',
    expr: String.raw`json_extract_scalar('{"a":"q\"x"}', '$.a')`,
    type: 'VARCHAR',
    value: 'q"x',
  },
  { name: 'json_extract_scalar of a boolean', expr: `json_extract_scalar('{"a":true}', '$.a')`, type: 'VARCHAR', value: 'true' },
  { name: 'json_extract_scalar of an array element', expr: `json_extract_scalar('{"a":[1,2]}', '$.a[1]')`, type: 'VARCHAR', value: '2' },
  { name: 'json_extract_scalar with a ["key"] segment', expr: `json_extract_scalar('{"a b":{"c":"x"}}', '$["a b"].c')`, type: 'VARCHAR', value: 'x' },
  { name: 'json_extract_scalar of an object is NULL', expr: `json_extract_scalar('{"a":{"b":1}}', '$.a')`, type: 'VARCHAR', value: null },
  { name: 'json_extract_scalar of an array is NULL', expr: `json_extract_scalar('{"a":[1]}', '$.a')`, type: 'VARCHAR', value: null },
  { name: 'json_extract_scalar of a missing key is NULL', expr: `json_extract_scalar('{"a":1}', '$.b')`, type: 'VARCHAR', value: null },
  { name: 'json_extract_scalar of malformed JSON is NULL', expr: "json_extract_scalar('not json', '$.a')", type: 'VARCHAR', value: null },
  // Trino docs: element_at(array, i) is 1-based, negative counts from the end, NULL past either end; element_at(map, k).
  { name: 'element_at first element', expr: 'element_at([10, 20, 30], 1)', type: 'INTEGER', value: 10 },
  { name: 'element_at -1 is the last element', expr: 'element_at([10, 20, 30], -1)', type: 'INTEGER', value: 30 },
  { name: 'element_at past the end is NULL', expr: 'element_at([10, 20, 30], 4)', type: 'INTEGER', value: null },
  { name: 'element_at before the start is NULL', expr: 'element_at([10, 20, 30], -4)', type: 'INTEGER', value: null },
  { name: 'element_at of a map key', expr: "element_at(MAP {'a': 1}, 'a')", type: 'INTEGER', value: 1 },
  { name: 'element_at of a split string', expr: "element_at(split('a@b.com', '@'), 2)", type: 'VARCHAR', value: 'b.com' },
  // Trino docs: cardinality(array) is its length.
  bigint('cardinality of an array', 'cardinality([1, 2, 3])', 3),
  bigint('cardinality of an empty split', "cardinality(split('', ','))", 1),
  // Trino docs: array_join skips NULLs unless a replacement is given.
  { name: 'array_join skips NULLs', expr: "array_join(['a', NULL, 'b'], ',')", type: 'VARCHAR', value: 'a,b' },
  { name: 'array_join with a NULL replacement', expr: "array_join(['a', NULL, 'b'], ',', 'n')", type: 'VARCHAR', value: 'a,n,b' },
  { name: 'array_join of numbers', expr: "array_join([1, 2], '-')", type: 'VARCHAR', value: '1-2' },
  // Trino docs: split_part is 1-based and NULL past the last field.
  { name: 'split_part middle field', expr: "split_part('a,b,c', ',', 2)", type: 'VARCHAR', value: 'b' },
  { name: 'split_part past the last field is NULL', expr: "split_part('a,b,c', ',', 4)", type: 'VARCHAR', value: null },
  { name: 'split_part of an email domain', expr: "split_part('alice@corp.example', '@', 2)", type: 'VARCHAR', value: 'corp.example' },
  bigint('levenshtein_distance', "levenshtein_distance('kitten', 'sitting')", 3),
  bigint('levenshtein_distance counts characters, not bytes', "levenshtein_distance('Zoë Ångström', 'Zoe Angstrom')", 3),
  bigint('levenshtein_distance of CJK text', "levenshtein_distance('日本語', '日本')", 1),
  // Trino docs: url_extract_host is the URL's host (java.net.URI), NULL without a scheme and authority.
  {
    name: 'url_extract_host skips user info and port',
    expr: "url_extract_host('https://user:pw@Zoom.US:443/j/123?pwd=x')",
    type: 'VARCHAR',
    value: 'Zoom.US',
  },
  {
    name: 'url_extract_host of a recording share link',
    expr: "url_extract_host('https://us02web.zoom.us/rec/share/abc')",
    type: 'VARCHAR',
    value: 'us02web.zoom.us',
  },
  { name: 'url_extract_host of an IPv6 literal keeps brackets', expr: "url_extract_host('http://[::1]:8080/x')", type: 'VARCHAR', value: '[::1]' },
  { name: 'url_extract_host without a scheme is NULL', expr: "url_extract_host('zoom.us/j/1')", type: 'VARCHAR', value: null },
  // Trino: integer division truncates toward zero.
  { name: 'integer division stays integer', expr: '7 / 2', type: 'INTEGER', value: 3 },
  { name: 'negative integer division truncates toward zero', expr: '-7 / 2', type: 'INTEGER', value: -3 },
  { name: 'a double operand still divides as double', expr: 'CAST(7 AS DOUBLE) / 2', type: 'DOUBLE', value: 3.5 },
];

// Athena SQL that DuckDB already runs with Trino's meaning, kept here so a DuckDB upgrade that changes it shows up.
const ALREADY_COMPATIBLE: Case[] = [
  { name: 'date_trunc to the hour', expr: `date_trunc('hour', ${ts('2024-01-01 10:59:59.999')})`, type: 'TIMESTAMP', value: '2024-01-01 10:00:00' },
  { name: 'interval literal arithmetic', expr: `${ts('2024-01-01 00:30')} - INTERVAL '1' HOUR`, type: 'TIMESTAMP', value: '2023-12-31 23:30:00' },
  { name: 'current_timestamp compares with a timestamp', expr: `current_timestamp > ${ts('2024-01-01 00:00')}`, type: 'BOOLEAN', value: true },
  bigint('strpos is 1-based', "strpos('abc', 'c')", 3),
  bigint('strpos is 0 when absent', "strpos('abc', 'z')", 0),
  { name: 'contains on an array', expr: "contains(split('a,b', ','), 'b')", type: 'BOOLEAN', value: true },
  { name: 'try_cast of a bad number is NULL', expr: "try_cast('x' AS INTEGER)", type: 'INTEGER', value: null },
  { name: 'lower', expr: "lower('Alice@Corp.COM')", type: 'VARCHAR', value: 'alice@corp.com' },
  { name: 'coalesce', expr: "coalesce(NULL, 'b')", type: 'VARCHAR', value: 'b' },
  { name: 'cast of a timestamp to date', expr: `CAST(${ts('2024-01-01 23:59')} AS DATE)`, type: 'DATE', value: '2024-01-01' },
];

describe('Trino compatibility layer on DuckDB', () => {
  describe.each([
    ['date_diff (Trino: whole units elapsed, truncated toward zero)', DATE_DIFF],
    ['date_add (Trino: date_add(unit, value, x))', DATE_ADD],
    ['other Trino functions', OTHER],
    ['Athena SQL DuckDB already runs as Trino does', ALREADY_COMPATIBLE],
  ])('%s', (_group, cases) => {
    it.each(cases)('$name', async ({ expr, type, value }) => {
      expect(await evaluate(expr)).toEqual({ type, value });
    });
  });

  it.each([
    ['date_diff with a plural unit', diff('days', ts('2024-01-01'), ts('2024-01-02')), /date_diff: unsupported unit days/],
    ['date_add with an unknown unit', `date_add('fortnight', 1, ${ts('2024-01-01')})`, /date_add: unsupported unit fortnight/],
    ['split_part with index 0', "split_part('a,b', ',', 0)", /index must be greater than zero/],
  ])('fails like Trino: %s', async (_name, expr, message) => {
    await expect(evaluate(expr)).rejects.toThrow(message);
  });

  it('shadows the DuckDB built-ins it replaces, which stay reachable as system.main.*', async () => {
    const args = `'day', ${ts('2024-01-01 23:00')}, ${ts('2024-01-02 01:00')}`;
    expect(await evaluate(`date_diff(${args})`)).toEqual({ type: 'BIGINT', value: 0 });
    expect(await evaluate(`system.main.date_diff(${args})`)).toEqual({ type: 'BIGINT', value: 1 });
  });

  it('installs idempotently and only creates or replaces macros', async () => {
    expect(TRINO_COMPAT_MACROS.every((sql) => sql.startsWith('CREATE OR REPLACE MACRO '))).toBe(true);
    await installTrinoCompat(connection);
    expect(await evaluate(diff('day', ts('2024-01-01 23:00'), ts('2024-01-02 01:00')))).toEqual({ type: 'BIGINT', value: 0 });
  });
});
