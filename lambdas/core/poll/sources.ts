import { instant, objectOrEmpty, nonEmptyText, type Cells } from '../lake/cell-coercion.ts';
import { daysFromTo } from '../lake/instants.ts';
import { dtOf } from '../lake/records.ts';
import type { StateStore, ZoomApi, ZoomPageRequest } from '../ports.ts';
import { MEETING_WINDOWS, type DayWindow, type WindowPolicy } from './cursor.ts';
import { listingFingerprint, markFetched, readFetched, reportsSettled, type FetchedMark } from './fetched.ts';
import {
  applyDirectoryUpdates,
  directoryUpdatesFromOperationLogs,
  directoryUpdatesFromUsers,
  type DirectoryUpdate,
  type OperationLogRow,
  type UserSnapshotRow,
} from '../realtime/directory.ts';
import { meetingUuidPath } from '../zoom/client.ts';
import {
  ZoomBudgetError,
  ZoomNotFoundError,
  ZoomPlanError,
  ZoomRateLimitError,
  ZoomRequestError,
  ZoomScopeError,
  ZoomTooOldError,
} from '../zoom/errors.ts';
import { DASHBOARD_PLANS, type ZoomPlan } from '../zoom/rate-limit.ts';
import { MEETING_ACTIVITY_PLANS, type MeetingActivityType } from './meeting-activities.ts';
import {
  applyBacklog,
  boundBacklog,
  candidateOf,
  markMeeting,
  mergeSignals,
  noneByClass,
  participantSignals,
  rankCandidates,
  readBacklog,
  readMarks,
  riskClass,
  tooOldForDetails,
  type ByRiskClass,
  type DetailCandidate,
  type RiskRules,
} from './risk.ts';
import {
  activityRow,
  chatMessageRow,
  meetingParticipantRow,
  meetingActivityRow,
  meetingRow,
  operationLogRow,
  participantDetailRow,
  recordingRows,
  recordingSharing,
  UNKNOWN_SHARING,
  userRow,
  type RecordingSharing,
} from './rows.ts';

/** What a source sees while it collects one window. */
export interface CollectContext {
  readonly api: ZoomApi;
  readonly plan: ZoomPlan;
  readonly window: DayWindow;
  readonly nowMs: number;
  /** Buffers one row for `table`; NULL (an item the mapper refused) is counted as rejected. */
  readonly add: (table: string, row: Cells | null) => void;
  /** Signal marks and the participant-details backlog live here. */
  readonly state: StateStore;
  /** The configured risk signals, compiled. */
  readonly risk: RiskRules;
  /** Whether chat message text is collected (off: the `message` column is NULL). */
  readonly chatIncludeContent: boolean;
  /** The meeting activities report's `activity_type`s to read, one request each per window. */
  readonly meetingActivityTypes: readonly MeetingActivityType[];
  /** Reports something the run worked around without failing (rows kept with NULL columns, a call refused). */
  readonly warn: (message: string) => void;
  /**
   * An explicit range (`--from/--to`) rather than a scheduled run: every listed meeting is fetched, even one already
   * fetched or whose reports may still be arriving (left unmarked, so the scheduled runs fetch it again once settled).
   */
  readonly backfill: boolean;
}

/** What a window's collection reports besides its rows. */
export interface CollectOutcome {
  /** Set when the daily budget ran out part-way: the window is still committed, and the run stops after it. */
  readonly budgetSpent?: string;
  /** The per-meeting sources: what their budget-ranked backlog did. */
  readonly backlog?: {
    /** Meetings whose details the budget left unfetched this run, by risk class (all kept in the backlog unless dropped). */
    readonly skipped: ByRiskClass;
    /** Backlog entries given up: too old for Zoom, gone, or pushed out of the bounded backlog by riskier ones. */
    readonly dropped: ByRiskClass;
    /** Meetings waiting in the backlog after this window. */
    readonly size: number;
  };
  /** State changes to make after the window's rows are durably written and before its cursor moves (marks, backlog). */
  readonly afterFlush: () => Promise<void>;
}

/** One collected Zoom API, with its own schedule and cursor. */
export interface PollSource {
  readonly name: string;
  /** Day windows with overlap (reports), or one snapshot per UTC day (users). */
  readonly mode: 'windowed' | 'daily_snapshot';
  /** The plans whose accounts have the source's API; on others it is off without a call. @default every plan */
  readonly plans?: readonly ZoomPlan[];
  /** How its windows are cut. @default REPORT_WINDOWS */
  readonly windows?: WindowPolicy;
  readonly collect: (ctx: CollectContext) => Promise<void | CollectOutcome>;
}

