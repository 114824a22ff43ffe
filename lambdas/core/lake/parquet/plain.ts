import type { ByteBuf } from './bytes.ts';

/* PLAIN encodings of single values: strings into a page, numbers as the bytes of a min/max statistic. */

// Strings up to this many UTF-16 units are copied by a JS loop; longer ones by Buffer#write, whose per-call
// overhead only pays off on longer input.
const SHORT_STRING = 24;

/** Appends a PLAIN BYTE_ARRAY (4-byte length, UTF-8 bytes); returns the byte length. */
export function putString(b: ByteBuf, s: string): number {
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

/** An INT32 as PLAIN: 4 little-endian bytes. */
export function int32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** An INT64 from a safe integer as PLAIN: 8 little-endian bytes. */
export function int64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, v >>> 0, true);
  view.setInt32(4, Math.floor(v / 4294967296) | 0, true);
  return b;
}

/** A DOUBLE as PLAIN: 8 little-endian bytes. */
export function doubleBytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}
