import type { Alert } from '../alerts/alert.ts';
import { codedAlert, type CodedDetection, type EvidenceRow } from '../alerts/coded.ts';

/** A realtime check's alert metadata; `scheduledTwin` says whether queries/detections/<id> reports the same finding. */
export interface RealtimeDetection extends CodedDetection {
  /** Whether a scheduled detection (queries/detections/<id>) reports the same finding. */
  readonly scheduledTwin: boolean;
}

const DAY = 86_400_000;

/** Every realtime detection, by id. */
export const REALTIME_DETECTIONS = {
  joinAfterDeactivation: {
    id: 'zoom.participant.join_after_deactivation',
    title: 'Deactivated or deleted user joined a meeting',
    severity: 'high', mitre: ['T1078', 'T1133'], dedupKey: ['user_email', 'meeting_uuid'], dedupWindowMs: DAY,
    entities: ['user_email', 'user_name', 'meeting_id', 'meeting_uuid', 'ip_address'], scheduledTwin: true,
    runbook: 'Confirm the account is deactivated or deleted (Zoom admin portal > User Management). A join under it means an '
      + 'old meeting link, a cached session or a re-used identity: find who is behind the participant (ip_address, device in '
      + 'participant_details), remove them from the meeting, end the deactivated user\'s sessions and re-key the meeting link.',
  },
  externalInSensitiveMeeting: {
    id: 'zoom.participant.external_in_sensitive_meeting',
    title: 'External participant or guest in sensitive meetings',
    severity: 'medium', mitre: ['T1199', 'T1213', 'T1078'], dedupKey: ['participant'], dedupWindowMs: 7 * DAY,
    entities: ['user_email', 'user_name'], scheduledTwin: true,
    runbook: 'Ask the host whether the participant was invited (calendar invite, registrants). Unauthenticated guest: check '
      + 'participant_details (ip, device) against the invitee list; if unknown, assume the link leaked, remove them, give the '
      + 'meeting a new link and passcode and require authentication for sensitive topics.',
  },
  guestImpersonatesInternal: {
    id: 'zoom.participant.guest_impersonates_internal',
    title: 'Guest using an internal user\'s name',
    severity: 'high', mitre: ['T1656', 'T1566.003', 'T1199'], dedupKey: ['meeting_uuid', 'user_name', 'user_email', 'impersonated_email'],
    dedupWindowMs: DAY, entities: ['user_name', 'user_email', 'meeting_id', 'meeting_uuid', 'ip_address', 'host_email'], scheduledTwin: true,
    runbook: 'Ask the impersonated user (out of band) whether they joined from another device or a personal account. If not, '
      + 'tell the host to remove the participant at once, warn attendees not to act on anything said or shared by them, and '
      + 'pull participant_details (ip, device) for the meeting.',
  },
  joinBurst: {
    id: 'zoom.participant.join_burst_many_ips',
    title: 'Burst of joins from many participants or IPs',
    severity: 'medium', mitre: ['T1133', 'T1199'], dedupKey: ['meeting_uuid'], dedupWindowMs: DAY,
    entities: ['meeting_id', 'meeting_uuid'], scheduledTwin: true,
    runbook: 'A sudden wave of distinct participants or addresses is how a leaked link gets "zoom-bombed". Tell the host to '
      + 'lock the meeting and enable the waiting room, remove unknown participants, and give the meeting a new link and passcode.',
  },
  waitingRoomUnknownExternal: {
    id: 'zoom.participant.waiting_room_unknown_external',
    title: 'Unknown external waiting to join a watched meeting',
    severity: 'low', mitre: ['T1199'], dedupKey: ['meeting_uuid', 'participant'], dedupWindowMs: DAY,
    entities: ['user_email', 'user_name', 'meeting_id', 'meeting_uuid'], scheduledTwin: false,
    runbook: 'For pre-admission vetting: the host should admit the participant only if they were invited; the email domain '
      + 'and display name are in the evidence. Nothing has been disclosed yet.',
  },
  recordingDeletedAfterExternal: {
    id: 'zoom.recording.deleted_after_external_meeting',
    title: 'Recording deleted after a meeting with outsiders, or recordings deleted in bulk',
    severity: 'medium', mitre: ['T1485', 'T1070'], dedupKey: ['pattern', 'subject'], dedupWindowMs: DAY,
    entities: ['operator', 'host_email', 'meeting_id', 'meeting_uuid'], scheduledTwin: true,
    runbook: 'Ask the operator why the recordings were removed (pattern after_external_meeting: one meeting outsiders joined; '
      + 'bulk_deletion: many recordings within an hour). Trashed recordings can be recovered for 30 days (Recordings > Trash): '
      + 'recover and preserve them if they may matter to an investigation or legal hold; an unexpected bulk deletion by an admin '
      + 'account suggests a compromised admin.',
  },
  recordingDeleted: {
    id: 'zoom.recording.deleted',
    title: 'Recording of a sensitive meeting deleted, or deleted by someone other than the host',
    severity: 'medium', mitre: ['T1070', 'T1485'], dedupKey: ['meeting_uuid'], dedupWindowMs: DAY,
    entities: ['operator', 'meeting_id', 'meeting_uuid'], scheduledTwin: false,
    runbook: 'Ask the operator (and the host, if different) why the recording was trashed or deleted. Recover it from the trash '
      + 'within 30 days if it must be kept; a batch deletion by an admin account nobody expected suggests a compromised admin.',
  },
  securitySettingWeakened: {
    id: 'zoom.operation.security_setting_weakened',
    title: 'Zoom account security setting weakened',
    severity: 'high', mitre: ['T1562.001', 'T1556', 'T1098'], dedupKey: ['operator', 'setting'], dedupWindowMs: 2 * DAY,
    entities: ['operator'], scheduledTwin: true,
    runbook: 'Ask the operator out of band whether they made the change. If unexplained: revert and lock the setting, treat the '
      + 'operator account as compromised (reset password and sessions, re-enrol 2FA) and review its other operations.',
  },
} as const satisfies Record<string, RealtimeDetection>;

export type { EvidenceRow } from '../alerts/coded.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The alert for one finding (source realtime); first_seen/last_seen are the event's own time. */
export function realtimeAlert(detection: RealtimeDetection, row: EvidenceRow, atMs: number): Alert {
  return codedAlert(detection, 'realtime', row, [{ ...row, first_seen: iso(atMs), last_seen: iso(atMs) }], atMs, atMs);
}
