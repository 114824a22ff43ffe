import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { encodeParquet, type ParquetOptions } from '#core/lake/parquet/encode.ts';
import { encodeParquetReference } from '../support/reference-parquet.ts';
import { prepareRow } from '#core/lake/records.ts';
import { tableColumns } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { ColumnDef, Row, TableDef } from '#core/schema/types.ts';
import { sampleRow } from '../support/sample-rows.ts';
import { EDGE_TABLE, edgeRows as edgeRowsAt, expectedStats, utf8Compare } from '../support/parquet-fixtures.ts';

const INGESTED_AT = Date.UTC(2024, 5, 1);
const STATS_MAX_BYTES = 64;

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** hyparquet's value for a cell as the writer took it: Dates and BigInts back to epoch ms / numbers. */
function normal(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return Number(v);
  return v ?? null;
}

async function readBack(bytes: Uint8Array) {
  const file = toArrayBuffer(bytes);
  return { metadata: parquetMetadata(file), rows: await parquetReadObjects({ file }) };
}

/** The rows hyparquet read, as plain cell values, every stored column present. */
function cells(def: TableDef, rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(tableColumns(def).map((c) => [c.name, normal(r[c.name])])));
}

type Stats = { null_count?: bigint; min_value?: unknown; max_value?: unknown; is_min_value_exact?: boolean; is_max_value_exact?: boolean };

/** Checks one column chunk's statistics against the input; long strings against the truncation contract. */
function checkStats(col: ColumnDef, rows: readonly Row[], stats: Stats | undefined): void {
  const want = expectedStats(col, rows);
  expect({ column: col.name, nulls: Number(stats?.null_count) }).toEqual({ column: col.name, nulls: want.nullCount });
  if (want.min === undefined) {
    expect({ column: col.name, min: stats?.min_value, max: stats?.max_value }).toEqual({ column: col.name, min: undefined, max: undefined });
    return;
  }
  const min = normal(stats?.min_value);
  const max = normal(stats?.max_value);
  if (col.type === 'string' && Buffer.byteLength(String(want.max)) > STATS_MAX_BYTES) {
    // Truncated upper bound: short, and still above every value.
    expect(Buffer.byteLength(String(max))).toBeLessThanOrEqual(STATS_MAX_BYTES);
    expect(utf8Compare(String(max), String(want.max))).toBeGreaterThan(0);
    expect(stats?.is_max_value_exact).toBe(false);
  } else expect({ column: col.name, max }).toEqual({ column: col.name, max: want.max });
  if (col.type === 'string' && Buffer.byteLength(String(want.min)) > STATS_MAX_BYTES) {
    // Truncated lower bound: a prefix of the minimum, cut on a code point boundary.
    expect(Buffer.byteLength(String(min))).toBeLessThanOrEqual(STATS_MAX_BYTES);
    expect(String(want.min).startsWith(String(min))).toBe(true);
    expect(stats?.is_min_value_exact).toBe(false);
  } else expect({ column: col.name, min }).toEqual({ column: col.name, min: want.min });
}

/** Encodes, reads back with hyparquet, and checks every value and every chunk's statistics against the input. */
async function roundTrip(def: TableDef, rows: readonly Row[], options?: ParquetOptions) {
  const bytes = encodeParquet(def, rows, 'zoomlake-test', options);
  const { metadata, rows: read } = await readBack(bytes);
  const cols = tableColumns(def);
  expect(Number(metadata.num_rows)).toBe(rows.length);
  expect(cells(def, read)).toEqual(rows.map((r) => Object.fromEntries(cols.map((c) => [c.name, r[c.name] ?? null]))));
  let start = 0;
  for (const group of metadata.row_groups) {
    const n = Number(group.num_rows);
    const groupRows = rows.slice(start, start + n);
    start += n;
    for (const [i, chunk] of group.columns.entries()) {
      expect(chunk.meta_data?.codec).toBe('SNAPPY');
      expect(Number(chunk.meta_data?.num_values)).toBe(n);
      checkStats(cols[i]!, groupRows, chunk.meta_data?.statistics);
    }
  }
  expect(start).toBe(rows.length);
  return { bytes, metadata };
}

function preparedRows(def: TableDef, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const prepared = prepareRow(def, sampleRow(def, i), INGESTED_AT);
    if (!prepared.ok) throw new Error(prepared.problems.join('; '));
    return prepared.value.row;
  });
}

const schemaOf = (bytes: Uint8Array) =>
  parquetMetadata(toArrayBuffer(bytes)).schema.map(({ name, type, repetition_type, converted_type, logical_type, num_children }) => ({
    name,
    type,
    repetition_type,
    converted_type,
    logical_type,
    num_children,
  }));

// Option sets that push every table through the dictionary path, the PLAIN path, and many pages and row groups.
const LAYOUTS: [string, ParquetOptions][] = [
  ['defaults', {}],
  ['no dictionary', { dictionaryBytes: 0 }],
  ['tiny pages and row groups', { pageBytes: 24, rowGroupRows: 7 }],
];

