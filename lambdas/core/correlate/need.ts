import { compileTopicPatterns, type TopicPattern } from '../patterns/matcher.ts';
import type { StateStore } from '../ports.ts';
import { meetingPk } from '../realtime/checks/context.ts';
import { emailOfUserId } from '../realtime/directory.ts';
import type { MeetingEndedInput } from './contract.ts';

/*
 * Which ended meetings the post-meeting correlation runs for (issue #17). A Standard execution per meeting costs
 * about a dozen state transitions, five function invocations, several Athena queries and two Zoom Heavy calls; at
 * 9,000 meetings a day that alone is more than zoomlake's whole monthly budget. So a meeting is correlated only when
 * one of the correlation's detections can find something in it that no other path finds:
 *
 * - zoom.correlation.host_data_access_after_external_meeting is raised by the correlation alone, and only for a
 *   meeting that outsiders joined (an external email or an unauthenticated guest) when a data-access source is
 *   configured. Outsiders are read from the realtime checks' live meeting state, which records every outside join
 *   (`external#<participant>` under the meeting) with a superset of Exposure's definition (anyone not signed in with
 *   an internal email).
 * - zoom.recording.download_by_non_participant is also a daily scheduled detection running the same query over a
 *   window that tiles time, so every download the correlation could see is raised by the scheduled run too (same
 *   dedup key), at most a day later. The correlation keeps its early look for the meetings whose recordings that
 *   detection guards for every downloader, internal ones included: a sensitive topic or a watched host.
 * - zoom.correlation.participants_unavailable concerns the correlation's own run and follows from the above.
 *
 * Everything else the correlation does (participant rows in the lake, brief joins, impersonation) the hourly
 * pollers and the scheduled detections do for every meeting. `correlation.meetings: "all"` correlates every meeting.
 */

/** Why a meeting is correlated; empty when it is not. */
export type CorrelationReason = 'all_meetings' | 'outsiders_with_data_access' | 'sensitive_topic' | 'watched_host';

/** The config the choice reads (`correlation.meetings`, a data-access source, the sensitive patterns, watched users). */
export interface CorrelationFilterSettings {
  /** `needed`: only meetings a correlation detection needs; `all`: every meeting. */
  readonly meetings: 'needed' | 'all';
  /** Whether `correlation.dataAccess` names a data-access source. */
  readonly dataAccess: boolean;
  readonly sensitiveMeetingPatterns: readonly string[];
  readonly watchedUsers: readonly string[];
}

/** The settings compiled once per process. */
export interface CorrelationFilter {
  readonly meetings: 'needed' | 'all';
  readonly dataAccess: boolean;
  readonly sensitive: readonly TopicPattern[];
  readonly watchedUsers: ReadonlySet<string>;
}

/** Compiles the filter settings; a pattern the config schema would refuse throws, naming it. */
export function compileCorrelationFilter(settings: CorrelationFilterSettings): CorrelationFilter {
  return {
    meetings: settings.meetings,
    dataAccess: settings.dataAccess,
    sensitive: compileTopicPatterns(settings.sensitiveMeetingPatterns),
    watchedUsers: new Set(settings.watchedUsers.map((e) => e.toLowerCase())),
  };
}

/** Prefix of the live meeting state's outside-participant items (written by the realtime participant checks). */
export const OUTSIDER_SK_PREFIX = 'external#';

/**
 * The reasons to correlate `meeting` (empty: skip it). Reads the state store only as far as needed: the meeting's
 * outsiders when a data-access source is configured, the host's email (user directory) when watched users are set.
 */
export async function correlationReasons(meeting: MeetingEndedInput, state: StateStore, filter: CorrelationFilter): Promise<CorrelationReason[]> {
  if (filter.meetings === 'all') return ['all_meetings'];
  const reasons: CorrelationReason[] = [];
  if (filter.dataAccess && (await state.query(meetingPk(meeting.meeting_uuid), OUTSIDER_SK_PREFIX)).length > 0) {
    reasons.push('outsiders_with_data_access');
  }
  const topic = meeting.topic;
  if (topic !== null && filter.sensitive.some((re) => re.test(topic))) reasons.push('sensitive_topic');
  if (filter.watchedUsers.size > 0 && meeting.host_id !== null) {
    const host = await emailOfUserId(state, meeting.host_id);
    if (host !== undefined && filter.watchedUsers.has(host.toLowerCase())) reasons.push('watched_host');
  }
  return reasons;
}
