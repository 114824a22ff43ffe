/*
 * When a demo scenario happens: its days, its working days and the window in which Zoom delivers webhooks, and the
 * time units the generator counts in.
 */

export const MIN_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** When the scenario runs: its days and the window in which webhooks are delivered. */
export interface Timeline {
  /** The scenario's end (epoch ms): nothing happens after it. */
  readonly end: number;
  /** UTC midnights of every day of the scenario, oldest first. */
  readonly days: readonly number[];
  /** UTC midnights of the working days (Monday to Friday). */
  readonly workingDays: readonly number[];
  /** Webhooks cover events from here on: the start of the second-to-last working day (always 24 h or more before `end`). */
  readonly liveFrom: number;
}

/** UTC midnight of an instant. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The scenario's days for `days` days ending at `end`, and its webhook window. */
export function timeline(end: number, days: number): Timeline {
  const last = dayOf(end);
  const all = Array.from({ length: days }, (_, i) => last - (days - 1 - i) * DAY_MS);
  const workingDays = all.filter((d) => {
    const w = new Date(d).getUTCDay();
    return w !== 0 && w !== 6;
  });
  // The second-to-last working day is at least one day before today, so the window always holds the last 24 hours.
  const liveFrom = workingDays.length >= 2 ? workingDays[workingDays.length - 2]! : last - DAY_MS;
  return { end, days: all, workingDays, liveFrom: Math.min(liveFrom, last - DAY_MS) };
}
