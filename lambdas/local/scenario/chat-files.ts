import { isoSeconds as iso } from '../zoom-simulator/org.ts';
import { hadOutsiders, type MeetingPlan, type Session } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import type { People } from './people.ts';
import { MIN_MS, type Timeline } from './timeline.ts';
import type { WebhookEvent } from './webhooks.ts';

/*
 * Files shared in meeting chats that are benign, with or without incidents, in meetings of the webhook window: a
 * sensitive meeting of employees only, where a colleague downloads the file; the earnings follow-up, whose deck goes
 * to registered analysts (one downloads it) and a note privately to a colleague; and the customer escalation call,
 * whose notes the customer downloads. Chosen without a random stream, so the rest of the scenario is unchanged.
 */

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
  const present = (m: MeetingPlan, s: Session, at: number) => s.join <= at && at < s.leave && !s.waitingRoomOnly;
  /** The host sends a file at ten minutes in; each of `takers` present then downloads it two minutes later. */
  const share = (m: MeetingPlan, name: string, to: Session | 'everyone', takers: (s: Session) => boolean) => {
    const host = m.sessions.find((s) => s.person === m.host && !s.waitingRoomOnly);
    if (!host) return;
    const at = host.join + 10 * MIN_MS;
    if (at >= host.leave) return;
    const file = {
      file_id: `bgFile${String(++n).padStart(18, '0')}`,
      file_name: name,
      file_size: 120_000 + n * 7_919,
      file_type: name.split('.').pop(),
    };
    const recipient =
      to === 'everyone'
        ? { recipient_type: 'everyone' }
        : { recipient_type: 'guest', recipient_session_id: to.participantId, recipient_name: to.name, recipient_email: to.email };
    events.push({
      at,
      event: 'meeting.chat_message_file_sent',
      payload: {
        account_id: accountId,
        object: {
          meeting_id: m.id,
          meeting_uuid: m.uuid,
          chat_message_file: {
            date_time: iso(at),
            sender_session_id: host.participantId,
            sender_name: host.name,
            sender_email: host.email,
            sender_type: 'host',
            ...recipient,
            message_id: `bgMessage${String(n).padStart(15, '0')}`,
            ...file,
          },
        },
      },
    });
    for (const s of m.sessions.filter((x) => x !== host && x.email !== '' && present(m, x, at) && takers(x)).slice(0, 1)) {
      events.push({
        at: at + 2 * MIN_MS,
        event: 'meeting.chat_message_file_downloaded',
        payload: {
          account_id: accountId,
          operator: s.email,
          operator_id: s.zoomUserId,
          object: { id: m.id, uuid: m.uuid, host_account_id: accountId, chat_message_file: { ...file, file_owner_id: m.host.userId } },
        },
      });
    }
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
