import { MEETING_ACTIVITY_TYPES, type MeetingActivityType } from '#core/poll/meeting-activities.ts';
import { Prng, type Seed } from '#core/prng.ts';
import { REPORT_WINDOW, dateWindow, error, list, type Route } from './api.ts';
import type { SimMeeting, SimMeetingActivity, SimUser } from './org.ts';

/*
 * The meeting audit trail (GET /report/meeting_activities) of a simulated organisation: the routine entries of every
 * meeting (started, each join and leave, ended), remote-control hand-overs, and the endpoint that serves them one
 * `activity_type` at a time.
 */

/**
 * The `activity_category` Zoom writes for each `activity_type`, as the published samples spell them (Elastic's test
 * data and the zoomnet response in ../shared/corpus/api). No sample of a Remote Control or In-Meeting Chat entry is
 * published (docs/zoom-contract.md), so those two labels are assumed.
 */
export const ACTIVITY_CATEGORIES: Readonly<Record<Exclude<MeetingActivityType, 'All Activities'>, string>> = {
  'Meeting Created': 'Meeting created',
  'Meeting Started': 'Meeting Started',
  'User Join': 'User joined',
  'User Left': 'User left',
  'Remote Control': 'Remote Control',
  'In-Meeting Chat': 'In-Meeting Chat',
  'Meeting Ended': 'Meeting ended',
};

/** An instant as the report writes it: "2024-03-21 07:09:03:216" (UTC, a colon before the milliseconds). */
export function activityTimeText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}:${iso.slice(20, 23)}`;
}

/** The instant of an `activity_time` the simulator wrote. */
function activityMs(text: string): number {
  return Date.parse(`${text.slice(0, 10)}T${text.slice(11, 19)}.${text.slice(20, 23)}Z`);
}

/** A meeting number spaced as Zoom shows it: "982 610 0285" (10 digits), "812 3456 7890" (11), "123 456 789" (9). */
export function spacedMeetingNumber(id: number | string): string {
  const d = String(id);
  if (d.length === 11) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`;
  if (d.length === 9 || d.length === 10) return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
  return d;
}

/** Someone the trail names: the display name shown in the meeting, and the email ('' for guests and dial-ins). */
export interface ActivityActor {
  readonly name: string;
  readonly email: string;
}

/** One trail entry of meeting `meetingId` at `at`, done by `actor`. */
export function activityEntry(
  meetingId: number | string,
  at: number,
  actor: ActivityActor,
  type: Exclude<MeetingActivityType, 'All Activities'>,
  detail: string,
): SimMeetingActivity {
  return {
    meeting_number: spacedMeetingNumber(meetingId),
    activity_time: activityTimeText(at),
    operator: actor.name,
    // Zoom leaves the email out for participants without one (a guest, a dial-in).
    ...(actor.email === '' ? {} : { operator_email: actor.email }),
    activity_category: ACTIVITY_CATEGORIES[type],
    activity_detail: detail,
  };
}

/** The routine trail of a meeting: the host starts it, each join session joins and leaves, the host ends it. */
export function routineActivities(m: SimMeeting): SimMeetingActivity[] {
  const host: ActivityActor = { name: m.host_name, email: m.host_email };
  const start = Date.parse(m.start_time);
  const out = [activityEntry(m.id, start, host, 'Meeting Started', 'Meeting Started')];
  for (const p of m.participants) {
    const who = { name: p.user_name, email: p.email };
    out.push(activityEntry(m.id, Date.parse(p.join_time), who, 'User Join', `${p.user_name} joined the meeting`));
    out.push(activityEntry(m.id, Date.parse(p.leave_time), who, 'User Left', `${p.user_name} left the meeting`));
  }
  out.push(activityEntry(m.id, Date.parse(m.end_time), host, 'Meeting Ended', 'Meeting ended'));
  return out;
}

/** One remote-control hand-over: the participant sharing their screen gives control of it to another participant. */
export interface RemoteControlGrant {
  /** When control was given. */
  readonly at: number;
  /** Whose screen: the participant who gives control. */
  readonly sharer: ActivityActor;
  /** Who takes control. */
  readonly controller: ActivityActor;
  /** Whether the controller asked for it first (an entry some 12 seconds before). */
  readonly requested: boolean;
}

