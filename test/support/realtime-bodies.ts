/** Zoom webhook bodies for realtime-check tests (shapes from the Zoom reference, compact JSON as Zoom sends). */

export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A user.* event. */
export function userEvent(event: string, email: string, opts: { id?: string; first?: string; last?: string; at?: number } = {}): string {
  return JSON.stringify({
    event, event_ts: opts.at ?? T0 - 3_600_000,
    payload: { account_id: 'acc', operator: 'admin@example.com', operator_id: 'adm1',
      object: { id: opts.id ?? `id-${email}`, email, first_name: opts.first, last_name: opts.last, type: 1 } },
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
    ? { user_id: `1677${o.name.length}`, user_name: o.name, id: o.id ?? '', participant_uuid: o.puuid ?? `pu-${o.name}`, date_time: iso(at), email: o.email ?? '' }
    : { user_id: `1677${o.name.length}`, user_name: o.name, id: o.id ?? '', participant_uuid: o.puuid ?? `pu-${o.name}`, join_time: iso(at), email: o.email ?? '',
      ...(o.ip ? { public_ip: o.ip } : {}), ...(o.registrant ? { registrant_id: o.registrant } : {}) };
  return JSON.stringify({
    event: waitingRoom ? 'meeting.participant_joined_waiting_room' : 'meeting.participant_joined', event_ts: at,
    payload: { account_id: 'acc', object: { id: '81234567890', uuid: o.uuid ?? 'inst-1==', host_id: o.hostId ?? 'host-1', topic: o.topic ?? 'Weekly sync', type: 2, participant } },
  });
}

/** meeting.started. */
export function startedEvent(uuid: string, topic: string, hostId: string, at = T0 - 60_000): string {
  return JSON.stringify({ event: 'meeting.started', event_ts: at,
    payload: { account_id: 'acc', object: { id: '81234567890', uuid, host_id: hostId, topic, type: 2, start_time: iso(at), duration: 60 } } });
}

/** recording.deleted / recording.trashed for one meeting. */
export function recordingEvent(event: 'recording.deleted' | 'recording.trashed', o: { uuid: string; topic: string; hostId: string; operatorId: string; at?: number }): string {
  return JSON.stringify({ event, event_ts: o.at ?? T0 + 3_600_000,
    payload: { account_id: 'acc', operator: `${o.operatorId}@example.com`, operator_id: o.operatorId,
      object: { id: 81234567890, uuid: o.uuid, host_id: o.hostId, topic: o.topic, type: 2, recording_count: 1, recording_files: [] } } });
}

/** recording.batch_trashed listing meeting uuids. */
export function batchTrashedEvent(uuids: readonly string[], operatorId = 'adm1', at = T0 + 3_600_000): string {
  return JSON.stringify({ event: 'recording.batch_trashed', event_ts: at,
    payload: { account_id: 'acc', operator: 'admin@example.com', operator_id: operatorId, object: { meeting_uuids: uuids } } });
}

/** account.settings_updated with new and old values. */
export function settingsEvent(settings: object, oldSettings: object | undefined, operator = 'Admin@Example.com', at = T0): string {
  return JSON.stringify({ event: 'account.settings_updated', event_ts: at,
    payload: { account_id: 'acc', operator, operator_id: 'adm1', object: { id: 'acc', settings },
      ...(oldSettings ? { old_object: { id: 'acc', settings: oldSettings } } : {}), time_stamp: at } });
}