async function eachItem(api: ZoomApi, request: ZoomPageRequest, onItem: (item: unknown) => void): Promise<void> {
  // A page-token restart re-reads the window from page 1: those rows come again and de-duplicate by record_id.
  for await (const page of api.paginate<unknown>(request)) for (const item of page.items) onItem(item);
}

const range = (w: DayWindow) => ({ from: w.from, to: w.to });

/** Applies directory updates from a poller's rows; watched users' names also go to the fuzzy-match index. */
async function feedDirectory(ctx: CollectContext, updates: readonly DirectoryUpdate[]): Promise<void> {
  const watched = new Set(updates.map((u) => u.email).filter((email) => ctx.risk.watched(email)));
  await applyDirectoryUpdates(ctx.state, updates, watched);
}

/** Ids of the account's active users. */
async function activeUsers(ctx: CollectContext): Promise<string[]> {
  const users: string[] = [];
  await eachItem(ctx.api, { path: '/users', query: { status: 'active' }, itemsKey: 'users', category: 'Medium' }, (u) => {
    const id = nonEmptyText(objectOrEmpty(u).id);
    if (id !== null && !users.includes(id)) users.push(id);
  });
  return users;
}

/** Past meetings of the window: one dashboard listing on Business+, else the report API per active user. */
async function pastMeetings(ctx: CollectContext): Promise<unknown[]> {
  const meetings: unknown[] = [];
  if (DASHBOARD_PLANS.includes(ctx.plan)) {
    await eachItem(
      ctx.api,
      { path: '/metrics/meetings', query: { type: 'past', ...range(ctx.window) }, itemsKey: 'meetings', category: 'ResourceIntensive' },
      (m) => meetings.push(m),
    );
    return meetings;
  }
  for (const user of await activeUsers(ctx)) {
    await eachItem(
      ctx.api,
      {
        path: `/report/users/${encodeURIComponent(user)}/meetings`,
        query: { type: 'past', ...range(ctx.window) },
        itemsKey: 'meetings',
        category: 'Heavy',
      },
      (m) => meetings.push(m),
    );
  }
  return meetings;
}

const uuidOf = (m: unknown): string | undefined => {
  const uuid = (m as { uuid?: unknown }).uuid;
  return typeof uuid === 'string' && uuid !== '' ? uuid : undefined;
};

/** Our daily budget share or Zoom's own daily limit ran out: nothing Heavy goes through before 00:00 UTC. */
const budgetSpent = (error: unknown): error is Error => error instanceof ZoomBudgetError || (error instanceof ZoomRateLimitError && error.daily);

const DETAILS = 'participant_details';

/**
 * The listed meetings a per-meeting source still has to fetch. A scheduled run skips those marked as fetched under
 * the same listing, and leaves those that ended too recently for their reports to be complete to a later run. A
 * backfill reads its range whole (it is asked for, e.g. to repair the lake), marking only what has settled.
 */
async function toFetch(
  ctx: CollectContext,
  source: string,
  listed: readonly unknown[],
): Promise<{ meeting: unknown; uuid: string; mark?: FetchedMark }[]> {
  const fetched = ctx.backfill ? new Map<string, string>() : await readFetched(ctx.state, source, daysFromTo(ctx.window.from, ctx.window.to));
  const out: { meeting: unknown; uuid: string; mark?: FetchedMark }[] = [];
  // A page-token restart lists a meeting again: it is fetched once.
  const seen = new Set<string>();
  for (const meeting of listed) {
    const uuid = uuidOf(meeting);
    if (uuid === undefined || seen.has(uuid)) continue;
    seen.add(uuid);
    const fingerprint = listingFingerprint(meeting);
    if (fetched.get(uuid) === fingerprint) continue;
    const settled = reportsSettled(meeting, ctx.nowMs);
    if (!settled && !ctx.backfill) continue;
    out.push({ meeting, uuid, ...(settled ? { mark: { uuid, day: dayOf(meeting, ctx.window), fingerprint } } : {}) });
  }
  return out;
}

/** What differs between the per-meeting sources: the request about one instance and what its answer writes. */
interface PerMeetingSource {
  readonly name: string;
  readonly request: (uuid: string) => ZoomPageRequest;
  /** Writes a fetched instance's rows (and anything derived from them). */
  readonly write: (ctx: CollectContext, c: DetailCandidate, items: readonly unknown[]) => Promise<void>;
  /** Writes a listed meeting's own row, fetched now or left for later (meetings: the `meetings` table). */
  readonly listed?: (ctx: CollectContext, meeting: unknown) => void;
}

