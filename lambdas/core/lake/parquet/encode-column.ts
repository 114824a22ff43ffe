import type { ColumnDef, Row } from '../../schema/types.ts';
import type { ByteBuf } from './bytes.ts';
import { newChunk, type ChunkMeta, type RowGroupMeta } from './chunk.ts';
import { PageWriter } from './pages.ts';
import { doubleBytes, int32Bytes, int64Bytes, putString } from './plain.ts';
import { indexWidth } from './rle.ts';
import { MinMax } from './statistics.ts';

/*
 * Column values into pages: strings dictionary-encoded (PLAIN dictionary page, RLE_DICTIONARY data pages) unless an
 * early probe shows mostly distinct values, falling back to PLAIN pages if the dictionary outgrows `dictionaryBytes`
 * (as parquet-mr and Arrow do); numbers and booleans PLAIN.
 */

// Dictionary indices are bit-packed with JS 32-bit arithmetic, which needs widths of at most 24 bits.
const MAX_DICTIONARY_ENTRIES = 1 << 24;

// Dictionary values after which a string chunk checks that its dictionary pays for itself (its entries and
// indices are smaller than the values as PLAIN), as parquet-mr does after the first page; if not, the chunk is
// rewritten PLAIN from the start. Early enough to spare unique ids most of the dictionary work, late enough for
// a column with tens of thousands of distinct values over a row group to show its repeats.
const DICTIONARY_PROBE = 16_384;

// Rows per gathering block: small enough that a block's row objects stay in cache while every column is read.
const GATHER_BLOCK = 1024;

/** A cell as read from a row. */
type Cell = Row[string];

/**
 * Columns given beside the rows, one value per row by index, read instead of the rows' own values: the lake writer's
 * `record_id` and `ingested_at`, which it does not copy every row to add.
 */
export type AddedColumns = Readonly<Record<string, readonly Cell[] | undefined>>;

/**
 * Encodes one row group at a time, column after column, straight into the file buffer. The group's cells are
 * first gathered into one array per column: reading every column of a block of rows while those rows are in
 * cache, then encoding a column over the whole group while its dictionary is in cache, was several times faster
 * than either a column-by-column pass over the row objects or interleaving the columns block by block.
 */
export class ColumnEncoder {
  private readonly columns: Cell[][];
  private readonly pages: PageWriter;

  constructor(
    private readonly cols: readonly ColumnDef[],
    out: ByteBuf,
    groupRows: number,
    private readonly pageBytes: number,
    private readonly dictionaryBytes: number,
  ) {
    this.columns = cols.map(() => new Array<Cell>(groupRows).fill(null));
    this.pages = new PageWriter(out, groupRows, pageBytes);
  }

