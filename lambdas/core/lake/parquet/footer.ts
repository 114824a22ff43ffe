import type { ColumnDef, TableDef } from '../../schema/types.ts';
import type { ByteBuf } from './bytes.ts';
import type { ChunkMeta, RowGroupMeta } from './chunk.ts';
import {
  CODEC_SNAPPY,
  CONVERTED_TIMESTAMP_MILLIS,
  CONVERTED_UTF8,
  E_PLAIN,
  E_RLE,
  E_RLE_DICTIONARY,
  OPTIONAL,
  PAGE_DATA,
  PAGE_DICTIONARY,
  PHYSICAL,
  REQUIRED,
} from './format.ts';
import { CT_BINARY, CT_I32, CT_STRUCT, Thrift } from './thrift.ts';

/* The file footer: FileMetaData (schema, row groups and their column chunks, key-value metadata, column orders). */

function writeSchema(t: Thrift, cols: readonly ColumnDef[]): void {
  t.list(2, CT_STRUCT, cols.length + 1);
  t.element();
  t.string(4, 'schema');
  t.i32(5, cols.length);
  t.end();
  for (const c of cols) {
    t.element();
    t.i32(1, PHYSICAL[c.type]);
    t.i32(3, c.nullable ? OPTIONAL : REQUIRED);
    t.string(4, c.name);
    if (c.type === 'string') {
      t.i32(6, CONVERTED_UTF8);
      t.struct(10);
      t.struct(1); // STRING
      t.end();
      t.end();
    } else if (c.type === 'timestamp') {
      t.i32(6, CONVERTED_TIMESTAMP_MILLIS);
      t.struct(10);
      t.struct(8); // TIMESTAMP
      t.bool(1, true); // isAdjustedToUTC
      t.struct(2); // unit
      t.struct(1); // MILLIS
      t.end();
      t.end();
      t.end();
      t.end();
    }
    t.end();
  }
}

function writeColumnChunk(t: Thrift, m: ChunkMeta): void {
  t.element();
  t.i64(2, m.start);
  t.struct(3);
  t.i32(1, m.physical);
  const encodings = m.dictionaryPages > 0 ? [E_PLAIN, E_RLE, E_RLE_DICTIONARY] : [E_PLAIN, E_RLE];
  t.list(2, CT_I32, encodings.length);
  for (const e of encodings) t.elemI32(e);
  t.list(3, CT_BINARY, 1);
  t.elemString(m.col.name);
  t.i32(4, CODEC_SNAPPY);
  t.i64(5, m.numValues);
  t.i64(6, m.uncompressed);
  t.i64(7, m.compressed);
  t.i64(9, m.dataPageOffset);
  if (m.dictionaryPageOffset >= 0) t.i64(11, m.dictionaryPageOffset);
  t.struct(12);
  t.i64(3, m.nullCount);
  if (m.min !== undefined && m.max !== undefined) {
    t.binary(5, m.max);
    t.binary(6, m.min);
    if (!m.maxExact) t.bool(7, false);
    if (!m.minExact) t.bool(8, false);
  }
  t.end();
  // Page counts per encoding: lets Trino see that a chunk is dictionary-only and filter on the dictionary.
  const stats: [number, number, number][] = [];
  if (m.dictionaryPages > 0) stats.push([PAGE_DICTIONARY, E_PLAIN, m.dictionaryPages]);
  if (m.dictionaryDataPages > 0) stats.push([PAGE_DATA, E_RLE_DICTIONARY, m.dictionaryDataPages]);
  if (m.plainPages > 0) stats.push([PAGE_DATA, E_PLAIN, m.plainPages]);
  t.list(13, CT_STRUCT, stats.length);
  for (const [pageType, encoding, count] of stats) {
    t.element();
    t.i32(1, pageType);
    t.i32(2, encoding);
    t.i32(3, count);
    t.end();
  }
  t.end();
  t.end();
}

/** FileMetaData followed by its 4-byte length. */
export function writeFooter(
  out: ByteBuf,
  def: TableDef,
  cols: readonly ColumnDef[],
  groups: readonly RowGroupMeta[],
  numRows: number,
  createdBy: string,
): void {
  const start = out.pos;
  const t = new Thrift(out);
  t.i32(1, 2);
  writeSchema(t, cols);
  t.i64(3, numRows);
  t.list(4, CT_STRUCT, groups.length);
  for (const g of groups) {
    t.element();
    t.list(1, CT_STRUCT, g.chunks.length);
    for (const m of g.chunks) writeColumnChunk(t, m);
    t.i64(
      2,
      g.chunks.reduce((sum, m) => sum + m.uncompressed, 0),
    );
    t.i64(3, g.numRows);
    t.i64(5, g.chunks[0]?.start ?? 0);
    t.i64(
      6,
      g.chunks.reduce((sum, m) => sum + m.compressed, 0),
    );
    t.end();
  }
  t.list(5, CT_STRUCT, 1);
  t.element();
  t.string(1, 'zoomlake.table');
  t.string(2, def.name);
  t.end();
  t.string(6, createdBy);
  // One TypeDefinedOrder per column: without it, readers ignore min_value/max_value (parquet-mr, Trino).
  t.list(7, CT_STRUCT, cols.length);
  for (let i = 0; i < cols.length; i++) {
    t.element();
    t.struct(1);
    t.end();
    t.end();
  }
  out.byte(0);
  out.ensure(4);
  out.view.setUint32(out.pos, out.pos - start, true);
  out.pos += 4;
}
