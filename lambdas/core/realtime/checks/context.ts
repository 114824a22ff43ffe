import type { DetectionRegistry } from '../../detect/registry.ts';
import { nonEmptyText } from '../../lake/cell-coercion.ts';
import type { Clock, StateStore } from '../../ports.ts';
import type { Row } from '../../schema/types.ts';
import { sensitiveMatch, type CompiledSettings } from '../config.ts';
import { emailOfUserId } from '../directory.ts';

/*
 * What every realtime check works with: its context, the live view of a meeting instance kept in the state store
 * (topic, host and end remembered for events that lack them), and the readers of typed-row cells the checks share.
 */

/** What the checks read and write. */
export interface CheckContext {
  readonly state: StateStore;
  readonly settings: CompiledSettings;
  readonly clock: Clock;
  /** The detections the checks raise: metadata and parameters, looked up by id. */
  readonly registry: DetectionRegistry;
}

/** The state-store partition of one meeting instance: its info, outside participants and IP joins. */
export const meetingPk = (uuid: string) => `rt#meeting#${uuid}`;
/** A cell as lower-case trimmed text, or null when empty. */
export const lower = (v: unknown) => nonEmptyText(v)?.trim().toLowerCase() || null;
/** A cell as trimmed text, or null when empty. */
export const trimmed = (v: unknown) => nonEmptyText(v)?.trim() || null;
/** Epoch ms as an ISO timestamp. */
export const iso = (ms: number) => new Date(ms).toISOString();
/** A sort-key part that orders by time: epoch ms, 13 digits. */
export const msKey = (ms: number) => String(Math.max(0, Math.trunc(ms))).padStart(13, '0');
/** A number attribute, or undefined. */
export const numberAttr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** The distinct non-empty values, sorted and joined by `sep`. */
export const joinSorted = (values: Iterable<string | null | undefined>, sep: string) =>
  [...new Set([...values].filter((v): v is string => !!v))].sort().join(sep);

/** The live state of one meeting instance the checks need. */
export interface MeetingView {
  readonly uuid: string;
  readonly meetingId: string | null;
  readonly topic: string | null;
  readonly hostId: string | null;
  readonly hostEmail: string | null;
  /** When the meeting ended, if meeting.ended said so. */
  readonly endedAt: number | undefined;
  /** The sensitive pattern the topic matches. */
  readonly sensitive: string | undefined;
  readonly watchedHost: boolean;
}

/** When state written now expires (epoch seconds): `hours` from now, by default the configured meeting-state hours. */
export const ttl = (ctx: CheckContext, hours = ctx.settings.raw.meetingStateHours) => Math.floor(ctx.clock.now() / 1000) + hours * 3600;

/** The meeting a typed row describes, remembering topic, host and end for events that lack them. */
export async function meetingOf(row: Row, ctx: CheckContext, endedAt?: number): Promise<MeetingView | undefined> {
  const uuid = nonEmptyText(row.meeting_uuid);
  if (!uuid) return undefined;
  let topic = nonEmptyText(row.topic);
  let hostId = nonEmptyText(row.host_id);
  let meetingId = nonEmptyText(row.meeting_id);
  const stored = await ctx.state.get(meetingPk(uuid), 'info');
  const storedEnd = numberAttr(stored?.attrs.ended_at);
  if (stored) {
    topic ??= nonEmptyText(stored.attrs.topic);
    hostId ??= nonEmptyText(stored.attrs.host_id);
    meetingId ??= nonEmptyText(stored.attrs.meeting_id);
  }
  const ended = endedAt ?? storedEnd;
  const changed =
    !stored ||
    (topic !== null && stored.attrs.topic === null) ||
    (hostId !== null && stored.attrs.host_id === null) ||
    (endedAt !== undefined && endedAt !== storedEnd);
  if (changed) {
    await ctx.state.put({
      pk: meetingPk(uuid),
      sk: 'info',
      attrs: { topic, host_id: hostId, meeting_id: meetingId, ended_at: ended ?? null },
      expiresAt: ttl(ctx),
    });
  }
  const hostEmail = hostId ? ((await emailOfUserId(ctx.state, hostId)) ?? null) : null;
  return {
    uuid,
    meetingId,
    topic,
    hostId,
    hostEmail,
    endedAt: ended,
    sensitive: sensitiveMatch(ctx.settings, topic),
    watchedHost: hostEmail !== null && ctx.settings.watchedUsers.has(hostEmail),
  };
}
