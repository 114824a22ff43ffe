import { ZoomlakeError } from '../errors.ts';
import { MEETING_NOT_READY } from './contract.ts';
import type { CorrelationSettings } from './settings.ts';

/** Zoom says the meeting has not ended or its report is not ready yet: retried, then given up with an alert. */
export class MeetingNotReadyError extends ZoomlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
    // Step Functions matches Retry/Catch on the Lambda's errorType, which is the error's name.
    this.name = MEETING_NOT_READY;
  }
}

/** Whether an error is the not-ready signal (by name, so it survives a Lambda boundary or a copy). */
export const isMeetingNotReady = (error: unknown): boolean => error instanceof Error && error.name === MEETING_NOT_READY;

/** The retry rule for MeetingNotReady: the wait before retry `attempt` (0-based), doubling from the interval. */
export function notReadyDelayMs(settings: Pick<CorrelationSettings, 'notReadyIntervalSeconds'>, attempt: number): number {
  return settings.notReadyIntervalSeconds * 1000 * 2 ** attempt;
}
