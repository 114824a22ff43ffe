/**
 * The lake's Parquet encoder, specialised for its six column types (docs/adr/0001-parquet-writer.md). It writes the
 * same logical file as the hyparquet-writer reference in test/support/reference-parquet.ts (same schema, SNAPPY,
 * min/max/null_count statistics, `zoomlake.table` metadata) without that library's generic paths, which cost
 * ~7x more per row here.
 *
 * Layout: row groups of up to `rowGroupRows` rows; per column chunk, data pages v1 of about `pageBytes`
 * (definition levels as RLE/bit-packed hybrid with their 4-byte length, the encoding every reader supports);
 * strings dictionary-encoded (PLAIN dictionary page, RLE_DICTIONARY data pages) unless an early probe shows
 * mostly distinct values, falling back to PLAIN pages if the dictionary outgrows `dictionaryBytes` (as parquet-mr
 * and Arrow do); numbers and booleans PLAIN.
 * Thrift compact protocol and raw Snappy are written here too: both are small, and hyparquet-writer does not
 * export its own.
 */
import { tableColumns } from '../schema/registry.ts';
import type { ColumnDef, ColumnType, Row, TableDef } from '../schema/types.ts';

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
// Byte-array statistics longer than this are truncated (as Arrow and parquet-mr do): a JSON document's min/max
// prunes nothing and would bloat every footer.
const STATS_MAX_BYTES = 64;
// Strings up to this many UTF-16 units are copied by a JS loop; longer ones by Buffer#write, whose per-call
// overhead only pays off on longer input.
const SHORT_STRING = 24;
// Dictionary indices are bit-packed with JS 32-bit arithmetic, which needs widths of at most 24 bits.
const MAX_DICTIONARY_ENTRIES = 1 << 24;

// parquet.thrift enum values.
const T_BOOLEAN = 0;
const T_INT32 = 1;
const T_INT64 = 2;
const T_DOUBLE = 5;
const T_BYTE_ARRAY = 6;
const E_PLAIN = 0;
const E_RLE = 3;
const E_RLE_DICTIONARY = 8;
const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
const CONVERTED_UTF8 = 0;
const CONVERTED_TIMESTAMP_MILLIS = 9;
const CODEC_SNAPPY = 1;
const REQUIRED = 0;
const OPTIONAL = 1;

const PHYSICAL: Readonly<Record<ColumnType, number>> = {
  string: T_BYTE_ARRAY, bigint: T_INT64, int: T_INT32, double: T_DOUBLE, boolean: T_BOOLEAN, timestamp: T_INT64,
};

// ---------------------------------------------------------------------------------------------------------
// Growable byte buffer

/** A growable output buffer; hot loops call `ensure` once and then write through `buf`/`view` directly. */
class ByteBuf {
  buf: Buffer;
  view: DataView;
  pos = 0;

