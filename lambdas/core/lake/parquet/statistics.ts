import type { ChunkMeta } from './chunk.ts';

/* Column chunk statistics of strings: min/max in UTF-8 byte order, long values truncated to still bound the rest. */

// Byte-array statistics longer than this are truncated (as Arrow and parquet-mr do): a JSON document's min/max
// prunes nothing and would bloat every footer.
const STATS_MAX_BYTES = 64;

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

/** Running min/max of UTF-8 values in unsigned byte order, truncated to STATS_MAX_BYTES at the end. */
export class MinMax {
  private min: Uint8Array | undefined = undefined;
  private max: Uint8Array | undefined = undefined;

  /** Folds in buf[from, to) (copied only when it becomes the min or the max). */
  add(buf: Uint8Array, from: number, to: number): void {
    if (this.min === undefined || compareBytes(buf, from, to, this.min) < 0) this.min = copyBytes(buf, from, to);
    if (this.max === undefined || compareBytes(buf, from, to, this.max) > 0) this.max = copyBytes(buf, from, to);
  }

  /** Sets the chunk's min/max statistics, and whether each is exact, from the values folded in. */
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
