import type { ZoomPlan } from '../zoom/rate-limit.ts';
import { DASHBOARD_PLANS } from '../zoom/rate-limit.ts';

/*
 * The meeting audit trail, GET /report/meeting_activities (docs/zoom-contract.md): Zoom keeps it for Business plans
 * and higher once Zoom Support has turned it on for the account, and reads it one `activity_type` per request.
 */

/** The `activity_type` values the report takes, as Zoom spells them (Zoom's published types, docs/zoom-contract.md). */
export const MEETING_ACTIVITY_TYPES = [
  'All Activities',
  'Meeting Created',
  'Meeting Started',
  'User Join',
  'User Left',
  'Remote Control',
  'In-Meeting Chat',
  'Meeting Ended',
] as const;
/** One `activity_type` of the meeting activities report. */
export type MeetingActivityType = (typeof MEETING_ACTIVITY_TYPES)[number];

/**
 * What the source reads unless configured otherwise: remote control only. Each type costs one Heavy request per
 * window (and page), and only remote control is recorded nowhere else: joins and leaves come from the participant
 * reports and webhooks, meeting starts and ends from the meetings source and webhooks, and In-Meeting Chat may carry
 * message text, which zoomlake collects only on request (chat content is opt-in).
 */
export const DEFAULT_MEETING_ACTIVITY_TYPES: readonly MeetingActivityType[] = ['Remote Control'];

/** Plans with the report: Business and higher, the same plans as the dashboard API (zoom-reference §3.4). */
export const MEETING_ACTIVITY_PLANS: readonly ZoomPlan[] = DASHBOARD_PLANS;

/** Why a list of activity types cannot be polled as given, or undefined when it can. */
export function activityTypesProblem(types: readonly MeetingActivityType[]): string | undefined {
  if (types.length === 0) return 'must name at least one activity type (turn the source off instead)';
  if (new Set(types).size !== types.length) return 'names an activity type twice';
  if (types.includes('All Activities') && types.length > 1) return '"All Activities" already includes every other type; list it alone';
  return undefined;
}
