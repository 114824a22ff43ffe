import { Prng } from '#core/prng.ts';
import type { SimMeetingActivity, SimRecordingSettings } from '../zoom-simulator/org.ts';
import { remoteControlActivities } from '../zoom-simulator/meeting-activities.ts';
import { PUBLISHED_ON_PURPOSE } from '../zoom-simulator/recording-settings.ts';
import { hadOutsiders, type MeetingPlan, type RemoteControl, type Session } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import type { People, Person } from './people.ts';
import { MIN_MS } from './timeline.ts';

/*
 * The scenario's meeting audit trail and recording sharing beyond the routine: remote-control hand-overs and
 * recordings shared a particular way, set on the meetings that have them. The benign ones are drawn here; planted
 * incidents use the same two hooks, `plantRemoteControl` and `shareRecording`.
 */

/** The session `person` is in at `at`, or an error saying the planting does not fit the meeting. */
function sessionAt(m: MeetingPlan, person: Person, at: number): Session {
  const s = m.sessions.find((x) => x.person === person && !x.waitingRoomOnly && x.join <= at && at <= x.leave);
  if (!s) throw new Error(`remote control in "${m.topic}" at ${new Date(at).toISOString()}: ${person.name} is not in the meeting then`);
  return s;
}

/**
 * Plants a remote-control hand-over into `m`: at `at`, `sharer` gives `controller` control of their screen, after
 * the controller asked for it unless `requested` is false. Both must be in the meeting at `at` (a session each,
 * admitted from any waiting room); the trail names them as they showed in the meeting. The meeting activities
 * report then lists "<controller> requested remote control" and "<sharer> gave remote control to <controller>"
 * (wording assumed: zoom-simulator/meeting-activities.ts).
 */
export function plantRemoteControl(
  m: MeetingPlan,
  grant: { readonly at: number; readonly sharer: Person; readonly controller: Person; readonly requested?: boolean },
): void {
  const sharer = sessionAt(m, grant.sharer, grant.at);
  const controller = sessionAt(m, grant.controller, grant.at);
  (m.remoteControl ??= []).push({ at: grant.at, sharer, controller, requested: grant.requested ?? true });
}

/**
 * Sets how `m`'s cloud recording is shared, and records the meeting: the settings endpoint then answers `sharing`
 * (e.g. `sharingSettings('publicly')` from zoom-simulator/recording-settings.ts for a public link without passcode).
 */
export function shareRecording(m: MeetingPlan, sharing: SimRecordingSettings): void {
  m.recorded = true;
  m.sharing = sharing;
}

/** The meeting's hand-overs as trail entries. */
export function remoteControlTrail(m: MeetingPlan): SimMeetingActivity[] {
  return (m.remoteControl ?? []).flatMap((rc) =>
    remoteControlActivities(m.id, {
      at: rc.at,
      sharer: { name: rc.sharer.name, email: rc.sharer.email },
      controller: { name: rc.controller.name, email: rc.controller.email },
      requested: rc.requested,
    }),
  );
}

/**
 * The benign audit trail and sharing a company has, set on `meetings` (after the incidents, which it leaves alone):
 * in about one in twelve team meetings, standups and one-to-ones (and in one at least) a colleague takes control of
 * another's screen to help (the IT staff when they are in it), and Marketing publishes one recording of a meeting of
 * colleagues on purpose. Returns the background patterns for the manifest.
 */
export function benignAuditTrail(
  seed: number,
  people: People,
  meetings: readonly MeetingPlan[],
  sensitive: (topic: string) => boolean,
): BackgroundPattern[] {
  const it = new Set<Person>([people.owner, ...people.admins]);
  const colleaguesIn = (m: MeetingPlan) => m.sessions.filter((s) => s.person.kind === 'internal' && s.zoomUserId !== '' && !s.waitingRoomOnly);
  /** `controller` helping `sharer` somewhere in the minute-trimmed overlap of their sessions (`pick` in [0, 1]), if they overlap. */
  const grant = (controller: Session, sharer: Session, pick: number, requested: boolean): RemoteControl | undefined => {
    const from = Math.max(controller.join, sharer.join) + MIN_MS;
    const to = Math.min(controller.leave, sharer.leave) - MIN_MS;
    return to <= from ? undefined : { at: Math.floor((from + pick * (to - from)) / 1000) * 1000, sharer, controller, requested };
  };
  const eligible = meetings.filter((m) => !m.fixed && !m.remoteControl && m.inApi && ['weekly', 'standup', 'one_on_one'].includes(m.kind));
  const helped: MeetingPlan[] = [];
  for (const m of eligible) {
    // A stream per meeting: the same meetings get help whether or not incidents are planted around them.
    const rng = new Prng(seed, `scenario-audit-trail:${m.uuid}`);
    if (!rng.chance(1 / 12)) continue;
    const colleagues = colleaguesIn(m);
    const helper = colleagues.find((s) => it.has(s.person)) ?? colleagues.find((s) => s.person === m.host);
    const others = helper ? colleagues.filter((s) => s.person !== helper.person) : [];
    const rc = helper && others.length > 0 ? grant(helper, rng.pick(others), rng.next(), rng.chance(0.8)) : undefined;
    if (rc === undefined) continue;
    m.remoteControl = [rc];
    helped.push(m);
  }
  // However the draws fall, the company has one at least: the look-alike a remote-control detection must let pass.
  for (const m of helped.length === 0 ? eligible : []) {
    const cs = colleaguesIn(m);
    const rc = cs.flatMap((a) => cs.filter((b) => b.person !== a.person).map((b) => grant(a, b, 0.5, true))).find((x) => x !== undefined);
    if (rc === undefined) continue;
    m.remoteControl = [rc];
    helped.push(m);
    break;
  }
  const watched = new Set(people.watched);
  const publishable = meetings.filter(
    (m) =>
      m.recorded &&
      m.inApi &&
      !m.fixed &&
      m.deletion === undefined &&
      m.sharing === undefined &&
      !hadOutsiders(m, people.domains) &&
      !sensitive(m.topic) &&
      !watched.has(m.host.email),
  );
  const published = publishable.find((m) => m.host.dept === 'Marketing') ?? publishable[0];
  if (published) published.sharing = PUBLISHED_ON_PURPOSE;

  const out: BackgroundPattern[] = [];
  if (helped.length > 0) {
    const who = [...new Set(helped.flatMap((m) => (m.remoteControl ?? []).flatMap((rc) => [rc.controller.email, rc.sharer.email])))];
    out.push({
      id: 'remote-control-between-colleagues',
      summary: `${helped.length} meetings of colleagues where one takes control of another's screen to help (IT staff when they are in it)`,
      related: [...who, ...helped.map((m) => m.uuid)],
    });
  }
  if (published) {
    out.push({
      id: 'recording-published-on-purpose',
      summary: `${published.host.email} publishes the recording of "${published.topic}" (colleagues only) with a public link on purpose`,
      related: [published.host.email, published.uuid, String(published.id)],
    });
  }
  return out;
}
