import { parseEnvelope, webhookBody, type ZoomEnvelope } from '#core/webhook/envelope.ts';
import { typedRows } from '#core/webhook/normalise.ts';
import { WEBHOOK_TABLES } from '#core/webhook/routes.ts';

/*
 * The tests' one builder of Zoom webhook bodies (shapes from the Zoom reference, compact JSON as Zoom sends, serialised
 * by the core's webhookBody like the scenario's and the bench's): single events for the realtime checks and the
 * end-to-end tests, and bodies replaying a detection fixture's table rows.
 */

export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A user.* event. */
export function userEvent(event: string, email: string, opts: { id?: string; first?: string; last?: string; at?: number } = {}): string {
  return webhookBody({
    event,
    eventTs: opts.at ?? T0 - 3_600_000,
    payload: {
      account_id: 'acc',
      operator: 'admin@example.com',
      operator_id: 'adm1',
      object: { id: opts.id ?? `id-${email}`, email, first_name: opts.first, last_name: opts.last, type: 1 },
    },
  });
}

/** What a participant event says about its meeting and participant. */
export interface JoinOpts {
  readonly uuid?: string;
  readonly topic?: string;
  readonly hostId?: string;
  readonly name: string;
  readonly email?: string;
  /** Zoom user id: present when signed in. */
  readonly id?: string;
  readonly ip?: string;
  readonly at?: number;
  readonly puuid?: string;
  /** Registrant id: the participant came through the meeting's registration. */
  readonly registrant?: string;
}

/** meeting.participant_joined (or the waiting-room variant). */
export function joinEvent(o: JoinOpts, waitingRoom = false): string {
  const at = o.at ?? T0;
  const participant = waitingRoom
    ? {
        user_id: `1677${o.name.length}`,
        user_name: o.name,
        id: o.id ?? '',
        participant_uuid: o.puuid ?? `pu-${o.name}`,
        date_time: iso(at),
        email: o.email ?? '',
      }
    : {
        user_id: `1677${o.name.length}`,
        user_name: o.name,
        id: o.id ?? '',
        participant_uuid: o.puuid ?? `pu-${o.name}`,
        join_time: iso(at),
        email: o.email ?? '',
        ...(o.ip ? { public_ip: o.ip } : {}),
        ...(o.registrant ? { registrant_id: o.registrant } : {}),
      };
  return webhookBody({
    event: waitingRoom ? 'meeting.participant_joined_waiting_room' : 'meeting.participant_joined',
    eventTs: at,
    payload: {
      account_id: 'acc',
      object: { id: '81234567890', uuid: o.uuid ?? 'inst-1==', host_id: o.hostId ?? 'host-1', topic: o.topic ?? 'Weekly sync', type: 2, participant },
    },
  });
}

/** meeting.started. */
export function startedEvent(uuid: string, topic: string, hostId: string, at = T0 - 60_000): string {
  return webhookBody({
    event: 'meeting.started',
    eventTs: at,
    payload: { account_id: 'acc', object: { id: '81234567890', uuid, host_id: hostId, topic, type: 2, start_time: iso(at), duration: 60 } },
  });
}

/** recording.deleted / recording.trashed for one meeting. */
export function recordingEvent(
  event: 'recording.deleted' | 'recording.trashed',
  o: { uuid: string; topic: string; hostId: string; operatorId: string; at?: number },
): string {
  return webhookBody({
    event,
    eventTs: o.at ?? T0 + 3_600_000,
    payload: {
      account_id: 'acc',
      operator: `${o.operatorId}@example.com`,
      operator_id: o.operatorId,
      object: { id: 81234567890, uuid: o.uuid, host_id: o.hostId, topic: o.topic, type: 2, recording_count: 1, recording_files: [] },
    },
  });
}

/** recording.batch_trashed listing meeting uuids. */
export function batchTrashedEvent(uuids: readonly string[], operatorId = 'adm1', at = T0 + 3_600_000): string {
  return webhookBody({
    event: 'recording.batch_trashed',
    eventTs: at,
    payload: { account_id: 'acc', operator: 'admin@example.com', operator_id: operatorId, object: { meeting_uuids: uuids } },
  });
}