/**
 * A per-meeting source's window, highest risk first: the window's listed meetings not fetched yet and the backlog
 * of earlier skipped ones are ranked together (listing signals, the `meetings` source's participant marks, the
 * backlog's own signals) and fetched in that order, each instance marked once its rows are written. When the budget
 * runs out, the rest go to the source's bounded backlog, counted by risk class, and the window is committed: later
 * runs drain the backlog first-by-risk as budget allows, without listing the days it came from again.
 */
async function collectPerMeeting(ctx: CollectContext, source: PerMeetingSource): Promise<CollectOutcome> {
  const candidates = new Map<string, DetailCandidate>();
  const marks = new Map<string, FetchedMark>();
  const listed = await pastMeetings(ctx);
  // A meeting without a uuid cannot be asked about: its listing row is all there is.
  if (source.listed) for (const meeting of listed) if (uuidOf(meeting) === undefined) source.listed(ctx, meeting);
  for (const { meeting, mark } of await toFetch(ctx, source.name, listed)) {
    const c = candidateOf(meeting, ctx.risk, ctx.window.from);
    if (!c) continue;
    source.listed?.(ctx, meeting);
    candidates.set(c.uuid, c);
    if (mark) marks.set(c.uuid, mark);
  }
  const dropped = noneByClass();
  const remove: string[] = [];
  const stored = new Map<string, DetailCandidate>();
  for (const b of await readBacklog(ctx.state, source.name)) {
    stored.set(b.uuid, b);
    if (tooOldForDetails(b.day, ctx.nowMs)) {
      dropped[riskClass(b.signals)]++;
      remove.push(b.uuid);
      continue;
    }
    const again = candidates.get(b.uuid);
    candidates.set(b.uuid, again ? { ...again, signals: mergeSignals(again.signals, b.signals), fromBacklog: true } : b);
  }
  const signalMarks = await readMarks(
    ctx.state,
    [...candidates.values()].map((c) => c.day),
  );
  const ranked = rankCandidates([...candidates.values()].map((c) => ({ ...c, signals: mergeSignals(c.signals, signalMarks.get(c.uuid) ?? []) })));

  let spent: string | undefined;
  const waiting: DetailCandidate[] = [];
  const written: FetchedMark[] = [];
  for (const c of ranked) {
    if (spent !== undefined) {
      waiting.push(c);
      continue;
    }
    try {
      const items: unknown[] = [];
      await eachItem(ctx.api, source.request(c.uuid), (p) => items.push(p));
      await source.write(ctx, c, items);
      const mark = marks.get(c.uuid);
      if (mark) written.push(mark);
      if (c.fromBacklog) remove.push(c.uuid);
    } catch (error) {
      if (budgetSpent(error)) {
        spent = error.message;
        waiting.push(c);
      } else if (c.fromBacklog && (error instanceof ZoomTooOldError || error instanceof ZoomNotFoundError)) {
        dropped[riskClass(c.signals)]++;
        remove.push(c.uuid);
      } else {
        throw error;
      }
    }
  }

  const skipped = noneByClass();
  for (const c of waiting) skipped[riskClass(c.signals)]++;
  const { kept, dropped: pushedOut } = boundBacklog(waiting);
  for (const c of pushedOut) {
    dropped[riskClass(c.signals)]++;
    if (c.fromBacklog) remove.push(c.uuid);
  }
  const sameAsStored = (c: DetailCandidate) => {
    const old = stored.get(c.uuid);
    return old !== undefined && old.signals.join() === c.signals.join();
  };
  const keep = kept.filter((c) => !sameAsStored(c));
  return {
    ...(spent === undefined ? {} : { budgetSpent: spent }),
    backlog: { skipped, dropped, size: kept.length },
    afterFlush: async () => {
      await markFetched(ctx.state, source.name, written, ctx.nowMs);
      await applyBacklog(ctx.state, source.name, { keep, remove }, ctx.nowMs);
    },
  };
}

/** Dashboard participant details (ip, device, location) of each past meeting instance. */
const DETAILS_SOURCE: PerMeetingSource = {
  name: DETAILS,
  request: (uuid) => ({
    path: `/metrics/meetings/${meetingUuidPath(uuid)}/participants`,
    query: { type: 'past', include_fields: 'registrant_id' },
    itemsKey: 'participants',
    category: 'Heavy',
  }),
  write: async (ctx, c, items) => {
    for (const p of items) ctx.add(DETAILS, participantDetailRow(p, c.uuid, c.meetingId));
  },
};

