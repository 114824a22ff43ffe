import { meetingParticipantRow } from '../../poll/rows.ts';
import { meetingUuidPath } from '../../zoom/client.ts';
import type { FetchParticipantsOutput, MeetingEndedInput } from '../contract.ts';
import { MeetingNotReadyError } from '../not-ready.ts';
import { collect, type FetchDeps } from './fetch-pages.ts';

/**
 * FetchParticipants: the report API's participants of the instance into `meeting_participants`. Throws
 * MeetingNotReadyError while Zoom answers not-found or an empty list (a meeting that ended had at least its host).
 */
export async function fetchParticipants(deps: FetchDeps, input: MeetingEndedInput): Promise<FetchParticipantsOutput> {
  const what = 'report participants';
  const participants = await collect(
    deps,
    {
      path: `/report/meetings/${meetingUuidPath(input.meeting_uuid)}/participants`,
      query: { include_fields: 'registrant_id' },
      itemsKey: 'participants',
      category: 'Heavy',
    },
    'meeting_participants',
    (item) => meetingParticipantRow(item, input.meeting_uuid, input.meeting_id),
    what,
  );
  if (participants === 0) throw new MeetingNotReadyError(`${what}: zoom's report lists no participants yet`);
  return { participants };
}