/** account.settings_updated with new and old values. */
export function settingsEvent(settings: object, oldSettings: object | undefined, operator = 'Admin@Example.com', at = T0): string {
  return webhookBody({
    event: 'account.settings_updated',
    eventTs: at,
    payload: {
      account_id: 'acc',
      operator,
      operator_id: 'adm1',
      object: { id: 'acc', settings },
      ...(oldSettings ? { old_object: { id: 'acc', settings: oldSettings } } : {}),
      time_stamp: at,
    },
  });
}

/**
 * Fixture rows of the webhook tables (every table of WEBHOOK_TABLES) as the Zoom webhook bodies that carry them, so a detection fixture written as table rows can be
 * replayed as signed webhooks through the realtime path. Every body is checked against the normaliser: the typed
 * row it gives must hold each value the fixture row states, so the scheduled path (which writes the same bodies
 * through the lake writer) reads exactly the fixture's rows.
 */

type Cell = unknown;
type FixtureRow = Readonly<Record<string, Cell>>;

const timeOf = (v: Cell): number => {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`fixture webhook row: event_time must be an ISO-8601 time, got ${String(v)}`);
  return ms;
};
const pick = (row: FixtureRow, mapping: Readonly<Record<string, string>>): Record<string, Cell> => {
  const out: Record<string, Cell> = {};
  for (const [column, field] of Object.entries(mapping)) if (row[column] !== undefined && row[column] !== null) out[field] = row[column];
  return out;
};
const parsed = (v: Cell): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
/** `password` for a has_passcode cell: a placeholder when true, "" (no passcode) when false. */
const passcode = (row: FixtureRow): Record<string, string> =>
  row.has_passcode === undefined || row.has_passcode === null ? {} : { password: row.has_passcode ? 'fixture-passcode' : '' };

/** The time field a participant event carries its own time in (as the normaliser reads it). */
function participantTimeField(event: string): string {
  const action = event.slice(event.indexOf('.') + 1);
  if (action === 'participant_joined') return 'join_time';
  if (action === 'participant_left') return 'leave_time';
  return 'date_time';
}

