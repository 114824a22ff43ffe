import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { tableColumns } from '#core/schema/registry.ts';
import type { ColumnDef, ColumnType, Row, TableDef } from '#core/schema/types.ts';

/** Parquet schema element for one column type (timestamps: INT64 TIMESTAMP(MILLIS, UTC), which Athena reads as `timestamp`). */
const PARQUET_TYPES: Readonly<Record<ColumnType, Omit<SchemaElement, 'name' | 'repetition_type'>>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  bigint: { type: 'INT64' },
  int: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
};

/** The Parquet schema a table's files carry, derived from the table definition. */
export function parquetSchema(def: TableDef): SchemaElement[] {
  const cols = tableColumns(def);
  return [
    { name: 'schema', num_children: cols.length },
    ...cols.map((c) => ({ name: c.name, repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED', ...PARQUET_TYPES[c.type] }) as SchemaElement),
  ];
}

// A dictionary pays off only for repeated values; deciding on a sample keeps ids and raw JSON PLAIN cheaply.
const DICTIONARY_SAMPLE = 10_000;
function repeats(values: readonly unknown[]): boolean {
  const step = Math.max(1, Math.floor(values.length / DICTIONARY_SAMPLE));
  const seen = new Set<unknown>();
  let sampled = 0;
  for (let i = 0; i < values.length; i += step) {
    const v = values[i];
    if (v === null) continue;
    seen.add(v);
    sampled++;
  }
  return sampled > 0 && seen.size <= sampled / 2;
}

function columnData(col: ColumnDef, rows: readonly Row[]): ColumnSource {
  const n = rows.length;
  let data: unknown[];
  if (col.type === 'bigint' || col.type === 'timestamp') {
    data = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![col.name];
      data[i] = v === null || v === undefined ? null : BigInt(v as number);
    }
  } else {
    data = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![col.name];
      data[i] = v === undefined ? null : v;
    }
  }
  const encoding = col.type !== 'string' ? undefined : repeats(data) ? ('RLE_DICTIONARY' as const) : ('PLAIN' as const);
  return { name: col.name, data: data as ColumnSource['data'], nullable: col.nullable, ...(encoding ? { encoding } : {}) };
}

/**
 * The reference encoder: the same logical file as the lake's own encoder (lambdas/core/lake/parquet/), written
 * with hyparquet-writer, an independent implementation. Tests compare schemas against it and the bench compares
 * speed and size; production code does not use it (see docs/adr/0001-parquet-writer.md).
 */
export function encodeParquetReference(def: TableDef, rows: readonly Row[], createdBy = 'zoomlake'): Uint8Array {
  const cols = tableColumns(def);
  const buffer = parquetWriteBuffer({
    columnData: cols.map((c) => columnData(c, rows)),
    schema: parquetSchema(def),
    codec: 'SNAPPY',
    rowGroupSize: 250_000,
    createdBy,
    kvMetadata: [{ key: 'zoomlake.table', value: def.name }],
  });
  return new Uint8Array(buffer);
}
