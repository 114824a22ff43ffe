import { describe, expect, it } from 'vitest';
import type { SimParticipant } from '#local/zoom-simulator/org.ts';
import { generateScenario, MIN_DAYS, MIN_USERS, type Scenario, type ScenarioOptions } from '#local/scenario/scenario.ts';
import { loadDetections } from '../../lib/detections/load.ts';

/*
 * The demo's scenario generator on its own (test/e2e/demo.test.ts runs it through the pipeline): deterministic per
 * seed, every detection planted whatever day and hour the scenario ends, nothing happening after its end, and the
 * benign background of a real company present for every seed, judged on what the collectors would see (the
 * simulator's API data and the webhook bodies), not on the generator's internals.
 */

const HOUR = 3_600_000;
const BASE: ScenarioOptions = { seed: 3, users: 60, days: 7, end: Date.UTC(2026, 10, 25, 13), benign: false };
const EVERY_DETECTION = [...loadDetections().map((d) => d.id)];

describe('generateScenario', () => {
  it('gives the same scenario for the same options and another for another seed', () => {
    const a = generateScenario(BASE);
    expect(JSON.stringify(generateScenario(BASE))).toBe(JSON.stringify(a));
    const other = generateScenario({ ...BASE, seed: 4 });
    expect(other.org.users.map((u) => u.email)).not.toEqual(a.org.users.map((u) => u.email));
  });

  // Weekdays and weekends, early and late hours: the planted incidents need a baseline before the last day.
  it.each([
    ['a Wednesday afternoon', Date.UTC(2026, 10, 25, 13)],
    ['a Monday before dawn', Date.UTC(2026, 10, 30, 2)],
    ['a Saturday morning', Date.UTC(2026, 10, 28, 10)],
    ['a Sunday at midnight', Date.UTC(2026, 10, 29, 0)],
    ['a Friday evening', Date.UTC(2026, 10, 27, 22, 30)],
  ])('plants every detection and nothing after the end, for a scenario ending on %s', (_label, end) => {
    const s = generateScenario({ ...BASE, end });
    const planted = new Set(s.manifest.incidents.map((i) => i.detection));
    expect(EVERY_DETECTION.filter((id) => !planted.has(id))).toEqual([]);
    expect(s.manifest.incidents.every((i) => Object.keys(i.match).length > 0 && Date.parse(i.time) <= end)).toBe(true);

    // Webhooks: in delivery order, events inside [webhooks_from, end] delivered no earlier than they happened and
    // by the end, and the window always covers the last 24 hours.
    const delivered = s.webhooks.map((w) => w.deliveredAt);
    expect(delivered).toEqual([...delivered].sort((x, y) => x - y));
    expect(s.webhooks.filter((w) => w.deliveredAt < w.at)).toEqual([]);
    expect(Math.min(...s.webhooks.map((w) => w.at))).toBeGreaterThanOrEqual(s.webhooksFrom);
    expect(Math.max(...delivered)).toBeLessThanOrEqual(end);
    expect(s.webhooksFrom).toBeLessThanOrEqual(end - 24 * HOUR);

    // API data: nothing after the end; every meeting over at least 30 minutes before it, so no correlation has to wait.
    expect(Math.max(...s.org.meetings.map((m) => Date.parse(m.end_time)))).toBeLessThanOrEqual(end - 30 * 60_000);
    expect(Math.max(...s.org.activities.map((a) => Date.parse(a.time)), ...s.org.operationLogs.map((o) => Date.parse(o.time)))).toBeLessThanOrEqual(
      end,
    );
  });

  it("plants nothing in a benign-only scenario: none of the incidents' outsiders, IPs or machines appear", () => {
    const planted = generateScenario(BASE);
    const benign = generateScenario({ ...BASE, benign: true });
    expect(benign.manifest.incidents).toEqual([]);
    const markers = planted.manifest.incidents
      .flatMap((i) => [i.match.ip_address, i.match.user_name, i.match.device])
      .filter((v): v is string => v !== undefined);
    expect(markers.length).toBeGreaterThan(5);
    const text = JSON.stringify([benign.org, benign.webhooks, benign.dataAccess]);
    expect(markers.filter((m) => text.includes(m))).toEqual([]);
    // The same markers are in the planted scenario's data: the check above can fail.
    const plantedText = JSON.stringify([planted.org, planted.webhooks, planted.dataAccess]);
    expect(markers.filter((m) => !plantedText.includes(m))).toEqual([]);
  });

  it.each([
    [{ users: MIN_USERS - 1 }, /users must be/],
    [{ days: MIN_DAYS - 1 }, /days must be/],
  ])('refuses %j', (change, message) => {
    expect(() => generateScenario({ ...BASE, ...change })).toThrow(message);
  });
});

