import { ConditionFailedError } from '../errors.ts';
import { dtOf } from '../lake/records.ts';
import type { StateItem, StateStore } from '../ports.ts';

const DAY_MS = 86_400_000;

/** A report window: whole UTC days, both ends inclusive, as Zoom's report APIs take them (`from`/`to` yyyy-mm-dd). */
export interface DayWindow {
  readonly from: string;
  readonly to: string;
}

/** How windows are cut for one source. */
export interface WindowPolicy {
  /** Days re-read before the committed end: reports filter by whole days and data arrives late. At least 1. */
  readonly overlapDays: number;
  /** Longest window per request (Zoom's report APIs take at most one month). */
  readonly maxWindowDays: number;
  /** How far back Zoom keeps the data (report APIs: 6 months); older days are never asked for. */
  readonly retentionDays: number;
  /** Where a source with no cursor starts, in days before today. */
  readonly initialLookbackDays: number;
  /**
   * Hours into each UTC day during which runs read the day before as well, whatever the cursor: what is listed under
   * a day (meetings by their start) can appear after it ends. 0: only the overlap days re-read. @default 0
   */
  readonly lateHours?: number;
}

/** The policy for Zoom's date-range reports (zoom-reference §3.6): one-month windows, six months kept, one day of overlap. */
export const REPORT_WINDOWS: WindowPolicy = { overlapDays: 1, maxWindowDays: 30, retentionDays: 180, initialLookbackDays: 30 };

/**
 * The policy for past-meeting listings, which list a meeting under its start day only once it has ended and its
 * reports have settled: yesterday is read again for the first six hours of today, so meetings that ran past midnight
 * (or ended just before it) are still found. Re-reading a day costs its listing pages only: instances already
 * fetched are not asked about again (fetched.ts).
 */
export const MEETING_WINDOWS: WindowPolicy = { ...REPORT_WINDOWS, lateHours: 6 };

const addDays = (day: string, n: number): string => dtOf(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);

/**
 * The windows a run should read, oldest first: from the committed window end minus the overlap (or the initial
 * lookback when there is no cursor; or yesterday during the policy's late hours) through today (UTC), cut into
 * `maxWindowDays` pieces and floored at the retention limit. Today is always re-read: its data is still arriving.
 */
export function planWindows(committedEnd: string | undefined, nowMs: number, policy: WindowPolicy = REPORT_WINDOWS): DayWindow[] {
  if (policy.overlapDays < 1) throw new RangeError('overlapDays must be at least 1: reports filter by whole days');
  const today = dtOf(nowMs);
  const floor = addDays(today, -policy.retentionDays + 1);
  let from = committedEnd ? addDays(committedEnd, -policy.overlapDays + 1) : addDays(today, -policy.initialLookbackDays);
  const yesterday = addDays(today, -1);
  if (nowMs - Date.parse(`${today}T00:00:00Z`) < (policy.lateHours ?? 0) * 3_600_000 && from > yesterday) from = yesterday;
  if (from < floor) from = floor;
  if (from > today) from = today;
  const windows: DayWindow[] = [];
  // Bounded: at most retentionDays / maxWindowDays + 1 windows.
  while (from <= today && windows.length <= policy.retentionDays) {
    const end = addDays(from, policy.maxWindowDays - 1);
    const to = end < today ? end : today;
    windows.push({ from, to });
    from = addDays(to, 1);
  }
  return windows;
}

/** The cut of an explicit backfill range into windows (for `--from/--to`), oldest first, floored at retention. */
export function backfillWindows(from: string, to: string, nowMs: number, policy: WindowPolicy = REPORT_WINDOWS): DayWindow[] {
  if (from > to) throw new RangeError(`backfill range is empty: ${from} is after ${to}`);
  const today = dtOf(nowMs);
  const floor = addDays(today, -policy.retentionDays + 1);
  const windows: DayWindow[] = [];
  let start = from < floor ? floor : from;
  const last = to > today ? today : to;
  while (start <= last && windows.length <= 10_000) {
    const end = addDays(start, policy.maxWindowDays - 1);
    const stop = end < last ? end : last;
    windows.push({ from: start, to: stop });
    start = addDays(stop, 1);
  }
  return windows;
}

/** A source's committed progress: the last window end whose every page was durably written. */
export interface Cursor {
  readonly windowEnd: string;
  /** Optimistic-locking version: a commit must name the version it read. */
  readonly version: number;
}

const cursorKey = (source: string) => ({ pk: `cursor#${source}`, sk: 'cursor' });
const leaseKey = (source: string) => ({ pk: `lease#${source}`, sk: 'lease' });

/** The source's cursor, or undefined when it never committed. */
export async function readCursor(state: StateStore, source: string): Promise<Cursor | undefined> {
  const { pk, sk } = cursorKey(source);
  return readCursorOf(source, await state.get(pk, sk));
}

/** The cursor a source's state item (`cursor#<source>` / `cursor`) holds, or undefined without one. */
export function readCursorOf(source: string, item: StateItem | undefined): Cursor | undefined {
  if (!item) return undefined;
  const { windowEnd, version } = item.attrs;
  if (typeof windowEnd !== 'string' || typeof version !== 'number') {
    const { pk, sk } = cursorKey(source);
    throw new Error(`cursor of ${source} is malformed; delete ${pk}/${sk} to re-read the retention period`);
  }
  return { windowEnd, version };
}

/**
 * Commits a window end after its pages were written. Never moves backwards (a later window already committed is
 * kept), and fails with ConditionFailedError when another run committed since `previous` was read.
 */
export async function commitCursor(
  state: StateStore,
  source: string,
  previous: Cursor | undefined,
  windowEnd: string,
  nowMs: number,
): Promise<Cursor> {
  if (previous && windowEnd <= previous.windowEnd) return previous;
  const { pk, sk } = cursorKey(source);
  const next: Cursor = { windowEnd, version: (previous?.version ?? 0) + 1 };
  await state.put(
    { pk, sk, attrs: { windowEnd: next.windowEnd, version: next.version, committedAt: nowMs } },
    previous ? { kind: 'attrEquals', name: 'version', value: previous.version } : { kind: 'notExists' },
  );
  return next;
}

/** A held lease: runs of one source never overlap; a crashed run's lease expires by itself. */
export interface Lease {
  readonly source: string;
  readonly owner: string;
  readonly expiresAt: number;
}

/** Takes the source's lease for `seconds`, or returns undefined when another live run holds it. */
export async function acquireLease(state: StateStore, source: string, owner: string, nowMs: number, seconds: number): Promise<Lease | undefined> {
  const { pk, sk } = leaseKey(source);
  const expiresAt = Math.ceil(nowMs / 1000) + seconds;
  try {
    await state.put({ pk, sk, attrs: { owner }, expiresAt }, { kind: 'notExists' });
  } catch (error) {
    if (error instanceof ConditionFailedError) return undefined;
    throw error;
  }
  return { source, owner, expiresAt };
}

/** Gives the lease back, if this run still holds it (an expired-and-retaken lease is left to its new owner). */
export async function releaseLease(state: StateStore, lease: Lease): Promise<void> {
  const { pk, sk } = leaseKey(lease.source);
  try {
    await state.delete(pk, sk, { kind: 'attrEquals', name: 'owner', value: lease.owner });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}
