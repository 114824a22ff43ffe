import { Prng } from '#core/prng.ts';
import type { Row } from '#core/schema/types.ts';

/** Uniform draws in [0, 1) from the shared seeded PRNG (its plain mulberry32 sequence), so every bench run is the same. */
export function prng(seed: number): () => number {
  const rng = Prng.fromState(seed);
  return () => rng.next();
}

const EVENTS = [
  'meeting.participant_joined',
  'meeting.participant_left',
  'meeting.participant_joined_waiting_room',
  'meeting.participant_left_waiting_room',
  'meeting.participant_admitted',
  'meeting.participant_put_in_waiting_room',
  'meeting.participant_role_changed',
  'meeting.sharing_started',
  'meeting.sharing_ended',
];
const hex = (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

/**
 * `count` synthetic participant_events rows with realistic cardinalities: ~20k meetings, ~5k users, ~50k IPs,
 * nine event types, unique source ids; about a tenth are external guests with no email.
 */
export function participantRows(count: number, seed = 42): Row[] {
  const rand = prng(seed);
  const meetings = Array.from({ length: 20_000 }, (_, i) => ({
    id: String(80_000_000_000 + i * 7919),
    uuid: `${hex(rand, 22)}==`,
    host: `u${hex(rand, 20)}`,
    topic: `Team sync ${i % 500}`,
  }));
  const users = Array.from({ length: 5_000 }, (_, i) => ({ id: `u${hex(rand, 20)}`, name: `User ${i}`, email: `user${i}@example.com` }));
  const start = Date.UTC(2026, 9, 1);
  const rows: Row[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const m = meetings[Math.floor(rand() * meetings.length)]!;
    const external = rand() < 0.1;
    const u = users[Math.floor(rand() * users.length)]!;
    const event = EVENTS[Math.floor(rand() * EVENTS.length)]!;
    rows[i] = {
      event,
      event_time: start + Math.floor(rand() * 30 * 86_400_000),
      account_id: 'acct-synthetic',
      meeting_id: m.id,
      meeting_uuid: m.uuid,
      host_id: m.host,
      topic: m.topic,
      participant_id: String(16_778_000 + Math.floor(rand() * 1_000_000)),
      participant_user_id: external ? null : u.id,
      participant_uuid: hex(rand, 16),
      user_name: external ? `Guest ${Math.floor(rand() * 2000)}` : u.name,
      email: external ? null : u.email,
      registrant_id: null,
      customer_key: null,
      phone_number: null,
      public_ip: `198.51.${Math.floor(rand() * 200)}.${Math.floor(rand() * 250)}`,
      private_ip: `10.0.${Math.floor(rand() * 20)}.${Math.floor(rand() * 250)}`,
      leave_reason: event === 'meeting.participant_left' ? 'left the meeting' : null,
      old_role: null,
      new_role: event === 'meeting.participant_role_changed' ? 'co-host' : null,
      sharing_content: event.startsWith('meeting.sharing') ? 'desktop' : null,
      source_record_id: hex(rand, 32),
    };
  }
  return rows;
}