/** Past meetings (their listing rows) and each instance's report participants. */
const MEETINGS_SOURCE: PerMeetingSource = {
  name: 'meetings',
  request: (uuid) => ({
    path: `/report/meetings/${meetingUuidPath(uuid)}/participants`,
    query: { include_fields: 'registrant_id' },
    itemsKey: 'participants',
    category: 'Heavy',
  }),
  write: async (ctx, c, items) => {
    for (const p of items) ctx.add('meeting_participants', meetingParticipantRow(p, c.uuid, c.meetingId));
    // Marks external and unauthenticated participants for participant_details to rank by.
    await markMeeting(ctx.state, c.uuid, c.day, participantSignals(items, ctx.risk), ctx.nowMs);
  },
  listed: (ctx, meeting) => ctx.add('meetings', meetingRow(meeting)),
};

/** A window as the chat API's date-times (UTC, whole days). */
const chatRange = (w: DayWindow) => ({ from: `${w.from}T00:00:00Z`, to: `${w.to}T23:59:59Z` });
// The chat APIs page at most 50 items (zoom-reference §3.4).
const CHAT_PAGE_SIZE = '50';

/**
 * Chat channel messages: every active user's channels, each channel read once (as its first member seen) over the
 * window. 1:1 chats are not collectable account-wide: the messages API needs the other party (`to_contact`) of
 * each conversation, and no endpoint lists a user's contacts' conversations.
 */
async function collectChat(ctx: CollectContext): Promise<void> {
  const channels = new Map<string, string>();
  for (const user of await activeUsers(ctx)) {
    try {
      await eachItem(
        ctx.api,
        { path: `/chat/users/${encodeURIComponent(user)}/channels`, query: { page_size: CHAT_PAGE_SIZE }, itemsKey: 'channels', category: 'Medium' },
        (c) => {
          const id = nonEmptyText(objectOrEmpty(c).id);
          if (id !== null && !channels.has(id)) channels.set(id, user);
        },
      );
    } catch (error) {
      // The user left between the listing and this call.
      if (error instanceof ZoomNotFoundError) continue;
      throw error;
    }
  }
  for (const [channel, user] of channels) {
    await eachItem(
      ctx.api,
      {
        path: `/chat/users/${encodeURIComponent(user)}/messages`,
        query: { to_channel: channel, ...chatRange(ctx.window), page_size: CHAT_PAGE_SIZE, include_deleted_and_edited_message: 'true' },
        itemsKey: 'messages',
        category: 'Medium',
      },
      (m) => ctx.add('chat_messages', chatMessageRow(m, channel, ctx.chatIncludeContent)),
    );
  }
}

/** The UTC start day of a listing item, else the window's first day. */
const dayOf = (m: unknown, w: DayWindow): string => {
  const start = instant(objectOrEmpty(m).start_time);
  return start === null ? w.from : dtOf(start);
};

/** Refusals every later settings call of the window would meet too: the rest of the window skips the calls. */
const refusesEveryCall = (error: unknown): error is Error => budgetSpent(error) || error instanceof ZoomPlanError || error instanceof ZoomScopeError;
/** Refusals of one meeting's settings (gone, too old, not readable): that meeting's rows keep NULL sharing columns. */
const refusesThisCall = (error: unknown): error is Error =>
  error instanceof ZoomNotFoundError || error instanceof ZoomTooOldError || error instanceof ZoomRequestError;

/**
 * Cloud recordings, one row per file, from the listing and the trash. Each listed meeting instance's sharing settings
 * (GET /meetings/{uuid}/recordings/settings, Light) are read once, not per file, and go on every file row of the
 * instance. Zoom refusing them never costs the recording rows: those keep NULL sharing columns and the run says why.
 * Trashed recordings are not asked about: a trashed recording is not shared.
 */
