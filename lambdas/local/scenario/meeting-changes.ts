import { Prng } from '#core/prng.ts';
import { isoSeconds as iso } from '../zoom-simulator/org.ts';
import { hadOutsiders, type MeetingPlan } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import type { Employee, People } from './people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';
import type { WebhookEvent } from './webhooks.ts';

/*
 * The meeting changes and Zoom warnings of ordinary days, inside the webhook window: meetings created and updated
 * (moved, renamed, a stand-up's passcode dropped, a waiting room turned on), an account that enforces passcodes
 * without saying so in the event, Marketing's webinar link that Zoom flags as public, and quality alerts. None is an
 * incident; zoom.meeting.weak_settings and zoom.meeting.risk_alert must stay quiet on all of them. Their own seeded
 * stream, so they shift nothing else the seed generates.
 */

/** The webhooks and the manifest's background patterns of the routine meeting changes. */
export interface MeetingChanges {
  readonly events: WebhookEvent[];
  readonly patterns: BackgroundPattern[];
}

/** Meeting numbers for meetings the calendar does not hold (scheduled for later, a webinar): below the factory's range. */
const newId = (rng: Prng) => rng.int(70_000_000_000, 79_999_999_999);

/** The routine meeting changes of the scenario's webhook window, over the final `meetings` (incidents planted). */
export function routineMeetingChanges(
  seed: number,
  people: People,
  t: Timeline,
  meetings: readonly MeetingPlan[],
  accountId: string,
): MeetingChanges {
  const rng = new Prng(seed, 'scenario-meeting-changes');
  const { ceo, cfo } = people.execs;
  const events: WebhookEvent[] = [];
  const changed: string[] = [];
  /** A minute inside the webhook window, at least two hours before the end. */
  const during = () => t.liveFrom + rng.int(0, Math.floor(Math.max(HOUR_MS, t.end - 2 * HOUR_MS - t.liveFrom) / MIN_MS)) * MIN_MS;
  const change = (event: 'meeting.created' | 'meeting.updated', by: { email: string; userId: string }, object: object, old?: object) => {
    const at = during();
    events.push({
      at,
      event,
      payload: {
        account_id: accountId,
        operator: by.email,
        operator_id: by.userId,
        ...(event === 'meeting.updated' ? { time_stamp: at } : {}),
        object,
        ...(old ? { old_object: old } : {}),
      },
    });
    changed.push(String((object as { id: number }).id));
  };
  const series = (kind: MeetingPlan['kind']) => meetings.filter((m) => m.kind === kind && !m.fixed);

  // The legal team's weekly (a sensitive topic) moves by a day: no setting in the event, so none is known.
  const legal = series('legal')[0];
  if (legal) {
    const next = legal.start + 7 * DAY_MS;
    change(
      'meeting.updated',
      legal.host,
      { id: legal.id, start_time: iso(next + DAY_MS), duration: 30 },
      { id: legal.id, start_time: iso(next), duration: 30 },
    );
  }
  /** A meeting scheduled `inDays` after the end, with the protections the event states. */
  const schedule = (host: Employee, topic: string, inDays: number, minutes: number, stated: { password?: string; waiting_room: boolean }) => {
    const { password, waiting_room } = stated;
    change('meeting.created', host, {
      id: newId(rng),
      uuid: Buffer.from(rng.bytes(16)).toString('base64'),
      host_id: host.userId,
      topic,
      type: 2,
      start_time: iso(t.end + inDays * DAY_MS),
      duration: minutes,
      timezone: 'UTC',
      ...(password === undefined ? {} : { password }),
      settings: { waiting_room, join_before_host: false, use_pmi: false },
    });
  };
  // The next board meeting, scheduled with a passcode and the waiting room, as it should be.
  schedule(ceo, 'Board meeting - annual planning', 9, 120, { password: `Bd${rng.chars(6)}`, waiting_room: true });
  // An earnings rehearsal on an account that enforces passcodes: the event names no password, and the waiting room is off.
  schedule(cfo, 'Earnings call rehearsal', 3, 60, { waiting_room: false });
  // A team drops the passcode and the waiting room from its stand-up, which only signed-in colleagues ever join.
  const internalOnly = people.teams
    .filter((tm) => tm.standupId !== undefined)
    .map((tm) => ({ tm, instances: meetings.filter((m) => m.id === tm.standupId) }))
    .find(({ instances }) => instances.length > 0 && instances.every((m) => !m.fixed && !hadOutsiders(m, people.domains)));
  if (internalOnly) {
    const { tm } = internalOnly;
    const id = tm.standupId!;
    change(
      'meeting.updated',
      tm.lead,
      { id, password: '', settings: { waiting_room: false } },
      { id, password: `Su${rng.chars(6)}`, settings: { waiting_room: true } },
    );
  }
  // The partner project's recurring sync, which outsiders join every week, turns its waiting room on and drops the passcode.
  const partner = series('partner')[0];
  if (partner) {
    change(
      'meeting.updated',
      partner.host,
      { id: partner.id, password: '', settings: { waiting_room: true } },
      { id: partner.id, password: `Pa${rng.chars(6)}`, settings: { waiting_room: false } },
    );
  }
  // A lead's personal meeting room: no passcode, the waiting room on.
  const pmr = series('one_on_one')[0];
  if (pmr)
    change(
      'meeting.updated',
      pmr.host,
      { id: pmr.id, type: 4, password: '', settings: { waiting_room: true } },
      { id: pmr.id, settings: { waiting_room: false } },
    );

  // Marketing's launch webinar, published on the company's site and social accounts: Zoom flags its link as public.
  const marketer = people.employees.find((e) => e.dept === 'Marketing' && e.status === 'active' && e.lastDay === undefined) ?? people.owner;
  const webinar = newId(rng);
  const webinarTopic = "Product launch webinar: what's new this quarter";
  const flaggedAt = during();
  events.push({
    at: flaggedAt,
    event: 'webinar.risk_alert',
    payload: {
      account_id: accountId,
      object: {
        id: webinar,
        uuid: Buffer.from(rng.bytes(16)).toString('base64'),
        host_id: marketer.userId,
        host_email: marketer.email,
        topic: webinarTopic,
        type: 5,
        start_time: iso(t.end + 5 * DAY_MS),
        timezone: 'UTC',
        armn_details: {
          post_platform: 'twitter',
          social_link: `https://social.example/${people.domains[0]?.split('.')[0] ?? 'company'}/status/${webinar}`,
          post_time: iso(flaggedAt - 3 * HOUR_MS),
          post_user: people.domains[0]?.split('.')[0] ?? 'company',
          meeting_url: `https://example.zoom.us/w/${webinar}`,
          recommended_enable_settings: ['enableWaitingRoom'],
          recommended_disable_settings: [],
        },
      },
    },
  });

  // Zoom's quality alerts on two meetings of the window, a board or legal one among them when there is one.
  const live = meetings.filter((m) => m.start >= t.liveFrom && m.start + 15 * MIN_MS < t.end && m.sessions.length > 0);
  const noisy = [...live.filter((m) => m.kind === 'board' || m.kind === 'legal').slice(0, 1), ...rng.sample(live, 1)];
  for (const m of noisy) {
    events.push({
      at: m.start + 10 * MIN_MS,
      event: 'meeting.alert',
      payload: {
        account_id: accountId,
        object: {
          id: m.id,
          uuid: m.uuid,
          host_id: m.host.userId,
          topic: m.topic,
          type: m.type,
          start_time: iso(m.start),
          duration: Math.round((m.end - m.start) / MIN_MS),
          issues: [rng.pick(['Unstable audio quality', 'Unstable video quality', 'Unstable screen share quality'])],
        },
      },
    });
  }

  const patterns: BackgroundPattern[] = [
    {
      id: 'meeting-changes',
      summary:
        'meetings created and updated in the webhook window: a sensitive weekly moved, the next board meeting scheduled with passcode and ' +
        'waiting room, an earnings rehearsal on an account that enforces passcodes unsaid, a stand-up of colleagues without passcode, ' +
        'a partner sync and a personal room with the waiting room on',
      related: changed,
    },
    {
      id: 'webinar-link-published',
      summary: `${marketer.email} publishes "${webinarTopic}" on the company's site; Zoom's At-Risk Meeting Notifier flags the link`,
      related: [String(webinar), marketer.email],
    },
    { id: 'meeting-quality-alerts', summary: `Zoom's quality alerts (meeting.alert) on ${noisy.length} meetings`, related: noisy.map((m) => m.uuid) },
  ];
  return { events: events.filter((e) => e.at >= t.liveFrom && e.at < t.end), patterns };
}
