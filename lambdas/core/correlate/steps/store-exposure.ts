import type { StateItem, StateStore } from '../../ports.ts';
import type { ExposureSummary } from '../contract.ts';

/**
 * The state item holding a meeting's exposure summary: `pk` is EXPOSURE_PK_PREFIX + the meeting UUID, `sk` is
 * EXPOSURE_SK, the one attribute EXPOSURE_ATTR holds the summary as JSON. The state machine's StoreExposure writes
 * the same item with a DynamoDB PutItem, so these names are shared with the definition.
 */
export const EXPOSURE_PK_PREFIX = 'meeting#';
export const EXPOSURE_SK = 'exposure';
export const EXPOSURE_ATTR = 'summary';

/** The state key of a meeting's exposure summary. */
export function exposureKey(meetingUuid: string): { pk: string; sk: string } {
  return { pk: `${EXPOSURE_PK_PREFIX}${meetingUuid}`, sk: EXPOSURE_SK };
}

/** The state item of a summary, kept until its `stored_until`. */
export function exposureItem(summary: ExposureSummary): StateItem {
  return { ...exposureKey(summary.meeting_uuid), attrs: { [EXPOSURE_ATTR]: JSON.stringify(summary) }, expiresAt: summary.stored_until };
}

/** StoreExposure as the local runner does it (the state machine uses a DynamoDB PutItem of the same item). */
export async function storeExposure(state: StateStore, summary: ExposureSummary): Promise<void> {
  await state.put(exposureItem(summary));
}

/** A meeting's stored exposure summary, or undefined. */
export async function readExposure(state: StateStore, meetingUuid: string): Promise<ExposureSummary | undefined> {
  const { pk, sk } = exposureKey(meetingUuid);
  const item = await state.get(pk, sk);
  const summary = item?.attrs[EXPOSURE_ATTR];
  return typeof summary === 'string' ? (JSON.parse(summary) as ExposureSummary) : undefined;
}
