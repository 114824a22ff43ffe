/**
 * Reads the lake's own Parquet files back (the compaction), with hyparquet: cells come out as the writer took them
 * (timestamps as epoch milliseconds, 64-bit integers as numbers), so a row read here encodes to the same file.
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { tableColumns } from '../../schema/registry.ts';
import type { CellValue, ColumnDef, Row, TableDef } from '../../schema/types.ts';

/** A file's bytes as hyparquet takes them (an ArrayBuffer exactly the file's length). */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

// The writer stores timestamps as INT64 TIMESTAMP(MILLIS): keep them as the epoch milliseconds they were.
const PARSERS = { timestampFromMilliseconds: (millis: bigint) => Number(millis) };

/** One cell as the writer took it, from hyparquet's value for a column of `type`. */
function cellOf(col: ColumnDef, v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new Error(`column ${col.name} holds a ${typeof v}, not a ${col.type}`);
}

/**
 * What is wrong with a file's columns against its table, or undefined when every column it holds is one of the
 * table's and every required column is there. A column the table lacks would be lost by re-encoding the file.
 */
export function schemaProblem(def: TableDef, bytes: Uint8Array): string | undefined {
  const metadata = parquetMetadata(arrayBufferOf(bytes));
  const stored = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const cols = tableColumns(def);
  const unknown = [...stored].filter((name) => !cols.some((c) => c.name === name));
  if (unknown.length > 0) return `columns ${unknown.join(', ')} are not in table ${def.name}`;
  const missing = cols.filter((c) => !c.nullable && !stored.has(c.name)).map((c) => c.name);
  if (missing.length > 0) return `required columns ${missing.join(', ')} are missing`;
  return undefined;
}

/** Every row's `record_id` and `ingested_at` (epoch ms), in file order. */
export async function readRecordIds(bytes: Uint8Array): Promise<{ recordIds: string[]; ingestedAt: number[] }> {
  const rows = await parquetReadObjects({ file: arrayBufferOf(bytes), columns: ['record_id', 'ingested_at'], parsers: PARSERS });
  const recordIds: string[] = [];
  const ingestedAt: number[] = [];
  for (const row of rows) {
    const id: unknown = row.record_id;
    const at: unknown = row.ingested_at;
    if (typeof id !== 'string' || typeof at !== 'number') throw new Error('a row lacks its record_id or ingested_at');
    recordIds.push(id);
    ingestedAt.push(at);
  }
  return { recordIds, ingestedAt };
}

/** Every row of a lake file as the writer took it: the table's columns, a column the file lacks as NULL. */
export async function readRows(def: TableDef, bytes: Uint8Array): Promise<Row[]> {
  const cols = tableColumns(def);
  const raw = await parquetReadObjects({ file: arrayBufferOf(bytes), parsers: PARSERS });
  return raw.map((r) => {
    const row: Record<string, CellValue> = {};
    for (const col of cols) row[col.name] = cellOf(col, r[col.name]);
    return row;
  });
}
