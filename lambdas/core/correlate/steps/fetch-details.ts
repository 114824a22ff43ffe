import { participantDetailRow } from '../../poll/rows.ts';
import { meetingUuidPath, type ZoomPlan } from '../../zoom/client.ts';
import { ZoomPlanError, ZoomScopeError } from '../../zoom/errors.ts';
import { DASHBOARD_PLANS } from '../../zoom/rate-limit.ts';
import type { FetchDetailsOutput, MeetingEndedInput } from '../contract.ts';
import { collect, type FetchDeps } from './fetch-pages.ts';

/** Whether FetchDetails runs for this plan (the state machine's Choice asks the same of DASHBOARD_PLANS). */
export const detailsAvailable = (plan: ZoomPlan): boolean => DASHBOARD_PLANS.includes(plan);

/**
 * FetchDetails (Business+): the dashboard's participant details into `participant_details`. A plan or scope that
 * lacks the dashboard gives `available: false` instead of failing; not-found ("has not ended yet") is MeetingNotReady.
 */
export async function fetchDetails(deps: FetchDeps, input: MeetingEndedInput): Promise<FetchDetailsOutput> {
  try {
    const details = await collect(
      deps,
      {
        path: `/metrics/meetings/${meetingUuidPath(input.meeting_uuid)}/participants`,
        query: { type: 'past', include_fields: 'registrant_id' },
        itemsKey: 'participants',
        category: 'Heavy',
      },
      'participant_details',
      (item) => participantDetailRow(item, input.meeting_uuid, input.meeting_id),
      'dashboard participant details',
    );
    return { details, available: true };
  } catch (error) {
    if (error instanceof ZoomPlanError || error instanceof ZoomScopeError) return { details: 0, available: false };
    throw error;
  }
}
