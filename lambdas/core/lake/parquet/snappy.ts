import type { ByteBuf } from './bytes.ts';

/*
 * Raw (block) Snappy, after the reference CompressFragment: 64 KiB fragments, so every copy offset fits 2 bytes.
 * Written here: it is small, and hyparquet-writer does not export its own.
 */

const SNAPPY_FRAGMENT = 1 << 16;
const SNAPPY_MAX_HASH_BITS = 14;
const SNAPPY_INPUT_MARGIN = 15;
// Reused across calls: clearing a 32 KiB table is cheaper than allocating one per fragment.
const snappyTable = new Uint16Array(1 << SNAPPY_MAX_HASH_BITS);

/** Worst-case raw Snappy size of `n` input bytes (the reference MaxCompressedLength). */
export function snappyBound(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Appends `src[start, end)` to `out` as raw Snappy: the uncompressed length as a varint, then the elements.
 * Once a fragment saves less than an eighth, the rest of the input is stored as literals: random hex ids (the
 * bulk of our plain strings) shrink by ~9% at a tenth of the matcher's speed, which is not worth it here.
 */
export function snappyCompress(src: ByteBuf, start: number, end: number, out: ByteBuf): void {
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