/** The Zoom webhook body carrying one fixture row of a webhook table. */
export function bodyFromRow(table: string, row: FixtureRow): ZoomEnvelope & { readonly eventTs: number } {
  const event = String(row.event);
  const at = timeOf(row.event_time);
  const operator = pick(row, { operator: 'operator', operator_id: 'operator_id' });
  const body = (payload: Record<string, unknown>) => ({ event, eventTs: at, payload: { account_id: row.account_id ?? 'acc', ...payload } });
  switch (table) {
    case 'participant_events':
      return body({
        object: {
          ...pick(row, { meeting_id: 'id', meeting_uuid: 'uuid', host_id: 'host_id', topic: 'topic' }),
          participant: {
            ...pick(row, {
              participant_id: 'user_id',
              participant_user_id: 'id',
              participant_uuid: 'participant_uuid',
              user_name: 'user_name',
              email: 'email',
              registrant_id: 'registrant_id',
              customer_key: 'customer_key',
              phone_number: 'phone_number',
              public_ip: 'public_ip',
              private_ip: 'private_ip',
              leave_reason: 'leave_reason',
            }),
            [participantTimeField(event)]: iso(at),
            ...(event.includes('.sharing_')
              ? { sharing_details: { date_time: iso(at), ...(row.sharing_content ? { content: row.sharing_content } : {}) } }
              : {}),
          },
        },
      });
    case 'meeting_events': {
      const own = event.endsWith('.started') ? { start_time: iso(at) } : event.endsWith('.ended') ? { end_time: iso(at) } : {};
      const details = row.details_json ? (parsed(row.details_json) as Record<string, unknown>) : undefined;
      const settings = pick(row, {
        waiting_room: 'waiting_room',
        meeting_authentication: 'meeting_authentication',
        join_before_host: 'join_before_host',
        use_pmi: 'use_pmi',
      });
      const risk = pick(row, { risk_post_platform: 'post_platform', risk_post_url: 'social_link', risk_meeting_url: 'meeting_url' });
      if (row.risk_post_time) risk.post_time = iso(timeOf(row.risk_post_time));
      // details_json is the old object on updates, armn_details on risk alerts, {issues} on quality alerts.
      const action = event.slice(event.indexOf('.') + 1);
      return body({
        ...operator,
        object: {
          ...pick(row, {
            meeting_id: 'id',
            meeting_uuid: 'uuid',
            host_id: 'host_id',
            host_email: 'host_email',
            topic: 'topic',
            meeting_type: 'type',
            duration_minutes: 'duration',
            timezone: 'timezone',
          }),
          ...(row.start_time ? { start_time: row.start_time } : {}),
          ...(row.end_time ? { end_time: row.end_time } : {}),
          ...own,
          ...passcode(row),
          ...(Object.keys(settings).length > 0 ? { settings } : {}),
          ...(action === 'risk_alert' && (details || Object.keys(risk).length > 0) ? { armn_details: { ...details, ...risk } } : {}),
          ...(action === 'alert' && details ? { issues: details.issues } : {}),
        },
        ...(action === 'updated' && details ? { old_object: details } : {}),
      });
    }
    case 'recording_events':
      return body({
        ...operator,
        object: {
          ...pick(row, {
            meeting_id: 'id',
            meeting_uuid: 'uuid',
            host_id: 'host_id',
            host_email: 'host_email',
            topic: 'topic',
            start_time: 'start_time',
            recording_count: 'recording_count',
            total_size: 'total_size',
            share_url: 'share_url',
          }),
          ...passcode(row),
        },
      });
    case 'user_events': {
      const changes = row.changes_json
        ? (parsed(row.changes_json) as { object?: Record<string, unknown>; old_object?: Record<string, unknown> })
        : undefined;
      return body({
        ...operator,
        object: {
          ...pick(row, {
            user_id: 'id',
            email: 'email',
            user_type: 'type',
            client_type: 'client_type',
            client_version: 'version',
            login_type: 'login_type',
          }),
          ...changes?.object,
        },
        ...(changes?.old_object ? { old_object: { ...(row.user_id ? { id: row.user_id } : {}), ...changes.old_object } } : {}),
      });
    }
    case 'account_events':
      // group.* and information_barriers.* keep the changed object whole (its id in object_id).
      if (!event.startsWith('account.'))
        return body({
          ...operator,
          object: { ...pick(row, { object_id: 'id' }), ...(row.settings_json ? (parsed(row.settings_json) as object) : {}) },
          ...(row.old_settings_json ? { old_object: { ...pick(row, { object_id: 'id' }), ...(parsed(row.old_settings_json) as object) } } : {}),
        });
      return body({
        ...operator,
        object: { id: row.account_id ?? 'acc', ...(row.settings_json ? { settings: parsed(row.settings_json) } : {}) },
        ...(row.old_settings_json ? { old_object: { id: row.account_id ?? 'acc', settings: parsed(row.old_settings_json) } } : {}),
      });
    case 'registration_events': {
      const invitation = event.includes('.invitation_');
      const person = invitation
        ? { participant: pick(row, { participant_user_id: 'participant_user_id', email: 'email' }) }
        : { registrant: pick(row, { registrant_id: 'id', email: 'email', first_name: 'first_name', last_name: 'last_name' }) };
      return body({
        ...operator,
        object: { ...pick(row, { meeting_id: 'id', meeting_uuid: 'uuid', host_id: 'host_id', topic: 'topic' }), ...person },
      });
    }
    case 'meeting_chat_events': {
      const file = pick(row, {
        message_id: 'message_id',
        sender_session_id: 'sender_session_id',
        sender_name: 'sender_name',
        sender_email: 'sender_email',
        sender_type: 'sender_type',
        recipient_session_id: 'recipient_session_id',
        recipient_name: 'recipient_name',
        recipient_email: 'recipient_email',
        recipient_type: 'recipient_type',
        file_id: 'file_id',
        file_name: 'file_name',
        file_size: 'file_size',
        file_type: 'file_type',
        file_owner_id: 'file_owner_id',
      });
      // A file sent names its meeting meeting_id/meeting_uuid (webinar_id/webinar_uuid); a download names it id/uuid.
      const sent = event.endsWith('_sent');
      const prefix = event.startsWith('webinar.') ? 'webinar' : 'meeting';
      const meeting = sent ? { meeting_id: `${prefix}_id`, meeting_uuid: `${prefix}_uuid` } : { meeting_id: 'id', meeting_uuid: 'uuid' };
      return body({
        ...operator,
        object: { ...pick(row, meeting), chat_message_file: sent ? { date_time: iso(at), ...file } : file },
      });
    }
    case 'participant_quality_events': {
      const action = event.slice(event.indexOf('.') + 1);
      const details = row.details_json ? parsed(row.details_json) : undefined;
      const measures: Record<string, unknown> = {};
      if (action.startsWith('participant_data')) {
        // The device columns come from the latest data entry; details_json, when given, is the data array whole.
        const device = pick(row, {
          device: 'device',
          location: 'location',
          network_type: 'network_type',
          pc_name: 'pc_name',
          domain: 'domain',
          version: 'version',
          ip_address: 'signaling_ip_address',
        });
        measures.data = Array.isArray(details) ? details : [device];
      } else if (action.startsWith('participant_qos')) {
        measures.qos = Array.isArray(details) ? details : [];
      } else if (action === 'participant_feedback') {
        measures.feedback = { ...(details as object | undefined), ...pick(row, { satisfied: 'satisfied' }) };
      }
      return body({
        object: {
          ...pick(row, { meeting_id: 'id', meeting_uuid: 'uuid' }),
          participant: {
            ...pick(row, {
              participant_id: 'participant_id',
              participant_user_id: 'participant_user_id',
              participant_uuid: 'participant_uuid',
              user_name: 'user_name',
              email: 'email',
            }),
            ...measures,
          },
        },
      });
    }
    default:
      throw new Error(`fixture rows of ${table} cannot be replayed as webhooks (only ${WEBHOOK_TABLES.join(', ')})`);
  }
}

