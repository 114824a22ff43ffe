/** A seed: a number or any string (hashed together with a stream label). */
export type Seed = number | string;

/** FNV-1a over the seed's text, so string and number seeds map to a 32-bit state the same way. */
function hashSeed(seed: Seed, label: string): number {
  let h = 0x811c9dc5;
  const text = `${String(seed)}\u0000${label}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The one seeded PRNG (mulberry32) of the simulator, the scenario, the report layout, the bench and the tests:
 * deterministic, never Math.random, so a run repeats exactly. Each concern takes its own labelled stream, so a new
 * fault draw or an extra request never shifts the generated organisation.
 */
export class Prng {
  private state: number;

  constructor(seed: Seed, label = '') {
    this.state = hashSeed(seed, label);
  }

  /** A generator started at a raw 32-bit state rather than a hashed seed (the plain mulberry32 sequence of `state`). */
  static fromState(state: number): Prng {
    const prng = new Prng(0);
    prng.state = state >>> 0;
    return prng;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  }

  /** `n` distinct elements (fewer if the array is shorter), in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, Math.max(0, n));
  }

  /** `n` characters from [A-Za-z0-9] plus any `extra` alphabet. */
  chars(n: number, extra = ''): string {
    const alphabet = ALNUM + extra;
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}
