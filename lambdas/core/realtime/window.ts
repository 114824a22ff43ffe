/** Something counted in a sliding window: a key (an IP, a meeting) seen at an instant. */
export interface Sighting {
  readonly key: string;
  /** Epoch ms. */
  readonly at: number;
}

/** The densest window found: its distinct keys and where it starts and ends. */
export interface DenseWindow {
  readonly keys: readonly string[];
  /** The anchoring sighting's time. */
  readonly start: number;
  /** The last sighting inside the window. */
  readonly end: number;
}

/**
 * The window holding the most distinct keys among the windows `[a, a + windowMs)` anchored at a sighting `a` that
 * contain the instant `containing`: the scheduled detections' sliding windows (each event time anchors a window), so
 * a realtime check that calls this on each new sighting fires on the first event that completes a window the
 * scheduled SQL would also find, and on no less. Ties go to the earliest window. Undefined without sightings.
 */
export function densestWindowContaining(sightings: readonly Sighting[], windowMs: number, containing: number): DenseWindow | undefined {
  const sorted = [...sightings].sort((x, y) => x.at - y.at);
  const counts = new Map<string, number>();
  let best: { size: number; from: number; to: number } | undefined;
  // Two pointers: the window [i, j) holds the sightings in [sorted[i].at, sorted[i].at + windowMs).
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!.at;
    while (j < sorted.length && sorted[j]!.at < start + windowMs) {
      const key = sorted[j]!.key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      j++;
    }
    const anchorsTheWindow = i === 0 || sorted[i - 1]!.at !== start;
    if (anchorsTheWindow && start <= containing && containing < start + windowMs && (!best || counts.size > best.size)) {
      best = { size: counts.size, from: i, to: j };
    }
    const key = sorted[i]!.key;
    const left = counts.get(key)! - 1;
    if (left === 0) counts.delete(key);
    else counts.set(key, left);
  }
  if (!best) return undefined;
  const inside = sorted.slice(best.from, best.to);
  return { keys: [...new Set(inside.map((s) => s.key))].sort(), start: inside[0]!.at, end: inside.at(-1)!.at };
}