  // Zeroed (calloc: untouched pages cost nothing), so no stale process memory can reach a returned view's buffer.
  constructor(size: number) {
    this.buf = Buffer.from(new ArrayBuffer(Math.max(64, size)));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  ensure(extra: number): void {
    if (this.pos + extra > this.buf.length) this.grow(this.pos + extra);
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next = Buffer.from(new ArrayBuffer(size));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned LEB128; exact for any non-negative safe integer. */
  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[p++] = v;
    this.pos = p;
  }

  append(src: Uint8Array, start = 0, end = src.length): void {
    this.ensure(end - start);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Thrift compact protocol (just what PageHeader and FileMetaData need)

const CT_TRUE = 1;
const CT_FALSE = 2;
const CT_I32 = 5;
const CT_I64 = 6;
const CT_BINARY = 8;
const CT_LIST = 9;
const CT_STRUCT = 12;

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** Writes Thrift compact-protocol structs: field headers as id deltas, integers as zigzag varints. */
class Thrift {
  private last = 0;
  private readonly stack: number[] = [];

  constructor(private readonly b: ByteBuf) {}

  private field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.b.byte((delta << 4) | type);
    else {
      this.b.byte(type);
      this.b.varint(zigzag(id));
    }
    this.last = id;
  }

  i32(id: number, v: number): void {
    this.field(id, CT_I32);
    this.b.varint(zigzag(v));
  }

  i64(id: number, v: number): void {
    this.field(id, CT_I64);
    this.b.varint(zigzag(v));
  }

  bool(id: number, v: boolean): void {
    this.field(id, v ? CT_TRUE : CT_FALSE);
  }

  binary(id: number, bytes: Uint8Array): void {
    this.field(id, CT_BINARY);
    this.b.varint(bytes.length);
    this.b.append(bytes);
  }

  string(id: number, s: string): void {
    this.binary(id, Buffer.from(s, 'utf8'));
  }

  /** Opens a struct-typed field; close it with `end`. */
  struct(id: number): void {
    this.field(id, CT_STRUCT);
    this.stack.push(this.last);
    this.last = 0;
  }

  /** Opens one struct element of a list; close it with `end`. */
  element(): void {
    this.stack.push(this.last);
    this.last = 0;
  }

  end(): void {
    this.b.byte(0);
    this.last = this.stack.pop() ?? 0;
  }

  /** A list field header; the caller then writes `size` elements of `elemType`. */
  list(id: number, elemType: number, size: number): void {
    this.field(id, CT_LIST);
    if (size < 15) this.b.byte((size << 4) | elemType);
    else {
      this.b.byte(0xf0 | elemType);
      this.b.varint(size);
    }
  }

  elemI32(v: number): void {
    this.b.varint(zigzag(v));
  }

  elemString(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.b.varint(bytes.length);
    this.b.append(bytes);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Raw (block) Snappy, after the reference CompressFragment: 64 KiB fragments, so every copy offset fits 2 bytes.

const SNAPPY_FRAGMENT = 1 << 16;
const SNAPPY_MAX_HASH_BITS = 14;
const SNAPPY_INPUT_MARGIN = 15;
// Reused across calls: clearing a 32 KiB table is cheaper than allocating one per fragment.
const snappyTable = new Uint16Array(1 << SNAPPY_MAX_HASH_BITS);

/** Worst-case raw Snappy size of `n` input bytes (the reference MaxCompressedLength). */
function snappyBound(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Appends `src[start, end)` to `out` as raw Snappy: the uncompressed length as a varint, then the elements.
 * Once a fragment saves less than an eighth, the rest of the input is stored as literals: random hex ids (the
 * bulk of our plain strings) shrink by ~9% at a tenth of the matcher's speed, which is not worth it here.
 */
function snappyCompress(src: ByteBuf, start: number, end: number, out: ByteBuf): void {
  out.varint(end - start);
  out.ensure(snappyBound(end - start));
  const dst = out.buf;
  let op = out.pos;
  let matching = true;
  for (let from = start; from < end; from += SNAPPY_FRAGMENT) {
    const to = Math.min(end, from + SNAPPY_FRAGMENT);
    if (matching) {
      const before = op;
      op = compressFragment(src.buf, src.view, from, to, dst, op);
      if ((op - before) * 8 > (to - from) * 7) matching = false;
    } else op = emitLiteral(src.buf, from, to, dst, op);
  }
  out.pos = op;
}

function compressFragment(src: Uint8Array, view: DataView, base: number, end: number, dst: Uint8Array, op: number): number {
  const len = end - base;
  let bits = 8;
  while (bits < SNAPPY_MAX_HASH_BITS && 1 << bits < len) bits++;
  const table = snappyTable;
  table.fill(0, 0, 1 << bits);
  const shift = 32 - bits;
  let ip = base;
  let nextEmit = base;
  if (len >= SNAPPY_INPUT_MARGIN) {
    const ipLimit = end - SNAPPY_INPUT_MARGIN;
    ip++;
    let nextHash = Math.imul(view.getInt32(ip, true), 0x1e35a7bd) >>> shift;
    outer: for (;;) {
      // Look for a 4-byte match, skipping ahead faster the longer nothing matches (incompressible input).
      let skip = 32;
      let nextIp = ip;
      let candidate = 0;
      do {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip++ >> 5);
        if (nextIp > ipLimit) break outer;
        nextHash = Math.imul(view.getInt32(nextIp, true), 0x1e35a7bd) >>> shift;
        candidate = base + table[hash]!;
        table[hash] = ip - base;
      } while (view.getInt32(ip, true) !== view.getInt32(candidate, true));
      op = emitLiteral(src, nextEmit, ip, dst, op);
      // Emit copies for as long as the bytes right after a copy match again.
      do {
        const matchStart = ip;
        let s = candidate + 4;
        ip += 4;
        while (ip + 4 <= end && view.getInt32(s, true) === view.getInt32(ip, true)) {
          s += 4;
          ip += 4;
        }
        while (ip < end && src[s] === src[ip]) {
          s++;
          ip++;
        }
        op = emitCopy(dst, op, matchStart - candidate, ip - matchStart);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(view.getInt32(ip - 1, true), 0x1e35a7bd) >>> shift] = ip - 1 - base;
        const hash = Math.imul(view.getInt32(ip, true), 0x1e35a7bd) >>> shift;
        candidate = base + table[hash]!;
        table[hash] = ip - base;
      } while (view.getInt32(ip, true) === view.getInt32(candidate, true));
      ip++;
      nextHash = Math.imul(view.getInt32(ip, true), 0x1e35a7bd) >>> shift;
    }
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end, dst, op);
  return op;
}

function emitLiteral(src: Uint8Array, from: number, to: number, dst: Uint8Array, op: number): number {
  const n = to - from;
  const n1 = n - 1;
  if (n1 < 60) dst[op++] = n1 << 2;
  else if (n1 < 0x100) {
    dst[op++] = 60 << 2;
    dst[op++] = n1;
  } else if (n1 < 0x10000) {
    dst[op++] = 61 << 2;
    dst[op++] = n1 & 0xff;
    dst[op++] = n1 >>> 8;
  } else if (n1 < 0x1000000) {
    dst[op++] = 62 << 2;
    dst[op++] = n1 & 0xff;
    dst[op++] = (n1 >>> 8) & 0xff;
    dst[op++] = n1 >>> 16;
  } else {
    dst[op++] = 63 << 2;
    dst[op++] = n1 & 0xff;
    dst[op++] = (n1 >>> 8) & 0xff;
    dst[op++] = (n1 >>> 16) & 0xff;
    dst[op++] = n1 >>> 24;
  }
  if (n < 32) {
    for (let i = 0; i < n; i++) dst[op + i] = src[from + i]!;
  } else dst.set(src.subarray(from, to), op);
  return op + n;
}

function emitCopy(dst: Uint8Array, op: number, offset: number, len: number): number {
  // Long matches become 64-byte copies, keeping at least 4 bytes for the last one.
  while (len >= 68) {
    dst[op++] = 2 | (63 << 2);
    dst[op++] = offset & 0xff;
    dst[op++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    dst[op++] = 2 | (59 << 2);
    dst[op++] = offset & 0xff;
    dst[op++] = offset >>> 8;
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    dst[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[op++] = offset & 0xff;
  } else {
    dst[op++] = 2 | ((len - 1) << 2);
    dst[op++] = offset & 0xff;
    dst[op++] = offset >>> 8;
  }
  return op;
}

// ---------------------------------------------------------------------------------------------------------
// RLE / bit-packed hybrid

/** Bytes `rleHybrid` may write for `n` values of `width` bits, at worst. */
function rleBound(n: number, width: number): number {
  return Math.ceil((n * (width + 8)) / 8) + 32;
}

/** True when values[i, i+8) are all equal: worth an RLE run rather than a bit-packed group. */
function isRun8(values: Int32Array, i: number): boolean {
  const v = values[i];
  for (let k = i + 1; k < i + 8; k++) if (values[k] !== v) return false;
  return true;
}

/**
 * Appends values[from, to) as the RLE/bit-packed hybrid of `width` (1..24) bits: runs of 8 or more equal values
 * as RLE runs, the rest in bit-packed runs of at most 63 groups (a one-byte header, as Arrow writes them).
 * The caller ensures `rleBound` bytes of room.
 */
function rleHybrid(values: Int32Array, from: number, to: number, width: number, b: ByteBuf): void {
  const buf = b.buf;
  const valueBytes = (width + 7) >> 3;
  let p = b.pos;
  let i = from;
  while (i < to) {
    const v = values[i]!;
    let j = i + 1;
    while (j < to && values[j] === v) j++;
    if (j - i >= 8) {
      let header = (j - i) * 2;
      while (header >= 0x80) {
        buf[p++] = (header & 0x7f) | 0x80;
        header >>>= 7;
      }
      buf[p++] = header;
      for (let k = 0; k < valueBytes; k++) buf[p++] = (v >>> (8 * k)) & 0xff;
      i = j;
      continue;
    }
    // Bit-packed groups of 8 until one would start a run; only the stream's last group may be padded.
    let groups = 1;
    let g = i + 8;
    while (g < to && groups < 63 && !(g + 8 <= to && isRun8(values, g))) {
      g += 8;
      groups++;
    }
    buf[p++] = (groups << 1) | 1;
    const stop = i + groups * 8;
    let acc = 0;
    let bits = 0;
    for (let k = i; k < stop; k++) {
      acc |= (k < to ? values[k]! : 0) << bits;
      bits += width;
      while (bits >= 8) {
        buf[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    i = stop;
  }
  b.pos = p;
}

/** Bit width of dictionary indices for a dictionary of `size` entries (at least 1, as Arrow writes it). */
function indexWidth(size: number): number {
  return size <= 2 ? 1 : 32 - Math.clz32(size - 1);
}

// ---------------------------------------------------------------------------------------------------------
// Values and statistics helpers

/** Appends a PLAIN BYTE_ARRAY (4-byte length, UTF-8 bytes); returns the byte length. */
function putString(b: ByteBuf, s: string): number {
  const len = s.length;
  b.ensure(4 + 3 * len);
  const buf = b.buf;
  const p = b.pos + 4;
  let n: number;
  if (len <= SHORT_STRING) {
    let or = 0;
    for (let c = 0; c < len; c++) {
      const ch = s.charCodeAt(c);
      or |= ch;
      buf[p + c] = ch;
    }
    n = or < 0x80 ? len : buf.write(s, p);
  } else n = buf.write(s, p);
  buf[p - 4] = n & 0xff;
  buf[p - 3] = (n >>> 8) & 0xff;
  buf[p - 2] = (n >>> 16) & 0xff;
  buf[p - 1] = n >>> 24;
  b.pos = p + n;
  return n;
}

/** Unsigned byte comparison of a[from, to) with all of b: the order Parquet defines for UTF-8 statistics. */
function compareBytes(a: Uint8Array, from: number, to: number, b: Uint8Array): number {
  const an = to - from;
  const n = Math.min(an, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[from + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return an - b.length;
}

/** A copy (Buffer#slice would return a view of scratch memory that the next page overwrites). */
function copyBytes(buf: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(buf.subarray(from, to));
}

function int32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

function int64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, v >>> 0, true);
  view.setInt32(4, Math.floor(v / 4294967296) | 0, true);
  return b;
}

function doubleBytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}

/** A UTF-8 lower bound of at most STATS_MAX_BYTES bytes: a prefix cut on a code point boundary. */
function truncateMin(bytes: Uint8Array): Uint8Array {
  let end = STATS_MAX_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}

/**
 * A UTF-8 upper bound of at most STATS_MAX_BYTES bytes: a code point prefix whose last code point is incremented,
 * or undefined when none exists (every code point is U+10FFFF).
 */
function truncateMax(bytes: Uint8Array): Uint8Array | undefined {
  const prefix = Array.from(Buffer.from(truncateMin(bytes)).toString('utf8'));
  while (prefix.length > 0) {
    const code = prefix.pop()!.codePointAt(0)!;
    if (code === 0x10ffff) continue;
    const next = Buffer.from(prefix.join('') + String.fromCodePoint(code === 0xd7ff ? 0xe000 : code + 1), 'utf8');
    if (next.length <= STATS_MAX_BYTES) return new Uint8Array(next);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Encoder

/** A cell as read from a row. */
type Cell = Row[string];

interface ChunkMeta {
  readonly col: ColumnDef;
  readonly physical: number;
  readonly numValues: number;
  start: number;
  dataPageOffset: number;
  dictionaryPageOffset: number;
  uncompressed: number;
  compressed: number;
  nullCount: number;
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;
  minExact: boolean;
  maxExact: boolean;
  dictionaryPages: number;
  dictionaryDataPages: number;
  plainPages: number;
}

interface RowGroupMeta {
  readonly numRows: number;
  readonly chunks: ChunkMeta[];
}

/**
 * Encodes one row group at a time, column after column, straight into the file buffer. The group's cells are
 * first gathered into one array per column: reading every column of a block of rows while those rows are in
 * cache, then encoding a column over the whole group while its dictionary is in cache, was several times faster
 * than either a column-by-column pass over the row objects or interleaving the columns block by block.
 */
class Encoder {
  /** The file being written. */
  readonly out: ByteBuf;
  private readonly columns: Cell[][];
  private readonly levels: Int32Array;
  private readonly indices: Int32Array;
  private readonly vals: ByteBuf;
  private readonly body: ByteBuf;
  private readonly comp: ByteBuf;
  private m: ChunkMeta | undefined = undefined;

  constructor(
    private readonly cols: readonly ColumnDef[],
    groupRows: number,
    private readonly pageBytes: number,
    private readonly dictionaryBytes: number,
  ) {
    this.columns = cols.map(() => new Array<Cell>(groupRows).fill(null));
    this.levels = new Int32Array(groupRows);
    this.indices = new Int32Array(groupRows);
    // Every large buffer is allocated once, at its final size where it can be known: each ArrayBuffer allocation
    // past V8's external-memory threshold triggers a full collection over the caller's heap (typically all the
    // rows being written), which growing buffers by doubling hit several times per file.
    const page = Math.min(pageBytes, groupRows * 8) + (1 << 12);
    this.vals = new ByteBuf(page);
    this.body = new ByteBuf(page + rleBound(groupRows, 1) + 16);
    this.comp = new ByteBuf(snappyBound(this.body.buf.length) + 16);
    // Sized for the first row group; `reserve` sizes it for the rest once the first shows the bytes per row.
    this.out = new ByteBuf(groupRows * 160 + (1 << 16));
  }

  /** Grows the file buffer, once, to what `rowsLeft` more rows should need at the rate seen so far. */
  reserve(rowsDone: number, rowsLeft: number): void {
    if (rowsDone === 0 || rowsLeft === 0) return;
    this.out.ensure(Math.ceil(((this.out.pos / rowsDone) * rowsLeft) * 1.05) + (1 << 16));
  }

  /** Encodes rows [r0, r1) as one row group at the end of `out`. */
  rowGroup(rows: readonly Row[], r0: number, r1: number): RowGroupMeta {
    const { cols, columns } = this;
    const n = r1 - r0;
    for (let b = r0; b < r1; b += GATHER_BLOCK) {
      const e = Math.min(r1, b + GATHER_BLOCK);
      for (let c = 0; c < cols.length; c++) {
        const column = columns[c]!;
        const name = cols[c]!.name;
        for (let i = b; i < e; i++) column[i - r0] = rows[i]![name];
      }
    }
    const chunks: ChunkMeta[] = [];
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const m: ChunkMeta = {
        col, physical: PHYSICAL[col.type], numValues: n, start: this.out.pos, dataPageOffset: this.out.pos,
        dictionaryPageOffset: -1, uncompressed: 0, compressed: 0, nullCount: 0, min: undefined, max: undefined,
        minExact: true, maxExact: true, dictionaryPages: 0, dictionaryDataPages: 0, plainPages: 0,
      };
      this.m = m;
      const values = columns[c]!;
      switch (col.type) {
        case 'string': this.strings(m, values, n, r0); break;
        case 'boolean': this.booleans(m, values, n, r0); break;
        case 'int': this.numbers(m, values, n, r0, 0); break;
        case 'bigint':
        case 'timestamp': this.numbers(m, values, n, r0, 1); break;
        case 'double': this.numbers(m, values, n, r0, 2); break;
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

  /** A PLAIN data page for rows [from, to) (group-relative) whose values are in `vals`. */
  private plainPage(from: number, to: number): void {
    const vals = this.vals;
    const body = this.startBody(from, to, vals.pos);
    body.append(vals.buf, 0, vals.pos);
    this.writePage(PAGE_DATA, to - from, E_PLAIN);
    this.m!.plainPages++;
    vals.pos = 0;
  }

  /** An RLE_DICTIONARY data page for rows [from, to) with `count` indices in `indices`. */
  private dictionaryPage(from: number, to: number, count: number, dictionarySize: number): void {
    const width = indexWidth(dictionarySize);
    const body = this.startBody(from, to, 1 + rleBound(count, width));
    body.buf[body.pos++] = width;
    rleHybrid(this.indices, 0, count, width, body);
    this.writePage(PAGE_DATA, to - from, E_RLE_DICTIONARY);
    this.m!.dictionaryDataPages++;
  }

  /** INT32 (kind 0), INT64 from safe integers (kind 1: bigint, timestamp) or DOUBLE (kind 2), PLAIN. */
  private numbers(m: ChunkMeta, values: readonly Cell[], n: number, firstRow: number, kind: 0 | 1 | 2): void {
    const { levels, vals } = this;
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
        this.plainPage(pageStart, j + 1);
        pageStart = j + 1;
        p = 0;
      }
    }
    if (pageStart < n) {
      vals.pos = p;
      this.plainPage(pageStart, n);
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
    const { levels, vals } = this;
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
        this.plainPage(pageStart, j + 1);
        pageStart = j + 1;
        bits = 0;
      }
    }
    if (pageStart < n) {
      vals.pos = (bits + 7) >> 3;
      this.plainPage(pageStart, n);
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
    const { levels, indices, vals, out } = this;
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
                this.dictionaryPage(pageStart, j, count, dictionary.length);
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
            this.dictionaryPage(pageStart, j + 1, count, dictionary.length);
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
        this.plainPage(pageStart, j + 1);
        pageStart = j + 1;
      }
    }
    if (pageStart < n) {
      // A tail of NULLs while dictionary-encoding is an RLE_DICTIONARY page without values: the chunk stays
      // dictionary-only. Without a dictionary (all NULL), it is a PLAIN page without values.
      if (useDictionary && dictionary.length > 0) this.dictionaryPage(pageStart, n, count, dictionary.length);
      else this.plainPage(pageStart, n);
    }
    if (dictionary.length > 0) {
      // Every entry once, PLAIN; the entries are also the min/max candidates of the dictionary-encoded values.
      const body = this.body;
      body.pos = 0;
      for (const s of dictionary) {
        const at = body.pos + 4;
        putString(body, s);
        stats.add(body.buf, at, body.pos);
      }
      // Known only now, the dictionary page goes first: written after the data pages, then rotated in front.
      const dataEnd = out.pos;
      const size = this.writePage(PAGE_DICTIONARY, dictionary.length, E_PLAIN);
      out.ensure(size);
      const buf = out.buf;
      buf.copy(buf, dataEnd + size, dataEnd, dataEnd + size);
      buf.copy(buf, m.start + size, m.start, dataEnd);
      buf.copy(buf, m.start, dataEnd + size, dataEnd + 2 * size);
      m.dictionaryPageOffset = m.start;
      m.dataPageOffset = m.start + size;
      m.dictionaryPages = 1;
    }
    m.nullCount = nulls;
    stats.finish(m);
    return true;
  }
}

/** Running min/max of UTF-8 values in unsigned byte order, truncated to STATS_MAX_BYTES at the end. */
class MinMax {
  private min: Uint8Array | undefined = undefined;
  private max: Uint8Array | undefined = undefined;

  /** Folds in buf[from, to) (copied only when it becomes the min or the max). */
  add(buf: Uint8Array, from: number, to: number): void {
    if (this.min === undefined || compareBytes(buf, from, to, this.min) < 0) this.min = copyBytes(buf, from, to);
    if (this.max === undefined || compareBytes(buf, from, to, this.max) > 0) this.max = copyBytes(buf, from, to);
  }

  finish(m: ChunkMeta): void {
    let min = this.min;
    let max = this.max;
    if (min === undefined || max === undefined) return;
    if (min.length > STATS_MAX_BYTES) {
      min = truncateMin(min);
      m.minExact = false;
    }
    if (max.length > STATS_MAX_BYTES) {
      max = truncateMax(max);
      m.maxExact = false;
    }
    // Without an upper bound a lower one prunes nothing: write neither.
    if (max === undefined) return;
    m.min = min;
    m.max = max;
  }
}

// Dictionary values after which a string chunk checks that its dictionary pays for itself (its entries and
// indices are smaller than the values as PLAIN), as parquet-mr does after the first page; if not, the chunk is
// rewritten PLAIN from the start. Early enough to spare unique ids most of the dictionary work, late enough for
// a column with tens of thousands of distinct values over a row group to show its repeats.
const DICTIONARY_PROBE = 16_384;

// Rows per gathering block: small enough that a block's row objects stay in cache while every column is read.
const GATHER_BLOCK = 1024;

// ---------------------------------------------------------------------------------------------------------
// Footer

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
function writeFooter(out: ByteBuf, def: TableDef, cols: readonly ColumnDef[], groups: readonly RowGroupMeta[], numRows: number, createdBy: string): void {
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
    t.i64(2, g.chunks.reduce((sum, m) => sum + m.uncompressed, 0));
    t.i64(3, g.numRows);
    t.i64(5, g.chunks[0]?.start ?? 0);
    t.i64(6, g.chunks.reduce((sum, m) => sum + m.compressed, 0));
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

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1

function sizeOption(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`encodeParquet: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/**
 * Encodes validated rows as one Snappy Parquet file, logically identical to `encodeParquet`'s (schema, statistics,
 * metadata) but several times faster. A large result may be a view of a slightly larger ArrayBuffer: use its
 * byteOffset and byteLength, as for any Uint8Array.
 */
export function encodeParquet(def: TableDef, rows: readonly Row[], createdBy = 'zoomlake', options: ParquetOptions = {}): Uint8Array {
  const cols = tableColumns(def);
  const groupRows = sizeOption('rowGroupRows', options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS, 1);
  const pageBytes = sizeOption('pageBytes', options.pageBytes ?? DEFAULT_PAGE_BYTES, 1);
  const dictionaryBytes = sizeOption('dictionaryBytes', options.dictionaryBytes ?? DEFAULT_DICTIONARY_BYTES, 0);
  const encoder = new Encoder(cols, Math.min(groupRows, rows.length), pageBytes, dictionaryBytes);
  const out = encoder.out;
  out.append(MAGIC);
  const groups: RowGroupMeta[] = [];
  for (let r0 = 0; r0 < rows.length; r0 += groupRows) {
    const r1 = Math.min(rows.length, r0 + groupRows);
    groups.push(encoder.rowGroup(rows, r0, r1));
    if (r0 === 0) encoder.reserve(r1, rows.length - r1);
  }
  writeFooter(out, def, cols, groups, rows.length, createdBy);
  out.append(MAGIC);
  // A view when the buffer is nearly full: copying a large file would cost another full collection (see reserve).
  const size = out.pos;
  const file = new Uint8Array(out.buf.buffer, out.buf.byteOffset, size);
  return size * 1.125 >= out.buf.length ? file : file.slice();
}