describe.each(TABLES.map((t) => t.name))('encodeParquet: %s', (tableName) => {
  const def = TABLES.find((t) => t.name === tableName)!;
  const rows = preparedRows(def, 40);

  it.each(LAYOUTS)('reads back every value and statistic through hyparquet (%s)', async (_layout, options) => {
    await roundTrip(def, rows, options);
  });

  it('has the same schema, key-value metadata and created_by as the hyparquet-writer reference', () => {
    const fast = encodeParquet(def, rows);
    expect(schemaOf(fast)).toEqual(schemaOf(encodeParquetReference(def, rows)));
    const metadata = parquetMetadata(toArrayBuffer(fast));
    expect(metadata.key_value_metadata).toEqual([{ key: 'zoomlake.table', value: def.name }]);
    expect(metadata.created_by).toBe('zoomlake');
  });
});

const EDGE = EDGE_TABLE;
const edgeRows = (count: number, fill: (i: number) => Row): Row[] => edgeRowsAt(count, INGESTED_AT, fill);

interface EdgeCase {
  readonly name: string;
  readonly rows: Row[];
  readonly options?: ParquetOptions;
  /** Extra checks on the footer. */
  readonly check?: (metadata: ReturnType<typeof parquetMetadata>) => void;
}

const column = (metadata: ReturnType<typeof parquetMetadata>, name: string, group = 0) =>
  metadata.row_groups[group]!.columns.find((c) => c.meta_data?.path_in_schema[0] === name)!.meta_data!;
const pageCounts = (metadata: ReturnType<typeof parquetMetadata>, name: string, group = 0) =>
  Object.fromEntries((column(metadata, name, group).encoding_stats ?? []).map((e) => [`${e.page_type} ${e.encoding}`, e.count]));

const json = '{"text":"she said \\"hi\\"\\nthen left","path":"C:\\\\tmp","tab":"\t","nl":"\n"}';