  /** Encodes rows [r0, r1) as one row group at the end of `out`; a column in `added` is read from it, not the rows. */
  rowGroup(rows: readonly Row[], r0: number, r1: number, added: AddedColumns = {}): RowGroupMeta {
    const { cols, columns } = this;
    const n = r1 - r0;
    for (let b = r0; b < r1; b += GATHER_BLOCK) {
      const e = Math.min(r1, b + GATHER_BLOCK);
      for (let c = 0; c < cols.length; c++) {
        const column = columns[c]!;
        const name = cols[c]!.name;
        const given = added[name];
        if (given === undefined) for (let i = b; i < e; i++) column[i - r0] = rows[i]![name];
        else for (let i = b; i < e; i++) column[i - r0] = given[i];
      }
    }
    const chunks: ChunkMeta[] = [];
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const m = newChunk(col, n, this.pages.out.pos);
      this.pages.begin(m);
      const values = columns[c]!;
      switch (col.type) {
        case 'string':
          this.strings(m, values, n, r0);
          break;
        case 'boolean':
          this.booleans(m, values, n, r0);
          break;
        case 'int':
          this.numbers(m, values, n, r0, 0);
          break;
        case 'bigint':
        case 'timestamp':
          this.numbers(m, values, n, r0, 1);
          break;
        case 'double':
          this.numbers(m, values, n, r0, 2);
          break;
      }
      chunks.push(m);
    }
    // Let the row objects go; the arrays are reused by the next row group.
    for (const column of columns) column.fill(null, 0, n);
    return { numRows: n, chunks };
  }

  private missing(m: ChunkMeta, row: number): Error {
    return new Error(`encodeParquet: ${m.col.name} is NOT NULL but row ${row} has no value`);
  }

  private badType(m: ChunkMeta, row: number, v: unknown): Error {
    return new Error(`encodeParquet: ${m.col.name} is ${m.col.type} but row ${row} holds a ${typeof v}`);
  }

  /** INT32 (kind 0), INT64 from safe integers (kind 1: bigint, timestamp) or DOUBLE (kind 2), PLAIN. */
  private numbers(m: ChunkMeta, values: readonly Cell[], n: number, firstRow: number, kind: 0 | 1 | 2): void {
    const pages = this.pages;
    const { levels, vals } = pages;
    const nullable = m.col.nullable;
    const limit = this.pageBytes;
    // Values are written without per-value bounds checks: a page closes once it reaches the limit.
    vals.ensure(Math.min(limit, n * 8) + 16);
    const view = vals.view;
    let p = 0;
    let pageStart = 0;
    let nulls = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = values[j];
      if (v === null || v === undefined) {
        if (!nullable) throw this.missing(m, firstRow + j);
        levels[j] = 0;
        nulls++;
        continue;
      }
      if (typeof v !== 'number') throw this.badType(m, firstRow + j, v);
      levels[j] = 1;
      if (v < min) min = v;
      if (v > max) max = v;
      if (kind === 0) {
        view.setInt32(p, v, true);
        p += 4;
      } else if (kind === 1) {
        view.setUint32(p, v >>> 0, true);
        view.setInt32(p + 4, Math.floor(v / 4294967296) | 0, true);
        p += 8;
      } else {
        view.setFloat64(p, v, true);
        p += 8;
      }
      if (p >= limit) {
        vals.pos = p;
        pages.plainPage(pageStart, j + 1);
        pageStart = j + 1;
        p = 0;
      }
    }
    if (pageStart < n) {
      vals.pos = p;
      pages.plainPage(pageStart, n);
    }
    m.nullCount = nulls;
    if (nulls === n) return;
    if (kind === 0) {
      m.min = int32Bytes(min);
      m.max = int32Bytes(max);
    } else if (kind === 1) {
      m.min = int64Bytes(min);
      m.max = int64Bytes(max);
    } else {
      // parquet.thrift: a zero min is written as -0.0 and a zero max as +0.0, whatever their sign.
      m.min = doubleBytes(min === 0 ? -0 : min);
      m.max = doubleBytes(max === 0 ? 0 : max);
    }
  }

  /** BOOLEAN, PLAIN (bit-packed, least significant bit first). */
  private booleans(m: ChunkMeta, values: readonly Cell[], n: number, firstRow: number): void {
    const pages = this.pages;
    const { levels, vals } = pages;
    const nullable = m.col.nullable;
    const limitBits = this.pageBytes * 8;
    vals.ensure(Math.min(this.pageBytes, n >> 3) + 16);
    const buf = vals.buf;
    let bits = 0;
    let acc = 0;
    let pageStart = 0;
    let nulls = 0;
    let sawFalse = false;
    let sawTrue = false;
    for (let j = 0; j < n; j++) {
      const v = values[j];
      if (v === null || v === undefined) {
        if (!nullable) throw this.missing(m, firstRow + j);
        levels[j] = 0;
        nulls++;
        continue;
      }
      if (typeof v !== 'boolean') throw this.badType(m, firstRow + j, v);
      levels[j] = 1;
      const bit = bits & 7;
      if (bit === 0) acc = 0;
      if (v) {
        acc |= 1 << bit;
        sawTrue = true;
      } else sawFalse = true;
      buf[bits >> 3] = acc;
      bits++;
      if (bits >= limitBits) {
        vals.pos = (bits + 7) >> 3;
        pages.plainPage(pageStart, j + 1);
        pageStart = j + 1;
        bits = 0;
      }
    }
    if (pageStart < n) {
      vals.pos = (bits + 7) >> 3;
      pages.plainPage(pageStart, n);
    }
    m.nullCount = nulls;
    if (sawFalse || sawTrue) {
      m.min = Uint8Array.of(sawFalse ? 0 : 1);
      m.max = Uint8Array.of(sawTrue ? 1 : 0);
    }
  }

  /**
   * BYTE_ARRAY UTF-8. Dictionary-encoded until the dictionary would outgrow `dictionaryBytes`; the pages written
   * so far keep it and the rest of the chunk is PLAIN, as parquet-mr and Arrow do, so a column of unique ids
   * costs only a small dictionary before it settles on PLAIN.
   */
  private strings(m: ChunkMeta, values: readonly Cell[], n: number, firstRow: number): void {
    if (!this.stringPass(m, values, n, firstRow, this.dictionaryBytes > 0)) this.stringPass(m, values, n, firstRow, false);
  }

  /**
   * One pass over a string column chunk. Returns false, having written nothing, when a dictionary was tried and
   * the probe found it not paying for itself (mostly distinct values): the caller then runs a PLAIN pass.
   */
  private stringPass(m: ChunkMeta, values: readonly Cell[], n: number, firstRow: number, tryDictionary: boolean): boolean {
    const pages = this.pages;
    const { levels, indices, vals } = pages;
    const nullable = m.col.nullable;
    const limit = this.pageBytes;
    const pageBits = this.pageBytes * 8;
    const dictCap = this.dictionaryBytes;
    const probe = Math.min(DICTIONARY_PROBE, Math.max(256, n >> 1));
    vals.pos = 0;
    const ids = new Map<string, number>();
    const dictionary: string[] = [];
    let dictBytes = 0;
    let rawBytes = 0;
    let useDictionary = tryDictionary;
    let count = 0;
    let pageStart = 0;
    let nulls = 0;
    const stats = new MinMax();
    for (let j = 0; j < n; j++) {
      const v = values[j];
      if (v === null || v === undefined) {
        if (!nullable) throw this.missing(m, firstRow + j);
        levels[j] = 0;
        nulls++;
        continue;
      }
      if (typeof v !== 'string') throw this.badType(m, firstRow + j, v);
      levels[j] = 1;
      if (useDictionary) {
        rawBytes += v.length + 4;
        {
          let id = ids.get(v);
          if (id === undefined) {
            const cost = v.length + 4;
            if (dictBytes + cost > dictCap || dictionary.length >= MAX_DICTIONARY_ENTRIES) {
              // Dictionary full: the pages so far keep it, this value and the rest of the chunk are PLAIN.
              useDictionary = false;
              if (count > 0) {
                pages.dictionaryPage(pageStart, j, count, dictionary.length);
                pageStart = j;
                count = 0;
              }
            } else {
              id = dictionary.length;
              ids.set(v, id);
              dictionary.push(v);
              dictBytes += cost;
            }
          }
          if (id !== undefined) indices[count++] = id;
        }
        if (useDictionary) {
          if (count === probe && pageStart === 0 && rawBytes <= dictBytes + ((count * indexWidth(dictionary.length)) >> 3)) {
            return false;
          }
          if ((count & 4095) === 0 && count * indexWidth(dictionary.length) >= pageBits) {
            pages.dictionaryPage(pageStart, j + 1, count, dictionary.length);
            pageStart = j + 1;
            count = 0;
          }
          continue;
        }
      }
      const at = vals.pos + 4;
      putString(vals, v);
      stats.add(vals.buf, at, vals.pos);
      if (vals.pos >= limit) {
        pages.plainPage(pageStart, j + 1);
        pageStart = j + 1;
      }
    }
    if (pageStart < n) {
      // A tail of NULLs while dictionary-encoding is an RLE_DICTIONARY page without values: the chunk stays
      // dictionary-only. Without a dictionary (all NULL), it is a PLAIN page without values.
      if (useDictionary && dictionary.length > 0) pages.dictionaryPage(pageStart, n, count, dictionary.length);
      else pages.plainPage(pageStart, n);
    }
    if (dictionary.length > 0) {
      // Every entry once, PLAIN; the entries are also the min/max candidates of the dictionary-encoded values.
      const body = pages.body;
      body.pos = 0;
      for (const s of dictionary) {
        const at = body.pos + 4;
        putString(body, s);
        stats.add(body.buf, at, body.pos);
      }
      pages.dictionaryPageFirst(dictionary.length);
    }
    m.nullCount = nulls;
    stats.finish(m);
    return true;
  }
}
