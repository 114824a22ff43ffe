import type { LakeWriter } from '../../lake/writer.ts';
import type { meetingParticipantRow } from '../../poll/rows.ts';
import type { ZoomApi, ZoomPageRequest } from '../../ports.ts';
import { ZoomNotFoundError } from '../../zoom/errors.ts';
import { MeetingNotReadyError } from '../not-ready.ts';

/* What FetchParticipants and FetchDetails share: a Zoom list, page by page, into a lake table. */

/** What the two fetch steps need. */
export interface FetchDeps {
  readonly api: ZoomApi;
  /** A fresh lake writer (writer id e.g. `correlation`). */
  readonly newWriter: () => LakeWriter;
}

/** A not-found answer right after the end (3001 "does not exist"/"has not ended yet", 404) means "not yet". */
function notReadyOr(error: unknown, what: string): unknown {
  if (error instanceof ZoomNotFoundError)
    return new MeetingNotReadyError(`${what}: zoom has no data for the meeting yet (${error.message})`, { cause: error });
  return error;
}

/** Writes every item of the listing `request` that `map` turns into a row to `table`; returns the distinct records written. */
export async function collect(
  deps: FetchDeps,
  request: ZoomPageRequest,
  table: string,
  map: (item: unknown) => ReturnType<typeof meetingParticipantRow>,
  what: string,
): Promise<number> {
  const writer = deps.newWriter();
  const records = new Set<string>();
  try {
    for await (const page of deps.api.paginate<unknown>(request)) {
      for (const item of page.items) {
        const row = map(item);
        if (row === null) continue;
        const added = writer.add(table, row);
        // A page-token restart repeats rows; they share a record id and de-duplicate in the view.
        if (added.ok) records.add(added.recordId);
      }
    }
  } catch (error) {
    throw notReadyOr(error, what);
  }
  if (records.size > 0) await writer.flush();
  return records.size;
}
