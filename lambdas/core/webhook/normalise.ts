import {
  firstId,
  firstInstant,
  firstText,
  bool,
  idText,
  instant,
  int32,
  int64,
  ip,
  isRecord,
  json,
  masked,
  objectOrEmpty,
  nonEmptyText,
  type Cells,
  type Json,
} from '../lake/cell-coercion.ts';
import type { Row } from '../schema/types.ts';
import { eventTimeOf, type ZoomEnvelope } from './envelope.ts';
import { routeOf, type WebhookTable } from './routes.ts';

/** One row derived from a webhook event, for the typed table it belongs in. */
export interface TypedRow {
  readonly table: WebhookTable;
  readonly row: Row;
}

const withoutId = (v: unknown): Json | undefined => {
  if (!isRecord(v)) return undefined;
  const { id: _id, ...rest } = v;
  return rest;
};
const nonEmpty = (v: Json | undefined): Json | undefined => (v && Object.keys(v).length > 0 ? v : undefined);

/** What every typed row of one event shares. */
interface EventContext {
  readonly env: ZoomEnvelope;
  readonly action: string;
  readonly object: Json;
  /** eventTimeOf: Zoom's event_ts, else a payload time, else receipt. */
  readonly fallbackTime: number;
  readonly sourceRecordId: string;
}

/**
 * The typed-table rows of a verified webhook event (none for events without a typed table). Never throws on an
 * odd payload: a field of an unexpected type becomes NULL (ids are stringified), so every row fits its table and
 * the event is never lost; `webhook_events` keeps the raw body for anything not mapped here.
 */
export function typedRows(env: ZoomEnvelope, sourceRecordId: string, receivedAt: number): TypedRow[] {
  const routed = routeOf(env.event);
  if (!routed) return [];
  const ctx: EventContext = {
    env,
    action: routed.action,
    object: objectOrEmpty(env.payload.object),
    fallbackTime: eventTimeOf(env, receivedAt),
    sourceRecordId,
  };
  return ROWS_BY_TABLE[routed.route.table](ctx);
}

function base(ctx: EventContext, ownTime: number | null): Cells {
  return {
    event: ctx.env.event,
    event_time: ownTime ?? ctx.fallbackTime,
    account_id: firstId(ctx.env.payload.account_id, ctx.object.account_id),
  };
}

const operatorCells = (ctx: EventContext): Cells => ({
  operator: nonEmptyText(ctx.env.payload.operator),
  operator_id: idText(ctx.env.payload.operator_id),
});

/** Which participant field holds the event's own time: waiting-room and role events carry `date_time`, not join_time. */
function participantTime(ctx: EventContext, p: Json): number | null {
  const { action, object } = ctx;
  if (action.startsWith('sharing_')) return firstInstant(objectOrEmpty(p.sharing_details).date_time, p.date_time, object.date_time);
  if (action === 'participant_joined' || action === 'participant_jbh_joined') return firstInstant(p.join_time, p.date_time);
  if (action === 'participant_left') return firstInstant(p.leave_time, p.date_time);
  return firstInstant(p.date_time, object.date_time, p.join_time, p.leave_time);
}

function participantRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const p = objectOrEmpty(o.participant);
  return {
    table: 'participant_events',
    row: {
      ...base(ctx, participantTime(ctx, p)),
      meeting_id: idText(o.id),
      meeting_uuid: nonEmptyText(o.uuid),
      host_id: idText(o.host_id),
      topic: nonEmptyText(o.topic),
      participant_id: idText(p.user_id),
      participant_user_id: firstId(p.id, p.participant_user_id),
      participant_uuid: nonEmptyText(p.participant_uuid),
      user_name: nonEmptyText(p.user_name),
      email: nonEmptyText(p.email),
      registrant_id: idText(p.registrant_id),
      customer_key: nonEmptyText(p.customer_key),
      phone_number: idText(p.phone_number),
      public_ip: ip(p.public_ip),
      private_ip: ip(p.private_ip),
      leave_reason: nonEmptyText(p.leave_reason),
      old_role: firstText(p.old_role, o.old_role),
      new_role: firstText(p.new_role, o.new_role),
      sharing_content: nonEmptyText(objectOrEmpty(p.sharing_details).content),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** meeting.alert's issues as a list: Zoom types it as an array, published samples also send one string. */
function issuesOf(v: unknown): Json | undefined {
  const issues = Array.isArray(v) ? v : nonEmptyText(v) !== null ? [v] : [];
  return issues.length > 0 ? { issues } : undefined;
}

/** A passcode's presence, never its value: "" means the meeting has none; absent means the event does not say. */
function hasPasscode(v: unknown): boolean | null {
  return typeof v === 'string' ? v !== '' : null;
}

function meetingRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const { action } = ctx;
  // started/ended carry the actual time; created/updated carry a scheduled start, which is not when the event happened.
  const own = action === 'started' ? instant(o.start_time) : action === 'ended' ? instant(o.end_time) : null;
  const risk = objectOrEmpty(o.armn_details ?? ctx.env.payload.armn_details);
  const details =
    action === 'updated'
      ? ctx.env.payload.old_object
      : action === 'risk_alert'
        ? nonEmpty(risk)
        : action === 'alert'
          ? issuesOf(o.issues)
          : undefined;
  const settings = objectOrEmpty(o.settings);
  return {
    table: 'meeting_events',
    row: {
      ...base(ctx, own),
      meeting_id: idText(o.id),
      meeting_uuid: nonEmptyText(o.uuid),
      host_id: idText(o.host_id),
      host_email: nonEmptyText(o.host_email),
      topic: nonEmptyText(o.topic),
      meeting_type: int32(o.type),
      start_time: instant(o.start_time),
      end_time: instant(o.end_time),
      duration_minutes: int32(o.duration),
      timezone: nonEmptyText(o.timezone),
      has_passcode: hasPasscode(o.password),
      waiting_room: bool(settings.waiting_room),
      meeting_authentication: bool(settings.meeting_authentication),
      join_before_host: bool(settings.join_before_host),
      use_pmi: bool(settings.use_pmi),
      ...operatorCells(ctx),
      risk_post_platform: nonEmptyText(risk.post_platform),
      risk_post_url: masked(risk.social_link),
      risk_post_time: instant(risk.post_time),
      risk_meeting_url: masked(risk.meeting_url),
      details_json: json(details),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

function recordingCells(m: Json, parent: Json): Cells {
  return {
    meeting_id: firstId(m.id, m.meeting_id),
    meeting_uuid: firstText(m.uuid, m.meeting_uuid),
    host_id: firstId(m.host_id, parent.host_id),
    host_email: firstText(m.host_email, parent.host_email),
    topic: firstText(m.topic, parent.topic),
    start_time: instant(m.start_time),
    recording_count: int32(m.recording_count),
    total_size: int64(m.total_size),
    share_url: masked(m.share_url),
    has_passcode: hasPasscode(m.password),
  };
}

/**
 * One row per meeting: batch_deleted/batch_recovered list `object.meetings[]`, batch_trashed lists
 * `object.meeting_uuids[]`; any other shape gives one row from the object itself.
 */
function recordingRows(ctx: EventContext): TypedRow[] {
  const o = ctx.object;
  const common = { ...base(ctx, null), ...operatorCells(ctx), source_record_id: ctx.sourceRecordId };
  const listed: Json[] = [];
  if (Array.isArray(o.meetings)) {
    for (const m of o.meetings)
      if (isRecord(m)) listed.push(m);
      else if (idText(m) !== null) listed.push({ meeting_uuid: m });
  }
  if (Array.isArray(o.meeting_uuids)) {
    for (const u of o.meeting_uuids) if (idText(u) !== null) listed.push({ meeting_uuid: u });
  }
  const meetings = listed.length > 0 ? listed : [o];
  return meetings.map((m) => ({ table: 'recording_events', row: { ...common, ...recordingCells(m, o) } }));
}

function userRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const changes =
    ctx.action === 'updated' || ctx.action === 'settings_updated'
      ? json({ object: withoutId(o), old_object: withoutId(ctx.env.payload.old_object) })
      : null;
  return {
    table: 'user_events',
    row: {
      ...base(ctx, instant(o.date_time)),
      user_id: idText(o.id),
      email: nonEmptyText(o.email),
      user_type: int32(o.type),
      client_type: nonEmptyText(o.client_type),
      client_version: nonEmptyText(o.version),
      login_type: int32(o.login_type),
      ...operatorCells(ctx),
      changes_json: changes,
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** `settings` when the object has them (settings events), else the changed fields themselves (account.updated). */
const settingsOf = (v: unknown): unknown => (isRecord(v) && isRecord(v.settings) ? v.settings : nonEmpty(withoutId(v)));

function accountRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  // group.* and information_barriers.* change an object of the account (a group, a policy): keep it whole.
  const ofAccount = ctx.env.event.startsWith('account.');
  return {
    table: 'account_events',
    row: {
      ...base(ctx, null),
      account_id: ofAccount ? firstId(ctx.env.payload.account_id, o.account_id, o.id) : firstId(ctx.env.payload.account_id, o.account_id),
      ...operatorCells(ctx),
      object_id: ofAccount ? null : idText(o.id),
      settings_json: json(ofAccount ? settingsOf(o) : nonEmpty(withoutId(o))),
      // Old and new in the same shape: the settings on account.*, the whole object (`{"settings":...}`, `{"name":...}`) else.
      old_settings_json: json(ofAccount ? settingsOf(ctx.env.payload.old_object) : nonEmpty(withoutId(ctx.env.payload.old_object))),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** The meeting of an event whose object is the meeting (`id`, `uuid`) or names it (`meeting_id`, `webinar_uuid`, ...). */
const meetingCells = (o: Json): Cells => ({
  meeting_id: firstId(o.meeting_id, o.webinar_id, o.id),
  meeting_uuid: firstText(o.meeting_uuid, o.webinar_uuid, o.uuid),
});

function registrationRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const r = objectOrEmpty(o.registrant);
  const invitee = objectOrEmpty(o.participant);
  return {
    table: 'registration_events',
    row: {
      ...base(ctx, instant(r.create_time)),
      ...meetingCells(o),
      host_id: idText(o.host_id),
      topic: nonEmptyText(o.topic),
      ...operatorCells(ctx),
      registrant_id: idText(r.id),
      participant_user_id: idText(invitee.participant_user_id),
      email: firstText(r.email, invitee.email),
      first_name: nonEmptyText(r.first_name),
      last_name: nonEmptyText(r.last_name),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** A file sent in a meeting's chat (the sender and recipients), or downloaded from it (the operator). Never the download link. */
function chatFileRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const f = objectOrEmpty(o.chat_message_file);
  return {
    table: 'meeting_chat_events',
    row: {
      ...base(ctx, instant(f.date_time)),
      ...meetingCells(o),
      message_id: nonEmptyText(f.message_id),
      sender_session_id: idText(f.sender_session_id),
      sender_name: nonEmptyText(f.sender_name),
      sender_email: nonEmptyText(f.sender_email),
      sender_type: nonEmptyText(f.sender_type),
      recipient_session_id: idText(f.recipient_session_id),
      recipient_name: nonEmptyText(f.recipient_name),
      recipient_email: nonEmptyText(f.recipient_email),
      recipient_type: nonEmptyText(f.recipient_type),
      file_id: nonEmptyText(f.file_id),
      file_name: nonEmptyText(f.file_name),
      file_size: int64(f.file_size),
      file_type: nonEmptyText(f.file_type),
      file_owner_id: idText(f.file_owner_id),
      ...operatorCells(ctx),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** QoS, feedback and device data of one participant; device columns come from the latest `data` entry. */
function qualityRow(ctx: EventContext): TypedRow {
  const o = ctx.object;
  const p = objectOrEmpty(o.participant);
  const entries = [p.data, p.qos, p.details].find(Array.isArray) ?? [];
  const data = Array.isArray(p.data) ? objectOrEmpty(p.data.at(-1)) : {};
  const feedback = objectOrEmpty(p.feedback);
  return {
    table: 'participant_quality_events',
    row: {
      ...base(ctx, firstInstant(p.date_time, objectOrEmpty(entries.at(-1)).date_time)),
      ...meetingCells(o),
      participant_id: firstId(p.participant_id, p.user_id),
      // qos_summary names the Zoom user id `id`, as the participant events do.
      participant_user_id: firstId(p.participant_user_id, p.id),
      participant_uuid: nonEmptyText(p.participant_uuid),
      user_name: nonEmptyText(p.user_name),
      email: nonEmptyText(p.email),
      device: nonEmptyText(data.device),
      location: nonEmptyText(data.location),
      network_type: nonEmptyText(data.network_type),
      pc_name: nonEmptyText(data.pc_name),
      domain: nonEmptyText(data.domain),
      version: nonEmptyText(data.version),
      ip_address: ip(data.signaling_ip_address),
      satisfied: bool(feedback.satisfied),
      details_json: json(entries.length > 0 ? entries : nonEmpty(feedback)),
      source_record_id: ctx.sourceRecordId,
    },
  };
}

/** How each typed table of the routes (routes.ts) is filled from an event. */
const ROWS_BY_TABLE: Readonly<Record<WebhookTable, (ctx: EventContext) => TypedRow[]>> = {
  participant_events: (ctx) => [participantRow(ctx)],
  meeting_events: (ctx) => [meetingRow(ctx)],
  recording_events: recordingRows,
  user_events: (ctx) => [userRow(ctx)],
  account_events: (ctx) => [accountRow(ctx)],
  registration_events: (ctx) => [registrationRow(ctx)],
  meeting_chat_events: (ctx) => [chatFileRow(ctx)],
  participant_quality_events: (ctx) => [qualityRow(ctx)],
};
