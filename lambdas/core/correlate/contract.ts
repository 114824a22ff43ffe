/**
 * The post-meeting correlation workflow's contract (DESIGN §7, issue #7): the state machine's input, each step's
 * input and output, and the names the definition, the task Lambdas and the local in-process runner share. Steps
 * pass small JSON between them (Step Functions caps a payload at 256 KB): participant rows go to the lake, not
 * through the state. Each step (steps/<step>.ts) is a function of explicit dependencies and the step's input, so the
 * same code runs as a Step Functions task Lambda and in the local in-process runner (run.ts).
 */

/** The execution input, from the meeting.ended webhook (the starter names the execution after `meeting_uuid`). */
export interface MeetingEndedInput {
  readonly meeting_uuid: string;
  readonly meeting_id: string | null;
  readonly host_id: string | null;
  readonly topic: string | null;
  /** ISO-8601 UTC. */
  readonly start_time: string | null;
  /** ISO-8601 UTC: when the meeting ended (the event's end_time, else its event time). */
  readonly end_time: string;
}

/** FetchParticipants: the report API's participants of the instance, written to `meeting_participants`. */
export interface FetchParticipantsOutput {
  readonly participants: number;
}

/** FetchDetails (Business+ with the dashboard): the dashboard's participant details, written to `participant_details`. */
export interface FetchDetailsOutput {
  readonly details: number;
  /** false when the plan or scopes lack the dashboard: the step is skipped without failing. */
  readonly available: boolean;
}

/** Exposure: what the meeting exposed, from the lake rows of this instance; stored on the meeting in the state table. */
export interface ExposureSummary {
  readonly meeting_uuid: string;
  readonly meeting_id: string | null;
  readonly topic: string | null;
  readonly host_email: string | null;
  readonly start_time: string | null;
  readonly end_time: string;
  readonly participants: number;
  /** Lower-case emails outside the internal domains. */
  readonly external_emails: readonly string[];
  /** Participants without an email or Zoom user id (display names). */
  readonly unauthenticated: readonly string[];
  /** Guests whose display name matches an internal or watched user's (display name -> matched email). */
  readonly impersonation: readonly { readonly display_name: string; readonly matches_email: string }[];
  /** Participants who stayed under five minutes. */
  readonly brief_joins: number;
  readonly distinct_ips: number;
  readonly countries: readonly string[];
  readonly sensitive_topic: boolean;
  readonly watched_host: boolean;
  /**
   * ISO-8601 UTC: when Correlate may run so the host's whole data-access window is in the lake (end_time plus
   * the host data-access detection's window_minutes when a data-access source is configured and the meeting had outsiders, else end_time).
   * The state machine's Wait before Correlate uses it as TimestampPath; the local runner sleeps until it.
   */
  readonly correlate_after: string;
  /** Epoch seconds: when the state table drops the stored summary (its TTL). */
  readonly stored_until: number;
}

/** Correlate's output: alerts (the one alert shape, source 'correlation') ready for delivery. */
export interface CorrelateOutput {
  readonly alerts: readonly unknown[];
}

/** RaiseAlerts' output: how many alerts were notified and how many suppressed as repeats. */
export interface RaiseAlertsOutput {
  readonly notified: number;
  readonly suppressed: number;
}

/** Thrown by FetchParticipants while Zoom says the meeting has not ended or its report is not ready (retried). */
export const MEETING_NOT_READY = 'MeetingNotReady';

/** Detection ids of the correlation alerts. */
export const CORRELATION_DETECTIONS = {
  /** A recording of the meeting downloaded by someone who was not in it (operation logs after the meeting). */
  recordingDownloadByNonParticipant: 'zoom.recording.download_by_non_participant',
  /** The host read sensitive data within 30 minutes after a meeting with externals (configurable data-access table). */
  hostDataAccessAfterExternalMeeting: 'zoom.correlation.host_data_access_after_external_meeting',
  /** The report never became ready within the retry bound: the meeting could not be checked. */
  participantsUnavailable: 'zoom.correlation.participants_unavailable',
} as const;

/**
 * The state machine's steps, by name (the definition and the local runner use the same names). StoreExposure is a
 * DynamoDB service integration in the state machine, not a task function.
 */
export const CORRELATION_STEPS = ['FetchParticipants', 'FetchDetails', 'Exposure', 'StoreExposure', 'Correlate', 'RaiseAlerts'] as const;
export type CorrelationStep = (typeof CORRELATION_STEPS)[number];
