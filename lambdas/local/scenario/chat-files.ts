import { Prng } from '#core/prng.ts';
import { MeetingFactory, SessionBuilder, hadOutsiders, type MeetingPlan, type Session } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import { working, type People } from './people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';
import { chatFileEvents, type ChatRecipient, type WebhookEvent } from './webhooks.ts';

/*
 * Files shared in meeting chats that are benign, with or without incidents, in meetings of the webhook window: a
 * sensitive meeting of employees only, where a colleague downloads the file; the earnings follow-up, whose deck goes
 * to registered analysts (one downloads it) and a note privately to a colleague; and the customer escalation call,
 * whose notes the customer downloads. The privileged legal review that carries the first is added with streams of
 * its own, after the incidents are planted; the files are chosen without a random stream, so the rest of the
 * scenario is unchanged.
 */

/**
 * The general counsel's privileged review with the CFO and the legal team, employees only, on the last working day
 * of the webhook window it fits in; added to `meetings`. Undefined when no day fits.
 */
export function privilegedReview(seed: number, people: People, t: Timeline, meetings: MeetingPlan[]): MeetingPlan | undefined {
  const { counsel, cfo } = people.execs;
  const day = [...t.workingDays].reverse().find((d) => d >= t.liveFrom && d + 13 * HOUR_MS + 50 * MIN_MS <= t.end);
  if (day === undefined) return undefined;
  const start = day + 12 * HOUR_MS + 30 * MIN_MS;
  const legal = people.teams
    .filter((tm) => tm.dept === 'Legal')
    .flatMap((tm) => [tm.lead, ...tm.members])
    .filter((e) => e !== counsel && working(e, start) && working(e, start + HOUR_MS));
  const factory = new MeetingFactory(new Prng(seed, 'scenario-privileged-review'));
  const taken = new Set(meetings.map((m) => m.id));
  let id = factory.newId();
  while (taken.has(id)) id = factory.newId();
  const m = factory.meeting({ id, type: 2, topic: 'Privileged - litigation hold review', kind: 'legal', host: counsel, start });
  new SessionBuilder(new Prng(seed, 'scenario-privileged-review-sessions'), t).attend(m, [counsel, cfo, ...legal.slice(0, 2)], 40);
  meetings.push(m);
  return m;
}

/** The chat file webhooks of the background, and the pattern that names them. */
export interface RoutineChatFiles {
  readonly events: WebhookEvent[];
  readonly patterns: BackgroundPattern[];
}

/** The benign chat files of `meetings` (sorted by start) in the webhook window. */
export function routineChatFiles(
  people: People,
  t: Timeline,
  meetings: readonly MeetingPlan[],
  accountId: string,
  sensitive: (topic: string) => boolean,
): RoutineChatFiles {
  const live = meetings.filter((m) => !m.fixed && m.start >= t.liveFrom && m.end <= t.end - 10 * MIN_MS);
  const events: WebhookEvent[] = [];
  const used: MeetingPlan[] = [];
  let n = 0;
  const present = (s: Session, at: number) => s.join <= at && at < s.leave && !s.waitingRoomOnly;
  /** The host sends a file at ten minutes in; each of `takers` present then downloads it two minutes later. */
  const share = (m: MeetingPlan, name: string, to: ChatRecipient, takers: (s: Session) => boolean) => {
    const host = m.sessions.find((s) => s.person === m.host && !s.waitingRoomOnly);
    if (!host) return;
    const at = host.join + 10 * MIN_MS;
    if (at >= host.leave) return;
    const file = {
      file_id: `bgFile${String(++n).padStart(18, '0')}`,
      file_name: name,
      file_size: 120_000 + n * 7_919,
      file_type: name.split('.').pop() ?? '',
    };
    const takes = m.sessions.filter((x) => x !== host && x.email !== '' && present(x, at) && takers(x)).slice(0, 1);
    const downloads = takes.map((x) => ({ at: at + 2 * MIN_MS, email: x.email, zoomUserId: x.zoomUserId }));
    events.push(...chatFileEvents(m, accountId, at, host, to, file, `bgMessage${String(n).padStart(15, '0')}`, downloads));
    if (!used.includes(m)) used.push(m);
  };

  const internalSensitive = live.filter((m) => sensitive(m.topic) && !hadOutsiders(m, people.domains)).at(-1);
  if (internalSensitive) share(internalSensitive, 'draft-minutes.docx', 'everyone', (s) => s.person.kind === 'internal');
  const followUp = live.find((m) => m.kind === 'investor');
  if (followUp) {
    share(followUp, 'q-results-deck.pdf', 'everyone', (s) => s.person.kind === 'external' && s.registrantId !== '');
    const colleague = followUp.sessions.find((s) => s.person.kind === 'internal' && s.person !== followUp.host);
    if (colleague) share(followUp, 'analyst-questions.xlsx', colleague, () => false);
  }
  const escalation = live.filter((m) => m.kind === 'escalation').at(-1);
  if (escalation) share(escalation, 'escalation-notes.pdf', 'everyone', (s) => s.person.kind === 'external');

  return {
    events,
    patterns:
      used.length === 0
        ? []
        : [
            {
              id: 'chat-files',
              summary: `files shared in the chat of ${used.map((m) => `"${m.topic}"`).join(', ')}: employees only, registered analysts, a customer call`,
              related: used.flatMap((m) => [m.uuid, String(m.id)]),
            },
          ],
  };
}