/** Whether every key of `a` is in `b` with the same value (deeply): a webhook may carry more than the fixture states. */
const subset = (a: unknown, b: unknown): boolean => {
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return JSON.stringify(a) === JSON.stringify(b);
  if (b === null || typeof b !== 'object') return false;
  return Object.entries(a).every(([k, v]) => subset(v, (b as Record<string, unknown>)[k]));
};

const same = (fixture: Cell, typed: unknown): boolean => {
  // An empty string and a missing value read the same everywhere (the SQL reads nullif(trim(x), '')).
  if (fixture === null || fixture === undefined || fixture === '') return typed === null || typed === undefined || typed === '';
  if (typeof typed === 'number' && typeof fixture === 'string' && !Number.isNaN(Date.parse(fixture)) && /T/.test(fixture))
    return Date.parse(fixture) === typed;
  if (typeof fixture === 'object') return subset(fixture, typeof typed === 'string' ? JSON.parse(typed) : typed);
  if (typeof fixture === 'string' && typeof typed === 'string' && /^[[{]/.test(fixture)) return subset(JSON.parse(fixture), JSON.parse(typed));
  return String(fixture) === String(typed);
};

/**
 * The body for a fixture row, after checking that the normaliser turns it back into the row (every column the
 * fixture states, with the same value). Throws naming the column that does not survive the round trip.
 */
export function replayableBody(table: string, row: FixtureRow): string {
  const text = webhookBody(bodyFromRow(table, row));
  const rows = typedRows(parseEnvelope(text), 'fixture', timeOf(row.event_time));
  const typed = rows.find((r) => r.table === table)?.row;
  if (!typed) throw new Error(`fixture ${table} row (${String(row.event)}) gives no ${table} row when replayed`);
  for (const [column, value] of Object.entries(row)) {
    if (column === 'account_id' || column === 'source_record_id') continue;
    if (!same(value, typed[column])) {
      throw new Error(
        `fixture ${table} row (${String(row.event)}): column ${column} is ${JSON.stringify(value)} but the replayed webhook gives ${JSON.stringify(typed[column])}`,
      );
    }
  }
  return text;
}
