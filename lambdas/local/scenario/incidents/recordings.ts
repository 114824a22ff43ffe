import type { MeetingPlan } from '../calendar.ts';
import { HOUR_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import type { PlantKit } from './kit.ts';

/*
 * Recording incidents: a recording trashed after a customer call, a batch deletion by the compromised admin, and the
 * earnings recording downloaded by someone not in the meeting and then deleted.
 */

/** 18. A sales rep trashes the recording of a customer call three hours after it. */
export function recordingTrashedAfterCustomerCall(k: PlantKit): void {
  const { people, before, pick, plant, incident } = k;
  const host = pick((e) => e.dept === 'Sales');
  const customer = people.customers[1] ?? people.customers[0]!;
  const m = plant(`Customer call - ${customer.name} renewal`, host, before(9), 45, customer.contacts.slice(0, 2));
  m.recorded = true;
  m.deletion = { at: before(6), operator: host, event: 'recording.trashed' };
  incident({
    id: 'recording-trashed-after-customer-call',
    detection: 'zoom.recording.deleted_after_external_meeting',
    paths: ['realtime', 'scheduled'],
    time: iso(m.deletion.at),
    summary: `${host.email} trashes the recording of "${m.topic}" (external participants) 3 hours after it ended`,
    match: { meeting_uuid: m.uuid },
    related: [m.uuid],
  });
}

/** 19. The compromised admin trashes twelve old recordings in one batch. */
export function bulkRecordingDeletion(k: PlantKit): void {
  const { meetings, E, before, out, incident, accountId } = k;
  const adminA = k.people.admins[0];
  if (!adminA) return;
  // Meetings that ended over a day before, internal ones first (a small company has few), unrecorded ones first.
  const internal = (m: MeetingPlan) => m.sessions.every((s) => s.zoomUserId !== '');
  const old = meetings
    .filter((m) => !m.fixed && m.end < E - 30 * HOUR_MS && m.inApi)
    .sort((a, b) => Number(internal(b)) - Number(internal(a)) || Number(a.recorded) - Number(b.recorded) || b.start - a.start)
    .slice(0, 12);
  const at = before(4, 30);
  old.forEach((m, i) => {
    m.recorded = true;
    m.fixed = true;
    m.deletion = { at: at + i * 15_000, operator: adminA, event: 'recording.trashed', batch: true };
  });
  out.events.push({
    at,
    event: 'recording.batch_trashed',
    payload: { account_id: accountId, operator: adminA.email, operator_id: adminA.userId, object: { meeting_uuids: old.map((m) => m.uuid) } },
  });
  incident({
    id: 'bulk-recording-deletion',
    detection: 'zoom.recording.deleted_after_external_meeting',
    paths: ['realtime', 'scheduled'],
    time: iso(at),
    summary: `${adminA.email} trashes ${old.length} recordings within minutes (recording.batch_trashed)`,
    match: { operator: adminA.email },
    related: [adminA.email],
  });
}

/** 20-21. Someone outside the CFO's earnings meeting downloads its recording; the CFO later deletes it. */
export function earningsRecording(k: PlantKit): void {
  const { people, before, pick, plant, incident } = k;
  const { cfo, counsel } = people.execs;
  const finance = people.teams
    .filter((tm) => tm.dept === 'Finance')
    .flatMap((tm) => [tm.lead, ...tm.members])
    .filter((e) => e.lastDay === undefined && e.activeFrom === undefined)
    .slice(0, 3);
  const m = plant('Q3 earnings prep', cfo, before(12), 50, finance.length > 0 ? finance : [counsel]);
  m.recorded = true;
  const clerk = pick((e) => e.dept === 'Legal' || e.dept === 'People' || e.dept === 'Support');
  const at = before(10);
  m.downloads.push({ at, operator: clerk.email });
  incident({
    id: 'recording-downloaded-by-outsider',
    detection: 'zoom.recording.download_by_non_participant',
    paths: ['correlation', 'scheduled'],
    time: iso(at),
    summary: `${clerk.email}, not in "${m.topic}", downloads its cloud recording`,
    match: { operator: clerk.email, meeting_id: String(m.id) },
    related: [clerk.email, m.uuid],
  });
  m.deletion = { at: before(2), operator: cfo, event: 'recording.deleted' };
  incident({
    id: 'sensitive-recording-deleted',
    detection: 'zoom.recording.deleted',
    paths: ['realtime'],
    time: iso(m.deletion.at),
    summary: `${cfo.email} deletes the recording of "${m.topic}" (a sensitive topic)`,
    match: { meeting_uuid: m.uuid },
    related: [m.uuid],
  });
}