const EDGE_CASES: EdgeCase[] = [
  {
    name: 'zero rows',
    rows: [],
    check: (m) => expect(m.row_groups).toEqual([]),
  },
  { name: 'one row', rows: edgeRows(1, () => ({ s: 'only', i: 1, b: 2, d: 3.25, f: true, t: Date.UTC(2024, 0, 1) })) },
  {
    name: 'all-null optional columns',
    rows: edgeRows(300, () => ({})),
    check: (m) => expect(column(m, 's').statistics?.null_count).toBe(300n),
  },
  {
    name: 'all-same string: dictionary',
    rows: edgeRows(5000, () => ({ s: 'same', rs: 'same' })),
    check: (m) => {
      expect(column(m, 's').dictionary_page_offset).toBeDefined();
      expect(pageCounts(m, 's')).toEqual({ 'DICTIONARY_PAGE PLAIN': 1, 'DATA_PAGE RLE_DICTIONARY': 1 });
    },
  },
  {
    name: 'all-distinct strings: PLAIN after the dictionary probe',
    rows: edgeRows(40_000, (i) => ({ s: `distinct-${i}-${(i * 7919) % 100_003}` })),
    check: (m) => {
      expect(column(m, 's').dictionary_page_offset).toBeUndefined();
      expect(column(m, 's').encodings).not.toContain('RLE_DICTIONARY');
    },
  },
  {
    name: 'dictionary outgrowing its cap falls back to PLAIN mid-chunk',
    rows: edgeRows(2000, (i) => ({ s: `v${i % 300}`, rs: `w${i}` })),
    options: { dictionaryBytes: 600, pageBytes: 256 },
    check: (m) => {
      const pages = pageCounts(m, 's');
      expect(pages['DICTIONARY_PAGE PLAIN']).toBe(1);
      expect(pages['DATA_PAGE RLE_DICTIONARY']).toBeGreaterThan(0);
      expect(pages['DATA_PAGE PLAIN']).toBeGreaterThan(0);
    },
  },
  {
    name: 'non-ASCII strings, min/max in UTF-8 byte order (not UTF-16)',
    // UTF-16 puts 😀 (D83D) below ｚ (FF5A); UTF-8 puts it above (F0 > EF), as Parquet requires.
    rows: edgeRows(7, (i) => ({ s: ['é', '日本', '😀', 'ｚ', 'a', 'Z', 'zé'][i]!, rs: ['😀', 'ｚ'][i % 2]! })),
    check: (m) => expect([column(m, 's').statistics?.min_value, column(m, 's').statistics?.max_value]).toEqual(['Z', '😀']),
  },
  {
    name: 'empty string is not NULL',
    rows: edgeRows(5, (i) => ({ s: ['', null, 'a', '', null][i]!, rs: '' })),
    check: (m) => expect(column(m, 's').statistics).toMatchObject({ null_count: 2n, min_value: '', max_value: 'a' }),
  },
  {
    name: 'several MB of strings span several pages',
    rows: edgeRows(3000, (i) => ({ s: `${i}:`.padEnd(2048, String.fromCharCode(97 + (i % 26))) })),
    check: (m) => expect(pageCounts(m, 's')['DATA_PAGE PLAIN']).toBeGreaterThan(4),
  },
  {
    name: 'more rows than the row-group cap',
    rows: edgeRows(25, (i) => ({ s: `s${i % 3}`, i: i - 12, b: i * 1000, d: i / 4, f: i % 2 === 0, t: Date.UTC(2024, 0, 1 + i) })),
    options: { rowGroupRows: 10 },
    check: (m) => expect(m.row_groups.map((g) => Number(g.num_rows))).toEqual([10, 10, 5]),
  },
  { name: 'int32 extremes', rows: edgeRows(3, (i) => ({ i: [-(2 ** 31), 2 ** 31 - 1, 0][i]! })) },
  {
    name: 'negative numbers',
    rows: edgeRows(4, (i) => ({ i: -7 * (i + 1), b: -5_000_000_000 * (i + 1), d: -1.5 * (i + 1), t: Date.UTC(2001, 0, 1) - i })),
  },
  { name: 'booleans across byte boundaries', rows: edgeRows(17, (i) => ({ f: i === 16 ? null : i % 3 === 0 })) },
  { name: 'all-true booleans', rows: edgeRows(9, () => ({ f: true })) },
  {
    name: 'large and 32-bit-boundary bigints',
    rows: edgeRows(6, (i) => ({ b: [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, 2 ** 32 - 1, -(2 ** 32), -1][i]! })),
  },
  { name: 'JSON text with quotes, backslashes and newlines', rows: edgeRows(3, (i) => ({ s: i === 1 ? null : json, rs: json })) },
  {
    name: 'strings over 64 bytes get truncated, still bounding statistics',
    rows: edgeRows(3, (i) => ({ s: ['é'.repeat(40), 'é'.repeat(39) + 'ê', 'b'.repeat(100)][i]!, rs: `${'z'.repeat(70)}${i}` })),
  },
  {
    name: 'NULLs after a full dictionary page: an empty dictionary-encoded page',
    rows: edgeRows(4101, (i) => ({ s: i < 4096 ? 'x' : null })),
    options: { pageBytes: 1 },
    check: (m) => expect(pageCounts(m, 's')).toEqual({ 'DICTIONARY_PAGE PLAIN': 1, 'DATA_PAGE RLE_DICTIONARY': 2 }),
  },
  {
    name: 'doubles around zero: statistics say -0.0 and +0.0',
    rows: edgeRows(2, (i) => ({ d: i === 0 ? 0 : -0 })),
    check: (m) => {
      expect(Object.is(column(m, 'd').statistics?.min_value, -0)).toBe(true);
      expect(Object.is(column(m, 'd').statistics?.max_value, 0)).toBe(true);
    },
  },
  {
    name: 'mixed NULLs with tiny pages in every column type',
    rows: edgeRows(200, (i) => (i % 5 === 0 ? {} : { s: `s${i % 11}`, i: i, b: i * 3, d: i / 3, f: i % 7 === 0, t: Date.UTC(2024, 0, 1, i) })),
    options: { pageBytes: 16, rowGroupRows: 64 },
  },
  {
    name: 'repetitive data that Snappy compresses well',
    rows: edgeRows(20_000, (i) => ({ s: `${'abc'.repeat(20)}${i % 2}`, b: 42, t: Date.UTC(2024, 0, 1) })),
    options: { dictionaryBytes: 0 },
    check: (m) => expect(Number(column(m, 's').total_compressed_size)).toBeLessThan(Number(column(m, 's').total_uncompressed_size) / 10),
  },
];

describe('encodeParquet edge cases', () => {
  it.each(EDGE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { metadata } = await roundTrip(EDGE, c.rows, c.options);
    c.check?.(metadata);
  });

  it('rejects a NULL in a NOT NULL column, naming the column and row', () => {
    const rows = edgeRows(3, () => ({}));
    rows[2] = { ...rows[2], rs: null };
    expect(() => encodeParquet(EDGE, rows)).toThrow('rs is NOT NULL but row 2 has no value');
  });

  it('rejects a value of the wrong type, naming the column and row', () => {
    const rows = edgeRows(3, () => ({}));
    rows[1] = { ...rows[1], i: 'seven' };
    expect(() => encodeParquet(EDGE, rows)).toThrow('i is int but row 1 holds a string');
  });

  it('writes the same file for the same rows', () => {
    const rows = edgeRows(500, (i) => ({ s: `s${i % 9}`, i, d: i / 2 }));
    expect(Buffer.from(encodeParquet(EDGE, rows)).equals(Buffer.from(encodeParquet(EDGE, rows)))).toBe(true);
  });
});