/** What the collectors see of a scenario: report/dashboard rows (one SimParticipant each) and webhook bodies. */
interface Views {
  readonly rows: readonly (SimParticipant & { readonly meeting: Scenario['org']['meetings'][number] })[];
  readonly hooks: readonly {
    readonly event: string;
    readonly at: number;
    readonly position: number;
    readonly object: Record<string, unknown>;
    readonly participant: Record<string, unknown>;
  }[];
  readonly internal: (email: string) => boolean;
}

function views(s: Scenario): Views {
  const rows = s.org.meetings.flatMap((meeting) => meeting.participants.map((p) => ({ ...p, meeting })));
  const hooks = s.webhooks.map((w, position) => {
    const body = JSON.parse(w.body) as { payload: { object: Record<string, unknown> } };
    return {
      event: w.event,
      at: w.at,
      position,
      object: body.payload.object,
      participant: (body.payload.object.participant ?? {}) as Record<string, unknown>,
    };
  });
  return { rows, hooks, internal: (email) => s.config.internalDomains.includes(email.split('@')[1] ?? '') };
}

const ms = (iso: string) => Date.parse(iso);
/** Object.groupBy, which Node 20 lacks. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}
const country = (location: string) => /\(([A-Z]{2})\)$/.exec(location)?.[1] ?? location;
const day = (iso: string) => iso.slice(0, 10);

// Benign and planted scenarios, several seeds, the default size (for the 30-day counts) and the smallest.
const BACKGROUND: readonly [string, ScenarioOptions][] = [
  ['seed 1, 200 users, benign', { ...BASE, seed: 1, users: 200, days: 14, benign: true }],
  ['seed 2, 200 users, planted', { ...BASE, seed: 2, users: 200, days: 14 }],
  [
    'seed 5, 200 users, benign, ending on a Friday evening',
    { ...BASE, seed: 5, users: 200, days: 14, end: Date.UTC(2026, 10, 27, 22, 30), benign: true },
  ],
  ['seed 3, 40 users, 7 days, planted', { ...BASE, seed: 3, users: MIN_USERS, days: MIN_DAYS }],
];

describe.each(BACKGROUND)('the benign background (%s)', (_label, options) => {
  const s = generateScenario(options);
  const v = views(s);
  const big = options.users >= 200;

  it('has an investor update hosted by a watched user with 15 or more registered analysts, signed in or not, and a follow-up with some of them', () => {
    const updates = s.org.meetings.filter(
      (m) =>
        /earnings/i.test(m.topic) &&
        s.config.watchedUsers.includes(m.host_email) &&
        m.participants.filter((p) => !v.internal(p.email) && p.registrant_id !== '').length >= 15,
    );
    expect(updates.length).toBe(1);
    const analysts = updates[0]!.participants.filter((p) => !v.internal(p.email));
    // Registration on every source: report and dashboard rows (both from these participants) and the webhooks.
    expect(analysts.filter((p) => p.registrant_id === '')).toEqual([]);
    expect(analysts.some((p) => p.id !== '') && analysts.some((p) => p.id === '')).toBe(true);
    expect(analysts.filter((p) => p.kind === 'internal')).toEqual([]);
    // The follow-up lies in the webhook window: every outsider's joined webhook carries the registrant id.
    const followUp = s.org.meetings.find(
      (m) => m !== updates[0] && /earnings/i.test(m.topic) && m.participants.some((p) => analysts.some((a) => a.email === p.email)),
    );
    expect(followUp).toBeDefined();
    const joins = v.hooks.filter(
      (h) => h.event === 'meeting.participant_joined' && h.object.uuid === followUp!.uuid && !v.internal(String(h.participant.email)),
    );
    expect(joins.length).toBeGreaterThanOrEqual(4);
    expect(joins.filter((h) => !h.participant.registrant_id)).toEqual([]);
  });

  it('has a registration-only customer briefing with many registered outsiders and no participant without registration', () => {
    const briefing = s.org.meetings.find((m) => /briefing/i.test(m.topic) && !/earnings/i.test(m.topic));
    expect(briefing).toBeDefined();
    const others = briefing!.participants.filter((p) => p.role !== 'host');
    expect(others.filter((p) => !v.internal(p.email)).length).toBeGreaterThanOrEqual(12);
    expect(others.filter((p) => p.registrant_id === '')).toEqual([]);
  });

  it('has a daily escalation call: the same one or two hosts, the same two to four contacts, one in a browser without signing in', () => {
    const series = groupBy(
      s.org.meetings.filter((m) => /escalation - daily/.test(m.topic)),
      (m) => String(m.id),
    );
    expect(series.length).toBe(1);
    const calls = series[0]!;
    expect(calls.length).toBeGreaterThanOrEqual(big ? 8 : 4);
    expect(new Set(calls.map((m) => m.host_email)).size).toBeLessThanOrEqual(2);
    const outsiders = calls.flatMap((m) => m.participants.filter((p) => p.email === '' || !v.internal(p.email)));
    const contacts = new Set(outsiders.map((p) => p.email || p.user_name));
    expect(contacts.size).toBeGreaterThanOrEqual(2);
    expect(contacts.size).toBeLessThanOrEqual(4);
    const browser = outsiders.filter((p) => p.client === 'Browser' && p.id === '' && p.email === '');
    expect(new Set(browser.map((p) => p.user_name)).size).toBe(1);
    expect(browser.length).toBeGreaterThanOrEqual(calls.length / 2);
    // Contacts rarely share.
    expect(outsiders.filter((p) => p.share_desktop).length).toBeLessThanOrEqual(Math.ceil(calls.length / 3));
  });

  it('has a weekly all-hands that 25 or more signed-in employees join from many IPs within five minutes, seen live', () => {
    const allHands = s.org.meetings.filter((m) => m.topic === 'Company all-hands');
    expect(allHands.length).toBe(big ? 2 : 1);
    expect(new Set(allHands.map((m) => m.id)).size).toBe(1);
    const live = v.hooks.filter((h) => h.event === 'meeting.started' && h.object.topic === 'Company all-hands');
    expect(live.length).toBe(1);
    const start = live[0]!.at;
    const joins = v.hooks.filter(
      (h) =>
        h.event === 'meeting.participant_joined' &&
        h.object.uuid === live[0]!.object.uuid &&
        v.internal(String(h.participant.email)) &&
        h.participant.id &&
        ms(String(h.participant.join_time)) < start + 5 * 60_000,
    );
    expect(joins.length).toBeGreaterThanOrEqual(25);
    expect(new Set(joins.map((h) => h.participant.public_ip)).size).toBeGreaterThanOrEqual(10);
    const perMinute = groupBy(joins, (h) => String(Math.floor(ms(String(h.participant.join_time)) / 60_000))).map((g) => g.length);
    expect(Math.max(...perMinute)).toBeGreaterThanOrEqual(big ? 25 : 6);
  });

  it('has employees in many meetings they did not host who never share their screen', () => {
    const seen = new Map<string, { uuids: Set<string>; hosts: Set<string>; shared: boolean }>();
    for (const p of v.rows.filter((r) => r.kind === 'internal')) {
      const e = seen.get(p.email) ?? { uuids: new Set(), hosts: new Set(), shared: false };
      if (p.share_desktop || p.share_application) e.shared = true;
      if (p.role !== 'host') {
        e.uuids.add(p.meeting.uuid);
        e.hosts.add(p.meeting.host_email);
      }
      seen.set(p.email, e);
    }
    const silent = [...seen.values()].filter((e) => !e.shared);
    expect(silent.filter((e) => e.uuids.size >= 10).length).toBeGreaterThanOrEqual(big ? 10 : 1);
    // Over 20 meeting instances needs the longer range: 14 days is the default.
    if (big) expect(silent.filter((e) => e.uuids.size > 20 && e.hosts.size >= 3).length).toBeGreaterThanOrEqual(3);
    // Most attendees of the routine meetings never share.
    expect(silent.length).toBeGreaterThan(seen.size / 2);
  });

  it('has a leaver whose join before the deactivation is delivered after the user.deactivated webhook, and polled later', () => {
    const gone = v.hooks.filter((h) => h.event === 'user.deactivated');
    const late = gone.flatMap((d) =>
      v.hooks
        .filter(
          (h) =>
            h.event === 'meeting.participant_joined' &&
            h.participant.email === d.object.email &&
            ms(String(h.participant.join_time)) < d.at &&
            h.position > d.position,
        )
        .map((h) => ({ d, h })),
    );
    expect(late.length).toBeGreaterThanOrEqual(1);
    const { d, h } = late[0]!;
    expect(s.org.users.find((u) => u.email === d.object.email)?.status).toBe('inactive');
    // The report and dashboard rows of that meeting (polled after the end) hold the same pre-deactivation join.
    expect(v.rows.some((r) => r.meeting.uuid === h.object.uuid && r.email === d.object.email && ms(r.join_time) < d.at)).toBe(true);
    // No join of that user happens after the deactivation: nothing here for join_after_deactivation to find.
    expect(v.rows.filter((r) => r.email === d.object.email && ms(r.join_time) >= d.at)).toEqual([]);
    expect(s.manifest.incidents.filter((i) => i.related.includes(String(d.object.email)))).toEqual([]);
  });

  it('has joins before the host on recurring team meetings, with meeting.participant_jbh_joined webhooks', () => {
    const early = s.org.meetings.filter(
      (m) =>
        m.type === 8 &&
        /standup|weekly/.test(m.topic) &&
        m.participants.some((p) => p.role === 'host') &&
        m.participants.some((p) => p.role !== 'host' && p.join_time < m.participants.find((h) => h.role === 'host')!.join_time),
    );
    expect(early.length).toBeGreaterThanOrEqual(big ? 10 : 1);
    // Zoom's start time is the first join, not the host's.
    expect(early.every((m) => Math.min(...m.participants.map((p) => ms(p.join_time))) === ms(m.start_time))).toBe(true);
    if (big) {
      const jbh = v.hooks.filter((h) => h.event === 'meeting.participant_jbh_joined');
      expect(jbh.length).toBeGreaterThanOrEqual(1);
      const hostIn = (uuid: unknown) =>
        Math.min(
          ...v.hooks
            .filter((h) => h.event === 'meeting.participant_joined' && h.object.uuid === uuid && h.participant.id === h.object.host_id)
            .map((h) => ms(String(h.participant.join_time))),
        );
      expect(
        jbh.every((h) =>
          v.hooks.some(
            (j) =>
              j.event === 'meeting.participant_joined' &&
              j.object.uuid === h.object.uuid &&
              j.participant.id === h.participant.id &&
              ms(String(j.participant.join_time)) < hostIn(h.object.uuid),
          ),
        ),
      ).toBe(true);
    }
  });

  it("has colleagues taking control of each other's screen to help, both signed-in employees in the meeting then, and no hand-over to anyone else", () => {
    const at = (t: string) => Date.parse(`${t.slice(0, 10)}T${t.slice(11, 19)}.${t.slice(20)}Z`);
    const gave = s.org.meetingActivities.filter(
      (a) => a.activity_category === 'Remote Control' && a.activity_detail.includes(' gave remote control to '),
    );
    expect(gave.length).toBeGreaterThanOrEqual(big ? 3 : 1);
    // Planted incidents (a hand-over to a fake support agent) are not the background.
    const planted = new Set(s.manifest.incidents.flatMap((i) => i.related));
    const helping = new Set(
      s.manifest.background.filter((b) => b.id === 'remote-control-between-colleagues' || b.id === 'it-service-desk-calls').flatMap((b) => b.related),
    );
    for (const a of gave) {
      const number = a.meeting_number.replace(/ /g, '');
      const t = at(a.activity_time);
      const m = s.org.meetings.find((x) => String(x.id) === number && ms(x.start_time) <= t && t <= ms(x.end_time))!;
      if (planted.has(m.uuid)) continue;
      expect(helping.has(m.uuid), `"${m.topic}" is a background pattern's`).toBe(true);
      for (const name of [a.operator, a.activity_detail.split(' gave remote control to ')[1]]) {
        const session = m.participants.find((p) => p.user_name === name && ms(p.join_time) <= t && t <= ms(p.leave_time));
        expect(session?.kind, `${name} in "${m.topic}"`).toBe('internal');
        expect(v.internal(session!.email)).toBe(true);
      }
    }
    expect(s.manifest.background.map((b) => b.id)).toContain('remote-control-between-colleagues');
  });

  it('shares recordings inside the account behind a passcode, and publishes at most one, of a meeting of colleagues, on purpose', () => {
    const live = s.org.recordings.filter((r) => !r.trashed);
    const internal = live.filter((r) => r.sharing.share_recording === 'internally');
    if (big) expect(internal.length / live.length).toBeGreaterThan(0.7);
    expect(internal.every((r) => r.sharing.password !== '' && r.sharing.recording_authentication)).toBe(true);
    const published = s.org.recordings.filter((r) => r.sharing.share_recording === 'publicly');
    expect(internal.length + published.length + live.filter((r) => r.sharing.share_recording === 'none').length).toBe(live.length);
    // A planted incident may share a recording publicly (zoom.recording.shared_publicly); the background publishes one.
    const planted = new Set(s.manifest.incidents.flatMap((i) => i.related));
    const background = published.filter((r) => !planted.has(r.uuid));
    expect(background.length).toBeLessThanOrEqual(1);
    if (big) expect(background).toHaveLength(1);
    for (const r of background) {
      const m = s.org.meetings.find((x) => x.uuid === r.uuid)!;
      expect(m.participants.every((p) => p.kind === 'internal' && v.internal(p.email))).toBe(true);
      expect(s.config.watchedUsers).not.toContain(m.host_email);
      expect(s.manifest.background.find((b) => b.id === 'recording-published-on-purpose')?.related).toContain(r.uuid);
    }
  });

  it('has meetings changed without a protection being lost where it matters, a webinar link flagged public and quality alerts', () => {
    const changes = v.hooks.filter((h) => h.event === 'meeting.created' || h.event === 'meeting.updated');
    const related = new Set(s.manifest.incidents.flatMap((i) => i.related));
    const routine = changes.filter((h) => !related.has(String(h.object.id)));
    expect(routine.length).toBeGreaterThanOrEqual(big ? 5 : 3);
    // Every routine change that leaves no passcode leaves the waiting room on, or is a meeting only signed-in colleagues join.
    for (const h of routine.filter((x) => x.object.password === '')) {
      const settings = h.object.settings as { waiting_room?: boolean };
      if (settings.waiting_room === true) continue;
      const joins = v.rows.filter((r) => String(r.meeting.id) === String(h.object.id));
      expect(joins.length).toBeGreaterThan(0);
      expect(joins.every((r) => r.kind === 'internal' && r.id !== '' && v.internal(r.email))).toBe(true);
    }
    // A sensitive meeting scheduled with a passcode and the waiting room, and one whose event names no passcode.
    expect(routine.some((h) => /\bboard/i.test(String(h.object.topic)) && h.object.password !== '' && h.object.password !== undefined)).toBe(true);
    expect(routine.some((h) => h.event === 'meeting.created' && h.object.password === undefined)).toBe(true);
    const webinar = v.hooks.filter((h) => h.event === 'webinar.risk_alert');
    expect(webinar.map((h) => h.object.type)).toEqual([5]);
    expect(s.manifest.background.find((b) => b.id === 'webinar-link-published')?.related).toContain(String(webinar[0]!.object.id));
    expect(v.hooks.filter((h) => h.event === 'meeting.alert').length).toBeGreaterThan(0);
  });

  it('has employees whose sign-ins and joins of one day alternate between home and a VPN egress abroad', () => {
    const countryOf = new Map(v.rows.map((r) => [r.ip_address, country(r.location)]));
    const alternating = new Set<string>();
    const trails = groupBy(
      [
        ...v.rows.filter((r) => r.kind === 'internal').map((r) => ({ key: `${r.email} ${day(r.join_time)}`, at: r.join_time, ip: r.ip_address })),
        ...s.org.activities.filter((a) => a.ip_address).map((a) => ({ key: `${a.email} ${day(a.time)}`, at: a.time, ip: a.ip_address! })),
      ],
      (x) => x.key,
    );
    for (const events of trails) {
      const countries = events
        .sort((a, b) => a.at.localeCompare(b.at))
        .map((e) => countryOf.get(e.ip))
        .filter((c) => c !== undefined)
        .filter((c, i, all) => i === 0 || c !== all[i - 1]);
      // There and back within the day: home, VPN, home (or the other way round).
      if (countries.length >= 3) alternating.add(events[0]!.key.split(' ')[0]!);
    }
    expect(alternating.size).toBeGreaterThanOrEqual(2);
  });
});
