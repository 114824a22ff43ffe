import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeParquet, type ParquetOptions } from '#core/lake/parquet/encode.ts';
import { encodeParquetReference } from '../support/reference-parquet.ts';
import { prepareRow } from '#core/lake/records.ts';
import { tableColumns } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { CellValue, ColumnType, Row, TableDef } from '#core/schema/types.ts';
import { sampleRow } from '../support/sample-rows.ts';
import { EDGE_TABLE, edgeRows as edgeRowsAt, expectedStats, utf8Compare } from '../support/parquet-fixtures.ts';

// DuckDB reads files written by encodeParquet: every value, the footer statistics it prunes row groups with,
// and the schema, which must match the hyparquet-writer reference's exactly.

const INGESTED_AT = Date.UTC(2024, 5, 1);
const STATS_MAX_BYTES = 64;

let dir: string;
let instance: DuckDBInstance;
let db: DuckDBConnection;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zoomlake-parquet-'));
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run(`SET TimeZone='UTC'`);
});

afterAll(async () => {
  db.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function writeTemp(bytes: Uint8Array): Promise<string> {
  const file = join(dir, `f${++fileCount}.parquet`);
  await writeFile(file, bytes);
  return file;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  const names = reader.columnNames();
  return reader.getRowsJson().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] ?? null])));
}

const quoted = (name: string) => `"${name}"`;

/** Every row as DuckDB reads it, in file order: timestamps (TIMESTAMPTZ) as epoch ms, BIGINTs as numbers. */
async function readRows(file: string, def: TableDef): Promise<Record<string, unknown>[]> {
  const cols = tableColumns(def);
  const select = cols.map((c) => (c.type === 'timestamp' ? `epoch_ms(${quoted(c.name)}) AS ${quoted(c.name)}` : quoted(c.name))).join(', ');
  const rows = await query(`SELECT ${select} FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`);
  return rows.map((r) =>
    Object.fromEntries(
      cols.map((c) => {
        const v = r[c.name];
        return [c.name, (c.type === 'bigint' || c.type === 'timestamp') && v !== null ? Number(v) : v];
      }),
    ),
  );
}

/** A statistic as DuckDB's parquet_metadata() prints it, parsed back into a cell value. */
function parseStat(type: ColumnType, text: unknown): CellValue | undefined {
  if (text === null || text === undefined) return undefined;
  const s = String(text);
  switch (type) {
    case 'string':
      return s;
    case 'boolean':
      return s === 'true';
    case 'timestamp':
      return Date.parse(s.replace(' ', 'T').replace(/\+00$/, 'Z'));
    default:
      return Number(s);
  }
}

