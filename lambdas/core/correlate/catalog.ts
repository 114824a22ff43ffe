import type { Alert } from '../alerts/alert.ts';
import { codedAlert, type CodedDetection, type EvidenceRow } from '../alerts/coded.ts';
import { CORRELATION_DETECTIONS } from './contract.ts';

/**
 * The post-meeting correlation's alert metadata. The download alert shares its id, dedup key columns, window and
 * entities with the scheduled detection queries/detections/zoom.recording.download_by_non_participant (a unit test
 * holds them equal), so the same download raised by both notifies once.
 */
export type CorrelationDetection = CodedDetection;

const DAY = 86_400_000;

/** Every correlation detection, by role. */
export const CORRELATION_CATALOG = {
  recordingDownloadByNonParticipant: {
    id: CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
    title: 'Cloud recording downloaded by someone who was not in the meeting',
    severity: 'medium', mitre: ['T1530', 'T1213'], dedupKey: ['operator', 'meeting_id'], dedupWindowMs: 7 * DAY,
    entities: ['operator', 'meeting_id', 'meeting_uuid', 'host_email'],
    runbook: 'Read operation_details and matched_by (a topic match can name the wrong meeting of a series). Confirm the entry in '
      + 'Reports > Operation Logs (category Recording), then ask the host whether the operator was asked to fetch the recording '
      + '(legal hold, e-discovery, archiving). If nobody asked, treat the recording as exfiltrated: review the operator\'s other '
      + 'operations and sign-ins, reduce their role, tell the host and data owner, and restrict recording downloads to hosts.',
  },
  hostDataAccessAfterExternalMeeting: {
    id: CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting,
    title: 'Host accessed sensitive data soon after a meeting with outsiders',
    severity: 'high', mitre: ['T1530', 'T1213', 'T1566.003'], dedupKey: ['host_email', 'meeting_uuid'], dedupWindowMs: DAY,
    entities: ['user_email', 'host_email', 'meeting_id', 'meeting_uuid'],
    runbook: 'The host of a meeting with external or unauthenticated participants read data from the configured sensitive '
      + 'source within the window after it ended: the pattern of a social-engineering call ("can you check that file for me?") '
      + 'or a screen-shared exfiltration. Read the evidence (resources, times) and the meeting\'s exposure (externals, '
      + 'impersonation matches). Ask the host out of band what the meeting was about and why they opened those resources; if '
      + 'they were asked to by a participant, treat the data as disclosed, identify the participant (participant_details: ip, '
      + 'location) and involve the data owner.',
  },
  participantsUnavailable: {
    id: CORRELATION_DETECTIONS.participantsUnavailable,
    title: 'Meeting could not be checked: Zoom\'s participant report never became ready',
    severity: 'low', mitre: ['T1562'], dedupKey: ['meeting_uuid'], dedupWindowMs: 7 * DAY,
    entities: ['meeting_id', 'meeting_uuid'],
    runbook: 'Post-meeting correlation gave up waiting for the participant report. Check that the meeting exists in the Zoom '
      + 'portal (Reports > Usage), that the app still has report:read:admin, and that the meetings poller collects it later '
      + '(meeting_participants); the scheduled detections then cover it. Repeated alerts point at a report delay longer than '
      + 'correlation.notReadyRetries allows: raise it or notReadyIntervalSeconds.',
  },
} as const satisfies Record<string, CorrelationDetection>;

/** Each correlation detection's suppression window, by id (for the alert delivery's DedupWindows). */
export const CORRELATION_DEDUP_WINDOWS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(CORRELATION_CATALOG).map((d) => [d.id, d.dedupWindowMs]),
);

export type { EvidenceRow } from '../alerts/coded.ts';

/**
 * The alert for one finding (source correlation). `summary` holds the dedup and entity columns; `evidence` the rows
 * behind it.
 */
export function correlationAlert(
  detection: CorrelationDetection, summary: EvidenceRow, evidence: readonly EvidenceRow[], firstSeenMs: number, lastSeenMs: number,
): Alert {
  return codedAlert(detection, 'correlation', summary, evidence, firstSeenMs, lastSeenMs);
}
