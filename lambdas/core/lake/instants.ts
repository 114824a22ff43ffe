/**
 * Epoch-millisecond instants as the lake takes them: whether one is plausible for Zoom data, and its `dt` partition.
 * Apart from the table schemas, so the webhook receiver (which names the partition of a stored body) does not load them.
 */

// Zoom did not exist before 2000, so an earlier instant is almost surely epoch seconds passed as milliseconds.
const TS_MIN = Date.UTC(2000, 0, 1);
const TS_MAX = Date.UTC(2200, 0, 1);

/** Whether an epoch-millisecond value is a plausible event time for Zoom data (2000 to 2200). */
export function isPlausibleEpochMs(v: number): boolean {
  return Number.isInteger(v) && v >= TS_MIN && v < TS_MAX;
}

const DAY_MS = 86_400_000;
// Partition values by UTC day number: rows of a batch fall on a few days, and formatting a date is costly per row.
const dtByDay = new Map<number, string>();

/** The `dt` partition value (yyyy-MM-dd, UTC) of an epoch-millisecond instant. */
export function dtOf(epochMs: number): string {
  // Date drops the fraction of a millisecond (towards zero) before it takes the day.
  const day = Math.floor(Math.trunc(epochMs) / DAY_MS);
  let dt = dtByDay.get(day);
  if (dt === undefined) {
    // Throws, as before, for an instant that is no date (NaN never matches a cached day).
    dt = new Date(epochMs).toISOString().slice(0, 10);
    if (dtByDay.size >= 4096) dtByDay.clear();
    dtByDay.set(day, dt);
  }
  return dt;
}

/** Every day from `from` to `to` (yyyy-MM-dd, inclusive), oldest first; empty when `to` is before `from`. */
export function daysFromTo(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || dtOf(start) !== from || dtOf(end) !== to) throw new RangeError(`not a day range: ${from} to ${to}`);
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) days.push(dtOf(t));
  return days;
}