/** Checks DuckDB's view of every column chunk's statistics against values computed from the input rows. */
async function checkStats(file: string, def: TableDef, rows: readonly Row[]): Promise<void> {
  const cols = tableColumns(def);
  const meta = await query(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, stats_min_value, stats_max_value, stats_null_count, compression
     FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`,
  );
  let start = 0;
  let group = -1;
  for (const m of meta) {
    if (Number(m.row_group_id) !== group) {
      if (group >= 0) start += Number(meta.find((x) => Number(x.row_group_id) === group)!.row_group_num_rows);
      group = Number(m.row_group_id);
    }
    const col = cols.find((c) => c.name === m.path_in_schema)!;
    const groupRows = rows.slice(start, start + Number(m.row_group_num_rows));
    const want = expectedStats(col, groupRows);
    const min = parseStat(col.type, m.stats_min_value);
    const max = parseStat(col.type, m.stats_max_value);
    expect({ column: col.name, nulls: Number(m.stats_null_count), codec: m.compression }).toEqual({
      column: col.name,
      nulls: want.nullCount,
      codec: 'SNAPPY',
    });
    if (want.min === undefined) {
      expect({ column: col.name, min, max }).toEqual({ column: col.name, min: undefined, max: undefined });
      continue;
    }
    if (col.type === 'string' && Buffer.byteLength(String(want.max)) > STATS_MAX_BYTES) {
      expect(Buffer.byteLength(String(max))).toBeLessThanOrEqual(STATS_MAX_BYTES);
      expect(utf8Compare(String(max), String(want.max))).toBeGreaterThan(0);
    } else expect({ column: col.name, max }).toEqual({ column: col.name, max: want.max });
    if (col.type === 'string' && Buffer.byteLength(String(want.min)) > STATS_MAX_BYTES) {
      expect(Buffer.byteLength(String(min))).toBeLessThanOrEqual(STATS_MAX_BYTES);
      expect(String(want.min).startsWith(String(min))).toBe(true);
    } else expect({ column: col.name, min }).toEqual({ column: col.name, min: want.min });
  }
  const counted = await query(`SELECT count(*) AS n FROM read_parquet('${file}')`);
  expect(Number(counted[0]!.n)).toBe(rows.length);
}

/** Writes the rows with encodeParquet, then checks DuckDB reads back every value and statistic. */
async function roundTrip(def: TableDef, rows: readonly Row[], options?: ParquetOptions): Promise<string> {
  const file = await writeTemp(encodeParquet(def, rows, 'zoomlake-test', options));
  const cols = tableColumns(def);
  expect(await readRows(file, def)).toEqual(rows.map((r) => Object.fromEntries(cols.map((c) => [c.name, r[c.name] ?? null]))));
  await checkStats(file, def, rows);
  return file;
}

async function parquetSchema(file: string): Promise<Record<string, unknown>[]> {
  return query(
    `SELECT name, type, type_length, repetition_type, num_children, converted_type, scale, precision, field_id, logical_type, duckdb_type
     FROM parquet_schema('${file}')`,
  );
}

function preparedRows(def: TableDef, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const prepared = prepareRow(def, sampleRow(def, i), INGESTED_AT);
    if (!prepared.ok) throw new Error(prepared.problems.join('; '));
    return prepared.value.row;
  });
}

describe.each(TABLES.map((t) => t.name))('DuckDB reads encodeParquet files: %s', (tableName) => {
  const def = TABLES.find((t) => t.name === tableName)!;
  const rows = preparedRows(def, 40);

  it.each([
    ['defaults', {}],
    ['no dictionary', { dictionaryBytes: 0 }],
    ['tiny pages and row groups', { pageBytes: 24, rowGroupRows: 7 }],
  ] as [string, ParquetOptions][])('every value and statistic (%s)', async (_layout, options) => {
    await roundTrip(def, rows, options);
  });

  it('has the same parquet_schema() as a file of the hyparquet-writer reference', async () => {
    const fast = await writeTemp(encodeParquet(def, rows));
    const reference = await writeTemp(encodeParquetReference(def, rows));
    const schema = await parquetSchema(fast);
    expect(schema).toHaveLength(tableColumns(def).length + 1);
    expect(schema).toEqual(await parquetSchema(reference));
  });
});

const EDGE = EDGE_TABLE;
const edgeRows = (count: number, fill: (i: number) => Row): Row[] => edgeRowsAt(count, INGESTED_AT, fill);

const json = '{"text":"she said \\"hi\\"\\nthen left","path":"C:\\\\tmp","tab":"\t","nl":"\n"}';

const EDGE_CASES: [string, Row[], ParquetOptions?][] = [
  ['zero rows', []],
  ['one row', edgeRows(1, () => ({ s: 'only', i: 1, b: 2, d: 3.25, f: true, t: Date.UTC(2024, 0, 1) }))],
  ['all-null optional columns', edgeRows(300, () => ({}))],
  ['all-same string (dictionary)', edgeRows(5000, () => ({ s: 'same', rs: 'same' }))],
  ['all-distinct strings (PLAIN)', edgeRows(40_000, (i) => ({ s: `distinct-${i}-${(i * 7919) % 100_003}` }))],
  [
    'dictionary falling back to PLAIN mid-chunk',
    edgeRows(2000, (i) => ({ s: `v${i % 300}`, rs: `w${i}` })),
    { dictionaryBytes: 600, pageBytes: 256 },
  ],
  ['non-ASCII strings, UTF-8 order statistics', edgeRows(7, (i) => ({ s: ['é', '日本', '😀', 'ｚ', 'a', 'Z', 'zé'][i]!, rs: ['😀', 'ｚ'][i % 2]! }))],
  ['empty string vs NULL', edgeRows(5, (i) => ({ s: ['', null, 'a', '', null][i]!, rs: '' }))],
  ['several MB of strings over several pages', edgeRows(3000, (i) => ({ s: `${i}:`.padEnd(2048, String.fromCharCode(97 + (i % 26))) }))],
  [
    'more rows than the row-group cap',
    edgeRows(25, (i) => ({ s: `s${i % 3}`, i: i - 12, b: i * 1000, d: i / 4, f: i % 2 === 0, t: Date.UTC(2024, 0, 1 + i) })),
    { rowGroupRows: 10 },
  ],
  ['int32 extremes', edgeRows(3, (i) => ({ i: [-(2 ** 31), 2 ** 31 - 1, 0][i]! }))],
  ['negative numbers', edgeRows(4, (i) => ({ i: -7 * (i + 1), b: -5_000_000_000 * (i + 1), d: -1.5 * (i + 1), t: Date.UTC(2001, 0, 1) - i }))],
  ['booleans across byte boundaries', edgeRows(17, (i) => ({ f: i === 16 ? null : i % 3 === 0 }))],
  ['large and 32-bit-boundary bigints', edgeRows(6, (i) => ({ b: [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, 2 ** 32 - 1, -(2 ** 32), -1][i]! }))],
  ['JSON text with quotes, backslashes and newlines', edgeRows(3, (i) => ({ s: i === 1 ? null : json, rs: json }))],
  [
    'strings over 64 bytes (truncated statistics)',
    edgeRows(3, (i) => ({ s: ['é'.repeat(40), 'é'.repeat(39) + 'ê', 'b'.repeat(100)][i]!, rs: `${'z'.repeat(70)}${i}` })),
  ],
  ['NULLs after a full dictionary page (empty dictionary-encoded page)', edgeRows(4101, (i) => ({ s: i < 4096 ? 'x' : null })), { pageBytes: 1 }],
  [
    'mixed NULLs with tiny pages in every column type',
    edgeRows(200, (i) => (i % 5 === 0 ? {} : { s: `s${i % 11}`, i, b: i * 3, d: i / 3, f: i % 7 === 0, t: Date.UTC(2024, 0, 1, i) })),
    { pageBytes: 16, rowGroupRows: 64 },
  ],
  [
    'repetitive data that Snappy compresses well',
    edgeRows(20_000, (i) => ({ s: `${'abc'.repeat(20)}${i % 2}`, b: 42, t: Date.UTC(2024, 0, 1) })),
    { dictionaryBytes: 0 },
  ],
];

describe('DuckDB reads encodeParquet edge cases', () => {
  it.each(EDGE_CASES)('%s', async (_name, rows, options) => {
    await roundTrip(EDGE, rows, options);
  });

  it('prunes row groups on string statistics in UTF-8 order', async () => {
    // The second row group holds 'ｚ' (EF BD 9A) and '😀' (F0 9F 98 80): its max must be '😀'. A max taken in
    // UTF-16 order ('ｚ', as FF5A > D83D) would let DuckDB skip the group and miss the row.
    const rows = edgeRows(4, (i) => ({ s: ['a', 'b', 'ｚ', '😀'][i]! }));
    const file = await roundTrip(EDGE, rows, { rowGroupRows: 2 });
    expect(await query(`SELECT s FROM read_parquet('${file}') WHERE s = '😀'`)).toEqual([{ s: '😀' }]);
    expect(await query(`SELECT s FROM read_parquet('${file}') WHERE s > 'b' ORDER BY s`)).toEqual([{ s: 'ｚ' }, { s: '😀' }]);
  });
});
