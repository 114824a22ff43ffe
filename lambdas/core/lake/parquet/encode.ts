/**
 * The lake's Parquet encoder, specialised for its six column types (docs/adr/0001-parquet-writer.md). It writes the
 * same logical file as the hyparquet-writer reference in test/support/reference-parquet.ts (same schema, SNAPPY,
 * min/max/null_count statistics, `zoomlake.table` metadata) without that library's generic paths, which cost
 * ~7x more per row here.
 *
 * Layout: row groups of up to `rowGroupRows` rows; per column chunk, data pages v1 of about `pageBytes`
 * (pages.ts); strings dictionary-encoded unless mostly distinct, numbers and booleans PLAIN (encode-column.ts);
 * the footer last (footer.ts). Thrift compact protocol and raw Snappy are written here too (thrift.ts,
 * snappy.ts): both are small, and hyparquet-writer does not export its own.
 */
import { tableColumns } from '../../schema/registry.ts';
import type { Row, TableDef } from '../../schema/types.ts';
import { ByteBuf } from './bytes.ts';
import type { RowGroupMeta } from './chunk.ts';
import { ColumnEncoder, type AddedColumns } from './encode-column.ts';
import { writeFooter } from './footer.ts';
import { MAGIC } from './format.ts';

/** Size knobs for `encodeParquet`; the defaults suit Athena and DuckDB, tests shrink them to reach edge cases. */
export interface ParquetOptions {
  /** Rows per row group; larger inputs are split into several (default 122,880, DuckDB's own default). */
  readonly rowGroupRows?: number;
  /** Uncompressed value bytes after which a data page is closed (default 1 MiB). */
  readonly pageBytes?: number;
  /** Dictionary size (value bytes plus 4 per entry) past which a string column switches to PLAIN (default 1 MiB). */
  readonly dictionaryBytes?: number;
}

const DEFAULT_ROW_GROUP_ROWS = 122_880;
const DEFAULT_PAGE_BYTES = 1 << 20;
const DEFAULT_DICTIONARY_BYTES = 1 << 20;

function sizeOption(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`encodeParquet: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Grows the file buffer, once, to what `rowsLeft` more rows should need at the rate seen over `rowsDone`. */
function reserve(out: ByteBuf, rowsDone: number, rowsLeft: number): void {
  if (rowsDone === 0 || rowsLeft === 0) return;
  out.ensure(Math.ceil((out.pos / rowsDone) * rowsLeft * 1.05) + (1 << 16));
}

/**
 * Encodes validated rows as one Snappy Parquet file, logically identical to `encodeParquetReference`'s (schema,
 * statistics, metadata) but several times faster. A large result may be a view of a slightly larger ArrayBuffer:
 * use its byteOffset and byteLength, as for any Uint8Array. A column in `added` takes its values from there (one per
 * row, by index) instead of from the rows: the same file as rows copied with those values set.
 */
export function encodeParquet(
  def: TableDef,
  rows: readonly Row[],
  createdBy = 'zoomlake',
  options: ParquetOptions = {},
  added: AddedColumns = {},
): Uint8Array {
  const cols = tableColumns(def);
  const groupRows = sizeOption('rowGroupRows', options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS, 1);
  const pageBytes = sizeOption('pageBytes', options.pageBytes ?? DEFAULT_PAGE_BYTES, 1);
  const dictionaryBytes = sizeOption('dictionaryBytes', options.dictionaryBytes ?? DEFAULT_DICTIONARY_BYTES, 0);
  const firstGroupRows = Math.min(groupRows, rows.length);
  // Sized for the first row group; `reserve` sizes it for the rest once the first shows the bytes per row.
  const out = new ByteBuf(firstGroupRows * 160 + (1 << 16));
  const encoder = new ColumnEncoder(cols, out, firstGroupRows, pageBytes, dictionaryBytes);
  out.append(MAGIC);
  const groups: RowGroupMeta[] = [];
  for (let r0 = 0; r0 < rows.length; r0 += groupRows) {
    const r1 = Math.min(rows.length, r0 + groupRows);
    groups.push(encoder.rowGroup(rows, r0, r1, added));
    if (r0 === 0) reserve(out, r1, rows.length - r1);
  }
  writeFooter(out, def, cols, groups, rows.length, createdBy);
  out.append(MAGIC);
  // A view when the buffer is nearly full: copying a large file would cost another full collection (see reserve).
  const size = out.pos;
  const file = new Uint8Array(out.buf.buffer, out.buf.byteOffset, size);
  return size * 1.125 >= out.buf.length ? file : file.slice();
}
