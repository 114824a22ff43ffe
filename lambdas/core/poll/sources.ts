import type { Cells } from '../lake/cells.ts';
import type { DayWindow } from './cursor.ts';
import { meetingUuidPath, type ZoomApi, type ZoomPageRequest } from '../zoom/client.ts';
import type { ZoomPlan } from '../zoom/rate-limit.ts';
import { activityRow, meetingParticipantRow, meetingRow, operationLogRow, participantDetailRow, recordingRows, userRow } from './rows.ts';

/** What a source sees while it collects one window. */
export interface CollectContext {
  readonly api: ZoomApi;
  readonly plan: ZoomPlan;
  readonly window: DayWindow;
  readonly nowMs: number;
  /** Buffers one row for `table`; NULL (an item the mapper refused) is counted as rejected. */
  readonly add: (table: string, row: Cells | null) => void;
}

/** One collected Zoom API, with its own schedule and cursor. */
export interface PollSource {
  readonly name: string;
  /** Day windows with overlap (reports), or one snapshot per UTC day (users). */
  readonly mode: 'windowed' | 'daily_snapshot';
  readonly collect: (ctx: CollectContext) => Promise<void>;
}

async function eachItem(api: ZoomApi, request: ZoomPageRequest, onItem: (item: unknown) => void): Promise<void> {
  // A page-token restart re-reads the window from page 1: those rows come again and de-duplicate by record_id.
  for await (const page of api.paginate<unknown>(request)) for (const item of page.items) onItem(item);
}

const range = (w: DayWindow) => ({ from: w.from, to: w.to });
const dashboardPlans: readonly ZoomPlan[] = ['business', 'enterprise'];

/** Past meetings of the window: one dashboard listing on Business+, else the report API per active user. */
async function pastMeetings(ctx: CollectContext): Promise<unknown[]> {
  const meetings: unknown[] = [];
  if (dashboardPlans.includes(ctx.plan)) {
    await eachItem(ctx.api, { path: '/metrics/meetings', query: { type: 'past', ...range(ctx.window) }, itemsKey: 'meetings', category: 'ResourceIntensive' }, (m) => meetings.push(m));
    return meetings;
  }
  const users: string[] = [];
  await eachItem(ctx.api, { path: '/users', query: { status: 'active' }, itemsKey: 'users', category: 'Medium' }, (u) => {
    const id = (u as { id?: unknown }).id;
    if (typeof id === 'string') users.push(id);
  });
  for (const user of users) {
    await eachItem(ctx.api, { path: `/report/users/${encodeURIComponent(user)}/meetings`, query: { type: 'past', ...range(ctx.window) }, itemsKey: 'meetings', category: 'Heavy' }, (m) => meetings.push(m));
  }
  return meetings;
}

const uuidOf = (m: unknown): string | undefined => {
  const uuid = (m as { uuid?: unknown }).uuid;
  return typeof uuid === 'string' && uuid !== '' ? uuid : undefined;
};
const idOf = (m: unknown): string | null => {
  const id = (m as { id?: unknown }).id;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : null;
};

/** Every source the pollers know, by name (zoom-reference §3.4 for endpoints and rate categories). */
export const POLL_SOURCES: Readonly<Record<string, PollSource>> = {
  activities: {
    name: 'activities', mode: 'windowed',
    collect: (ctx) => eachItem(ctx.api, { path: '/report/activities', query: range(ctx.window), itemsKey: 'activity_logs', category: 'Heavy' },
      (item) => ctx.add('activities', activityRow(item))),
  },
  operation_logs: {
    name: 'operation_logs', mode: 'windowed',
    collect: (ctx) => eachItem(ctx.api, { path: '/report/operationlogs', query: range(ctx.window), itemsKey: 'operation_logs', category: 'Heavy' },
      (item) => ctx.add('operation_logs', operationLogRow(item))),
  },
  users: {
    name: 'users', mode: 'daily_snapshot',
    collect: async (ctx) => {
      // Inactive and pending users matter too: a deactivated account whose meeting links still work.
      for (const status of ['active', 'inactive', 'pending']) {
        await eachItem(ctx.api, { path: '/users', query: { status }, itemsKey: 'users', category: 'Medium' }, (item) => ctx.add('users', userRow(item, ctx.nowMs)));
      }
    },
  },
  meetings: {
    name: 'meetings', mode: 'windowed',
    collect: async (ctx) => {
      for (const meeting of await pastMeetings(ctx)) {
        ctx.add('meetings', meetingRow(meeting));
        const uuid = uuidOf(meeting);
        if (!uuid) continue;
        await eachItem(ctx.api, { path: `/report/meetings/${meetingUuidPath(uuid)}/participants`, query: { include_fields: 'registrant_id' }, itemsKey: 'participants', category: 'Heavy' },
          (p) => ctx.add('meeting_participants', meetingParticipantRow(p, uuid, idOf(meeting))));
      }
    },
  },
  participant_details: {
    name: 'participant_details', mode: 'windowed',
    collect: async (ctx) => {
      for (const meeting of await pastMeetings(ctx)) {
        const uuid = uuidOf(meeting);
        if (!uuid) continue;
        await eachItem(ctx.api, { path: `/metrics/meetings/${meetingUuidPath(uuid)}/participants`, query: { type: 'past', include_fields: 'registrant_id' }, itemsKey: 'participants', category: 'Heavy' },
          (p) => ctx.add('participant_details', participantDetailRow(p, uuid, idOf(meeting))));
      }
    },
  },
  recordings: {
    name: 'recordings', mode: 'windowed',
    collect: async (ctx) => {
      for (const trash of [false, true]) {
        await eachItem(ctx.api, { path: '/accounts/me/recordings', query: { ...range(ctx.window), ...(trash ? { trash: 'true' } : {}) }, itemsKey: 'meetings', category: 'Medium' },
          (m) => { for (const row of recordingRows(m, trash)) ctx.add('recordings', row); });
      }
    },
  },
};
