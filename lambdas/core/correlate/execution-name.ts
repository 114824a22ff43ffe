import { createHash } from 'node:crypto';

/**
 * The execution name of a meeting instance: unique per UUID, so a second meeting.ended (Zoom's retries, the bus's
 * at-least-once delivery) cannot start a second execution. Step Functions allows 80 characters of [A-Za-z0-9-_];
 * a UUID holds `/`, `+` and `=`, so it is hashed.
 */
export function executionName(meetingUuid: string): string {
  return `meeting-${createHash('sha256').update(meetingUuid, 'utf8').digest('hex')}`;
}
