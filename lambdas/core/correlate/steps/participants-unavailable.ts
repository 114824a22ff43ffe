import type { DetectionRegistry } from '../../detect/registry.ts';
import type { Clock } from '../../ports.ts';
import { correlationAlert, type EvidenceRow } from '../catalog.ts';
import { CORRELATION_DETECTIONS, type CorrelateOutput, type MeetingEndedInput } from '../contract.ts';
import { iso } from '../values.ts';

/** The alert raised when FetchParticipants gave up (the state machine's Catch on MeetingNotReady). */
export function participantsUnavailable(
  deps: { readonly clock: Clock; readonly registry: DetectionRegistry },
  input: MeetingEndedInput,
  attempts: number,
): CorrelateOutput {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const row: EvidenceRow = {
    meeting_uuid: input.meeting_uuid,
    meeting_id: input.meeting_id,
    host_id: input.host_id,
    topic: input.topic,
    start_time: input.start_time,
    end_time: input.end_time,
    attempts,
    first_seen: iso(endMs),
    last_seen: iso(Math.max(endMs, now)),
  };
  return { alerts: [correlationAlert(deps.registry.get(CORRELATION_DETECTIONS.participantsUnavailable), row, [row], endMs, now)] };
}
