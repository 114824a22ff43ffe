import { Prng, type Seed } from '#core/prng.ts';

/** A Team Chat channel, with the ids of its member users (the API shows members through the user's channel list). */
export interface SimChannel {
  readonly id: string;
  readonly jid: string;
  readonly name: string;
  /** Zoom's channel type: 1 private, 2 private within the account, 3 public, 5 shared with other accounts. */
  readonly type: 1 | 2 | 3 | 5;
  readonly memberIds: readonly string[];
}

/** One channel message as `GET /chat/users/{userId}/messages?to_channel=` returns it, plus its channel. */
export interface SimChatMessage {
  readonly channel_id: string;
  readonly id: string;
  readonly message: string;
  readonly sender: string;
  readonly sender_member_id: string;
  readonly sender_display_name: string;
  readonly date_time: string;
  readonly timestamp: number;
  /** Deleted messages are listed only with `include_deleted_and_edited_message=true`. */
  readonly status: 'Normal' | 'Edited' | 'Deleted';
  readonly files?: { file_id: string; file_name: string; file_size: number }[];
  readonly reactions: { emoji: string; total_count: number; senders: string[] }[];
  readonly at_items: unknown[];
}

/** The organisation's chat: channels and their messages, oldest first. */
export interface SimChat {
  readonly channels: SimChannel[];
  readonly messages: SimChatMessage[];
}

/** A chat member: the generator needs only these user fields. */
interface Member {
  readonly id: string;
  readonly email: string;
  readonly display_name: string;
}

/** Text planted in one message a day: a secret, so tests can prove content stays out of the lake when off. */
export const PLANTED_CHAT_SECRET = 'vpn password is Tr0ub4dor-sim';

const PHRASES = [
  'Can someone review my PR?',
  'Standup moved to 10:30.',
  'The customer call went well.',
  'Lunch?',
  'Deploy is green.',
  'Who owns the billing alerts?',
  'Sharing the Q3 deck here.',
  'Please check the incident doc.',
  'Thanks!',
  'On it.',
];
const EXTERNAL_SENDERS = [
  { email: 'dana.reyes@partner-corp.com', name: 'Dana Reyes' },
  { email: 'k.mueller@acme-consulting.net', name: 'Kai Mueller' },
];

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Generates channels for `members` (active users first) and messages on `workingDays` (UTC midnights), from its own
 * random stream so adding chat changes nothing else of the organisation.
 */
export function simulatedChat(seed: Seed, members: readonly Member[], workingDays: readonly number[]): SimChat {
  const rng = new Prng(seed, 'chat');
  const ids = (list: readonly Member[]) => list.map((m) => m.id);
  const channel = (name: string, type: SimChannel['type'], list: readonly Member[]): SimChannel => ({
    id: rng.chars(32).toLowerCase(),
    jid: `${rng.chars(32).toLowerCase()}@conference.xmpp.zoom.us`,
    name,
    type,
    memberIds: ids(list),
  });
  const channels: SimChannel[] = [
    channel('general', 3, members),
    channel('security', 1, rng.sample(members, 6)),
    channel('finance-close', 2, rng.sample(members, 5)),
    channel('eng-platform', 1, rng.sample(members, 10)),
    channel('partner-acme', 5, rng.sample(members, 4)),
  ];
  const byId = new Map(members.map((m) => [m.id, m]));
  const messages: SimChatMessage[] = [];
  for (const day of workingDays) {
    for (const ch of channels) {
      const count = rng.int(0, ch.name === 'general' ? 8 : 4);
      for (let i = 0; i < count; i++) {
        const ms = day + rng.int(8 * 60, 18 * 60) * 60_000 + rng.int(0, 59_999);
        const insider = byId.get(rng.pick(ch.memberIds));
        // Shared channels carry messages from the other account's members too.
        const outsider = ch.type === 5 && rng.chance(0.4) ? rng.pick(EXTERNAL_SENDERS) : undefined;
        const sender = outsider ?? { email: insider?.email ?? '', name: insider?.display_name ?? '' };
        const draw = rng.next();
        const withFile = rng.chance(0.1);
        messages.push({
          channel_id: ch.id,
          id: `${rng.chars(8).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(12).toLowerCase()}`,
          message: i === 0 && ch.name === 'security' ? PLANTED_CHAT_SECRET : rng.pick(PHRASES),
          sender: sender.email,
          sender_member_id: rng.chars(22, '-_'),
          sender_display_name: sender.name,
          date_time: iso(ms),
          timestamp: ms,
          status: draw < 0.03 ? 'Deleted' : draw < 0.1 ? 'Edited' : 'Normal',
          ...(withFile
            ? {
                files: [
                  {
                    file_id: rng.chars(22, '-_'),
                    file_name: rng.pick(['deck.pdf', 'export.csv', 'screenshot.png']),
                    file_size: rng.int(10_000, 9_000_000),
                  },
                ],
              }
            : {}),
          reactions: rng.chance(0.2) ? [{ emoji: 'U+1F44D', total_count: 1, senders: [sender.email] }] : [],
          at_items: [],
        });
      }
    }
  }
  messages.sort((a, b) => a.timestamp - b.timestamp);
  return { channels, messages };
}

/** A channel as `GET /chat/users/{userId}/channels` lists it. */
export function channelView(ch: SimChannel): Record<string, unknown> {
  return {
    id: ch.id,
    jid: ch.jid,
    name: ch.name,
    type: ch.type,
    channel_settings: {
      new_members_can_see_previous_messages_files: true,
      allow_to_add_external_users: ch.type === 5 ? 2 : 0,
      posting_permissions: 1,
    },
  };
}

/** A message as the messages API shows it (without the simulator's channel id). */
export function messageView(m: SimChatMessage): Record<string, unknown> {
  const { channel_id: _channel, ...fields } = m;
  return fields;
}
