import { ByteBuf } from './bytes.ts';
import type { ChunkMeta } from './chunk.ts';
import { E_PLAIN, E_RLE, E_RLE_DICTIONARY, PAGE_DATA, PAGE_DICTIONARY } from './format.ts';
import { indexWidth, rleBound, rleHybrid } from './rle.ts';
import { snappyBound, snappyCompress } from './snappy.ts';
import { Thrift } from './thrift.ts';

/**
 * Writes a column chunk's pages at the end of the file: a body of definition levels (RLE/bit-packed hybrid with
 * their 4-byte length, for a nullable column) and values, Snappy-compressed behind its Thrift page header. Data
 * pages are v1, the version every reader supports.
 */
export class PageWriter {
  /** Definition levels of the row group's rows (1 a value, 0 NULL), filled by the column encoder. */
  readonly levels: Int32Array;
  /** Dictionary indices of the values since the last page. */
  readonly indices: Int32Array;
  /** PLAIN values since the last page. */
  readonly vals: ByteBuf;
  /** The page body; the column encoder fills it with the dictionary before `dictionaryPageFirst`. */
  readonly body: ByteBuf;
  private readonly comp: ByteBuf;
  private m: ChunkMeta | undefined = undefined;

  constructor(
    /** The file being written. */
    readonly out: ByteBuf,
    groupRows: number,
    pageBytes: number,
  ) {
    this.levels = new Int32Array(groupRows);
    this.indices = new Int32Array(groupRows);
    // Every large buffer is allocated once, at its final size where it can be known: each ArrayBuffer allocation
    // past V8's external-memory threshold triggers a full collection over the caller's heap (typically all the
    // rows being written), which growing buffers by doubling hit several times per file.
    const page = Math.min(pageBytes, groupRows * 8) + (1 << 12);
    this.vals = new ByteBuf(page);
    this.body = new ByteBuf(page + rleBound(groupRows, 1) + 16);
    this.comp = new ByteBuf(snappyBound(this.body.buf.length) + 16);
  }

  /** Starts column chunk `m`: the pages written next are its pages. */
  begin(m: ChunkMeta): void {
    this.m = m;
  }

  /** A PLAIN data page for rows [from, to) (group-relative) whose values are in `vals`. */
  plainPage(from: number, to: number): void {
    const vals = this.vals;
    const body = this.startBody(from, to, vals.pos);
    body.append(vals.buf, 0, vals.pos);
    this.writePage(PAGE_DATA, to - from, E_PLAIN);
    this.m!.plainPages++;
    vals.pos = 0;
  }

  /** An RLE_DICTIONARY data page for rows [from, to) with `count` indices in `indices`. */
  dictionaryPage(from: number, to: number, count: number, dictionarySize: number): void {
    const width = indexWidth(dictionarySize);
    const body = this.startBody(from, to, 1 + rleBound(count, width));
    body.buf[body.pos++] = width;
    rleHybrid(this.indices, 0, count, width, body);
    this.writePage(PAGE_DATA, to - from, E_RLE_DICTIONARY);
    this.m!.dictionaryDataPages++;
  }

  /** The chunk's dictionary page of `entries` PLAIN values from `body`, placed in front of its data pages. */
  dictionaryPageFirst(entries: number): void {
    const out = this.out;
    const m = this.m!;
    // Known only now, the dictionary page goes first: written after the data pages, then rotated in front.
    const dataEnd = out.pos;
    const size = this.writePage(PAGE_DICTIONARY, entries, E_PLAIN);
    out.ensure(size);
    const buf = out.buf;
    buf.copy(buf, dataEnd + size, dataEnd, dataEnd + size);
    buf.copy(buf, m.start + size, m.start, dataEnd);
    buf.copy(buf, m.start, dataEnd + size, dataEnd + 2 * size);
    m.dictionaryPageOffset = m.start;
    m.dataPageOffset = m.start + size;
    m.dictionaryPages = 1;
  }

  /** Starts the page body with the definition levels of rows [from, to) if the column is nullable; room for `extra`. */
  private startBody(from: number, to: number, extra: number): ByteBuf {
    const body = this.body;
    body.pos = 0;
    if (this.m!.col.nullable) {
      body.ensure(4 + rleBound(to - from, 1) + extra);
      body.pos = 4;
      rleHybrid(this.levels, from, to, 1, body);
      body.view.setUint32(0, body.pos - 4, true);
    } else body.ensure(extra);
    return body;
  }

  /** Compresses `body` and appends it, behind its page header, to `out`; returns the page's size. */
  private writePage(pageType: number, numValues: number, encoding: number): number {
    const { body, comp } = this;
    const dest = this.out;
    const m = this.m!;
    comp.pos = 0;
    snappyCompress(body, 0, body.pos, comp);
    const start = dest.pos;
    const t = new Thrift(dest);
    t.i32(1, pageType);
    t.i32(2, body.pos);
    t.i32(3, comp.pos);
    if (pageType === PAGE_DATA) {
      t.struct(5);
      t.i32(1, numValues);
      t.i32(2, encoding);
      t.i32(3, E_RLE);
      t.i32(4, E_RLE);
      t.end();
    } else {
      t.struct(7);
      t.i32(1, numValues);
      t.i32(2, encoding);
      t.end();
    }
    dest.byte(0);
    const header = dest.pos - start;
    dest.append(comp.buf, 0, comp.pos);
    m.uncompressed += header + body.pos;
    m.compressed += header + comp.pos;
    return header + comp.pos;
  }
}
