import { hash } from 'node:crypto';
import { instant, objectOrEmpty } from '../lake/cell-coercion.ts';
import type { StateStore } from '../ports.ts';

/*
 * Which meeting instances a per-meeting source (meetings, participant_details) has durably written, so a run reading
 * a day again asks Zoom only about what is new or changed. Each mark keeps a fingerprint of the listing item the
 * instance was fetched under: a late-arriving report that changes the listing (a later end, more participants)
 * changes the fingerprint and the instance is fetched again. Re-reads stay harmless: the lake's views de-duplicate.
 */

const DAY_MS = 86_400_000;

/**
 * How long after a meeting ends its participant reports are taken as complete. Zoom's report data appears up to
 * about half an hour after the end (zoom-reference §3.6, the correlation waits for it too); a scheduled run leaves a
 * meeting that ended more recently to a later run instead of fetching it twice.
 */
export const REPORT_SETTLE_MS = 45 * 60_000;

/** Marks outlive any day a run re-reads (the late-record overlap) and a month of catching up after a spent budget. */
export const FETCHED_TTL_DAYS = 35;

const fetchedPk = (source: string, day: string) => `fetched#${source}#${day}`;

/** A short digest of a listing item, independent of its keys' order. */
export function listingFingerprint(item: unknown): string {
  return hash('sha256', stableJson(item), 'hex').slice(0, 16);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Whether a listed meeting's reports are complete at `nowMs`: it ended at least REPORT_SETTLE_MS ago. A listing item
 * without a readable end time counts as settled: past-meeting listings only hold ended meetings.
 */
export function reportsSettled(item: unknown, nowMs: number): boolean {
  const end = instant(objectOrEmpty(item).end_time);
  return end === null || end + REPORT_SETTLE_MS <= nowMs;
}

/** One instance fetched and durably written, to mark. */
export interface FetchedMark {
  readonly uuid: string;
  /** The UTC start day the instance is listed under. */
  readonly day: string;
  readonly fingerprint: string;
}

/** The fingerprints `source` marked for the instances of `days`, by uuid. */
export async function readFetched(state: StateStore, source: string, days: Iterable<string>): Promise<Map<string, string>> {
  const marks = new Map<string, string>();
  for (const day of new Set(days)) {
    for (const item of await state.query(fetchedPk(source, day))) {
      if (typeof item.attrs.fp === 'string') marks.set(item.sk, item.attrs.fp);
    }
  }
  return marks;
}

/** Marks instances as fetched; call only after their rows are durably written (a mark stops later fetches). */
export async function markFetched(state: StateStore, source: string, marks: readonly FetchedMark[], nowMs: number): Promise<void> {
  const expiresAt = Math.ceil((nowMs + FETCHED_TTL_DAYS * DAY_MS) / 1000);
  for (const m of marks) await state.put({ pk: fetchedPk(source, m.day), sk: m.uuid, attrs: { fp: m.fingerprint }, expiresAt });
}
