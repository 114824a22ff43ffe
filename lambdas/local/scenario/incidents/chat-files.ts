import { MIN_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import { chatFileEvents } from '../webhooks.ts';
import type { PlantKit } from './kit.ts';

/*
 * Chat file incidents: in a merger meeting the general counsel sends the valuation deck to everyone while an outside
 * adviser is in, and the adviser downloads it.
 */

/** 27. A deck sent to everyone in an M&A meeting with an external adviser present, downloaded by the adviser. */
export function deckToAdviser(k: PlantKit): void {
  const { before, out, plant, incident, outsider, accountId } = k;
  const { cfo, counsel } = k.people.execs;
  const adviser = outsider(
    'lyle-partners.com',
    { ip: '185.199.110.42', location: 'London (GB)' },
    { family: 'Mac', os: 'Mac', osVersion: '14.5', client: 'Mac' },
  );
  const m = plant('Project Heron acquisition - valuation', counsel, before(5, 30), 45, [cfo, adviser]);
  const seat = m.sessions.find((s) => s.person === adviser);
  const host = m.sessions.find((s) => s.person === counsel);
  if (!seat || !host) return;
  const sentAt = Math.max(seat.join, host.join) + 10 * MIN_MS;
  const file = { file_id: 'heronValuationDeck000001', file_name: 'Heron-valuation-v4.pdf', file_size: 2_481_113, file_type: 'pdf' };
  const download = { at: sentAt + 3 * MIN_MS, email: adviser.email, zoomUserId: seat.zoomUserId };
  out.events.push(...chatFileEvents(m, accountId, sentAt, host, 'everyone', file, 'heronDeckMessage00000001', [download]));
  incident({
    id: 'deck-to-adviser',
    detection: 'zoom.meeting.chat_file_to_outsider',
    paths: ['scheduled'],
    time: iso(sentAt),
    summary: `${counsel.email} sends ${file.file_name} to everyone in "${m.topic}" with ${adviser.email} present, who downloads it`,
    match: { meeting_uuid: m.uuid, user_email: counsel.email },
    related: [adviser.email, m.uuid],
  });
}
