import type { CellValue, ColumnDef, ColumnType, Row, TableDef } from '#core/schema/types.ts';

/** Orders strings as Parquet statistics do: by their UTF-8 bytes, unsigned. */
export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A column chunk's expected statistics. */
export interface ExpectedStats {
  nullCount: number;
  min?: CellValue;
  max?: CellValue;
}

/** Column statistics computed from the input rows: what a footer must say for them. */
export function expectedStats(col: ColumnDef, rows: readonly Row[]): ExpectedStats {
  const values = rows.map((r) => r[col.name]).filter((v): v is CellValue & {} => v !== null && v !== undefined);
  const nullCount = rows.length - values.length;
  if (values.length === 0) return { nullCount };
  if (col.type === 'string') {
    const sorted = (values as string[]).slice().sort(utf8Compare);
    return { nullCount, min: sorted[0], max: sorted[sorted.length - 1] };
  }
  if (col.type === 'boolean') return { nullCount, min: !values.includes(false), max: values.includes(true) };
  const min = Math.min(...(values as number[]));
  const max = Math.max(...(values as number[]));
  // parquet.thrift: a zero double min is written as -0.0, a zero max as +0.0.
  if (col.type === 'double') return { nullCount, min: min === 0 ? -0 : min, max: max === 0 ? 0 : max };
  return { nullCount, min, max };
}

const col = (name: string, type: ColumnType, nullable = true): ColumnDef => ({ name, type, nullable, description: name });

/** A table with one nullable column of each type, one NOT NULL string, and the common columns: for encoder edge cases. */
export const EDGE_TABLE: TableDef = {
  name: 'edge_cases',
  description: 'encoder edge cases',
  source: 'webhook',
  eventTime: 'ingested_at',
  key: ['s'],
  columns: [
    col('s', 'string'),
    col('rs', 'string', false),
    col('i', 'int'),
    col('b', 'bigint'),
    col('d', 'double'),
    col('f', 'boolean'),
    col('t', 'timestamp'),
  ],
};

/** `count` EDGE_TABLE rows: every column NULL (rs 'x') unless `fill` sets it. */
export function edgeRows(count: number, ingestedAt: number, fill: (i: number) => Row): Row[] {
  return Array.from({ length: count }, (_, i) => ({ record_id: `r${i}`, ingested_at: ingestedAt + i, rs: 'x', ...fill(i) }));
}
