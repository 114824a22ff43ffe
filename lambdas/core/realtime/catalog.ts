import type { Alert } from '../alerts/alert.ts';
import { alertForFinding, type AlertDefinition, type EvidenceRow } from '../alerts/finding.ts';

/**
 * The detections the realtime checks raise, by role. Each id's definition (title, severity, runbook, dedup,
 * parameters) lives in its queries/detections/<id>/detection.yml, whose `paths` include `realtime`; the checks look
 * it up in the registry.
 */
export const REALTIME_IDS = {
  joinAfterDeactivation: 'zoom.participant.join_after_deactivation',
  externalInSensitiveMeeting: 'zoom.participant.external_in_sensitive_meeting',
  guestImpersonatesInternal: 'zoom.participant.guest_impersonates_internal',
  impersonatesSupport: 'zoom.participant.impersonates_support',
  joinBurst: 'zoom.participant.join_burst_many_ips',
  waitingRoomUnknownExternal: 'zoom.participant.waiting_room_unknown_external',
  recordingDeletedAfterExternal: 'zoom.recording.deleted_after_external_meeting',
  recordingDeleted: 'zoom.recording.deleted',
  securitySettingWeakened: 'zoom.operation.security_setting_weakened',
  riskAlert: 'zoom.meeting.risk_alert',
} as const;

export type { EvidenceRow } from '../alerts/finding.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The alert for one finding (source realtime): `row` holds the dedup, entity and evidence columns; first_seen and
 * last_seen default to `atMs`, the event's own time.
 */
export function realtimeAlert(detection: AlertDefinition, row: EvidenceRow, atMs: number, lastMs: number = atMs): Alert {
  return alertForFinding(detection, 'realtime', row, [{ first_seen: iso(atMs), last_seen: iso(lastMs), ...row }], atMs, lastMs);
}