async function collectRecordings(ctx: CollectContext): Promise<void> {
  let refused: string | undefined;
  // A page-token restart lists a meeting again; its settings are still read once.
  const read = new Map<string, RecordingSharing>();
  const sharingOf = async (uuid: string): Promise<RecordingSharing> => {
    const known = read.get(uuid);
    if (known !== undefined) return known;
    if (refused !== undefined) return UNKNOWN_SHARING;
    try {
      const sharing = recordingSharing(await ctx.api.get({ path: `/meetings/${meetingUuidPath(uuid)}/recordings/settings`, category: 'Light' }));
      read.set(uuid, sharing);
      return sharing;
    } catch (error) {
      if (refusesEveryCall(error)) {
        refused = error.message;
        ctx.warn(
          `recording sharing settings not read for the rest of ${ctx.window.from}..${ctx.window.to}, their rows keep NULL sharing columns: ${error.message}`,
        );
        return UNKNOWN_SHARING;
      }
      if (refusesThisCall(error)) {
        ctx.warn(`recording sharing settings of meeting ${uuid} not read, its rows keep NULL sharing columns: ${error.message}`);
        read.set(uuid, UNKNOWN_SHARING);
        return UNKNOWN_SHARING;
      }
      throw error;
    }
  };
  for (const trash of [false, true]) {
    const listed: unknown[] = [];
    await eachItem(
      ctx.api,
      {
        path: '/accounts/me/recordings',
        query: { ...range(ctx.window), ...(trash ? { trash: 'true' } : {}) },
        itemsKey: 'meetings',
        category: 'Medium',
      },
      (m) => listed.push(m),
    );
    for (const m of listed) {
      const item = objectOrEmpty(m);
      const uuid = nonEmptyText(item.uuid);
      const files = item.recording_files;
      const sharing = !trash && uuid !== null && Array.isArray(files) && files.length > 0 ? await sharingOf(uuid) : UNKNOWN_SHARING;
      for (const row of recordingRows(m, trash, sharing)) ctx.add('recordings', row);
    }
  }
}

/** Every source the pollers know, by name (zoom-reference §3.4 for endpoints and rate categories). */
export const POLL_SOURCES: Readonly<Record<string, PollSource>> = {
  activities: {
    name: 'activities',
    mode: 'windowed',
    collect: (ctx) =>
      eachItem(ctx.api, { path: '/report/activities', query: range(ctx.window), itemsKey: 'activity_logs', category: 'Heavy' }, (item) =>
        ctx.add('activities', activityRow(item)),
      ),
  },
  operation_logs: {
    name: 'operation_logs',
    mode: 'windowed',
    collect: async (ctx) => {
      const rows: Cells[] = [];
      await eachItem(ctx.api, { path: '/report/operationlogs', query: range(ctx.window), itemsKey: 'operation_logs', category: 'Heavy' }, (item) => {
        const row = operationLogRow(item);
        if (row !== null) rows.push(row);
        ctx.add('operation_logs', row);
      });
      // Deactivations and deletions in the admin log feed the realtime checks' user directory (zombie-link joins).
      await feedDirectory(ctx, directoryUpdatesFromOperationLogs(rows as unknown as OperationLogRow[]));
    },
  },
  users: {
    name: 'users',
    mode: 'daily_snapshot',
    collect: async (ctx) => {
      const rows: Cells[] = [];
      // Inactive and pending users matter too: a deactivated account whose meeting links still work.
      for (const status of ['active', 'inactive', 'pending']) {
        await eachItem(ctx.api, { path: '/users', query: { status }, itemsKey: 'users', category: 'Medium' }, (item) => {
          const row = userRow(item, ctx.nowMs);
          if (row !== null) rows.push(row);
          ctx.add('users', row);
        });
      }
      // The snapshot feeds the realtime checks' user directory: statuses (zombie links) and names (impersonation).
      await feedDirectory(ctx, directoryUpdatesFromUsers(rows as unknown as UserSnapshotRow[]));
    },
  },
  meetings: { name: 'meetings', mode: 'windowed', windows: MEETING_WINDOWS, collect: (ctx) => collectPerMeeting(ctx, MEETINGS_SOURCE) },
  participant_details: { name: DETAILS, mode: 'windowed', windows: MEETING_WINDOWS, collect: (ctx) => collectPerMeeting(ctx, DETAILS_SOURCE) },
  recordings: { name: 'recordings', mode: 'windowed', collect: collectRecordings },
  meeting_activities: {
    name: 'meeting_activities',
    mode: 'windowed',
    plans: MEETING_ACTIVITY_PLANS,
    collect: async (ctx) => {
      // The report reads one activity_type per request: each configured type is its own pass over the window.
      for (const type of ctx.meetingActivityTypes) {
        await eachItem(
          ctx.api,
          {
            path: '/report/meeting_activities',
            query: { ...range(ctx.window), activity_type: type },
            itemsKey: 'meeting_activity_logs',
            category: 'Heavy',
          },
          (item) => ctx.add('meeting_activities', meetingActivityRow(item)),
        );
      }
    },
  },
  chat_messages: { name: 'chat_messages', mode: 'windowed', collect: collectChat },
};
