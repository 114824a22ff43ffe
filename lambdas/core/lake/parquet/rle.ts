import type { ByteBuf } from './bytes.ts';

/* The RLE / bit-packed hybrid encoding: definition levels and dictionary indices. */

/** Bytes `rleHybrid` may write for `n` values of `width` bits, at worst. */
export function rleBound(n: number, width: number): number {
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
export function rleHybrid(values: Int32Array, from: number, to: number, width: number, b: ByteBuf): void {
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
export function indexWidth(size: number): number {
  return size <= 2 ? 1 : 32 - Math.clz32(size - 1);
}