/**
 * The trail entries of a hand-over. The wording is assumed, not Zoom's: no sample of a Remote Control entry is
 * published (docs/zoom-contract.md), so "<name> requested remote control" and "<sharer> gave remote control to
 * <name>" are this simulator's guess, and a detection must not rest on the exact text alone.
 */
export function remoteControlActivities(meetingId: number | string, grant: RemoteControlGrant): SimMeetingActivity[] {
  const { at, sharer, controller, requested } = grant;
  const gave = activityEntry(meetingId, at, sharer, 'Remote Control', `${sharer.name} gave remote control to ${controller.name}`);
  if (!requested) return [gave];
  const asked = activityEntry(meetingId, at - 12_345, controller, 'Remote Control', `${controller.name} requested remote control`);
  return [asked, gave];
}

/** Trail entries oldest first (the text sorts as the time does). */
export function byActivityTime(entries: readonly SimMeetingActivity[]): SimMeetingActivity[] {
  return [...entries].sort((a, b) => (a.activity_time < b.activity_time ? -1 : a.activity_time > b.activity_time ? 1 : 0));
}

/**
 * Benign hand-overs in the simulator's own organisation: in about one meeting of colleagues in fifteen, a colleague
 * (someone from Support when one is there, the IT-helpdesk look-alike) asks for control of another's screen to help,
 * and gets it. Drawn from their own stream, so the rest of the organisation is the same with or without them.
 */
export function benignRemoteControl(
  seed: Seed,
  meetings: readonly SimMeeting[],
  users: readonly SimUser[],
): { meeting: SimMeeting; grant: RemoteControlGrant }[] {
  const rng = new Prng(seed, 'meeting-activities');
  const dept = new Map(users.map((u) => [u.email, u.dept]));
  const out: { meeting: SimMeeting; grant: RemoteControlGrant }[] = [];
  for (const m of meetings) {
    const colleagues = m.participants.filter((p) => p.kind === 'internal');
    if (!rng.chance(1 / 15) || new Set(colleagues.map((p) => p.email)).size < 2) continue;
    const helper = colleagues.find((p) => dept.get(p.email) === 'Support') ?? rng.pick(colleagues);
    const helped = rng.pick(colleagues.filter((p) => p.email !== helper.email));
    // Both in the meeting: inside the overlap of their sessions, a minute clear of either end.
    const from = Math.max(Date.parse(helper.join_time), Date.parse(helped.join_time)) + 60_000;
    const to = Math.min(Date.parse(helper.leave_time), Date.parse(helped.leave_time)) - 60_000;
    if (to <= from) continue;
    const at = from + rng.int(0, Math.floor((to - from) / 1000)) * 1000;
    out.push({
      meeting: m,
      grant: {
        at,
        sharer: { name: helped.user_name, email: helped.email },
        controller: { name: helper.user_name, email: helper.email },
        requested: rng.chance(0.8),
      },
    });
  }
  return out;
}

const TYPES: readonly string[] = MEETING_ACTIVITY_TYPES;

/** GET /report/meeting_activities: one `activity_type` a request (required), `from`/`to` as the other reports. */
export const MEETING_ACTIVITIES_ROUTE: Route = {
  name: 'GET /report/meeting_activities',
  pattern: /^\/report\/meeting_activities$/,
  category: 'Heavy',
  access: 'business',
  defaultPageSize: 30,
  handle(req) {
    const type = req.query.get('activity_type');
    if (type === null || type === '') return error(400, 300, "The 'activity_type' parameter is required.");
    if (!TYPES.includes(type)) return error(400, 300, `Invalid field: activity_type '${type}'.`);
    const w = dateWindow(req, REPORT_WINDOW);
    if ('kind' in w) return w;
    const category = type === 'All Activities' ? undefined : ACTIVITY_CATEGORIES[type as keyof typeof ACTIVITY_CATEGORIES];
    const number = (req.query.get('meeting_number') ?? '').replace(/\s/g, '');
    const rows = req.org.meetingActivities.filter((a) => {
      const ms = activityMs(a.activity_time);
      return (
        ms >= w.fromMs &&
        ms < w.endMs &&
        (category === undefined || a.activity_category === category) &&
        (number === '' || a.meeting_number.replace(/\s/g, '') === number)
      );
    });
    // Newest first, as the other activity reports list.
    return list('meeting_activity_logs', rows.reverse());
  },
};
