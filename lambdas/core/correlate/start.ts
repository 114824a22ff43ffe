import { idText, instant, nonEmptyText, objectOrEmpty } from '../lake/cell-coercion.ts';
import type { ExecutionStarter, ObjectStore } from '../ports.ts';
import { resolveWebhookBody, webhookDetailSchema } from '../webhook/detail.ts';
import { EnvelopeError, eventTimeOf, parseEnvelope, type ZoomEnvelope } from '../webhook/envelope.ts';
import type { MeetingEndedInput } from './contract.ts';
import type { CorrelationReason } from './need.ts';
import { iso } from './values.ts';

/** The webhook event that starts the correlation workflow. */
export const MEETING_ENDED_EVENT = 'meeting.ended';

/** The execution input of a meeting.ended webhook; undefined for another event or one without a meeting UUID. */
export function meetingEndedInput(env: ZoomEnvelope, receivedAt: number): MeetingEndedInput | undefined {
  if (env.event !== MEETING_ENDED_EVENT) return undefined;
  const o = objectOrEmpty(env.payload.object);
  const uuid = nonEmptyText(o.uuid);
  if (uuid === null) return undefined;
  const start = instant(o.start_time);
  const end = instant(o.end_time) ?? eventTimeOf(env, receivedAt);
  return {
    meeting_uuid: uuid,
    meeting_id: idText(o.id),
    host_id: idText(o.host_id),
    topic: nonEmptyText(o.topic),
    start_time: start === null ? null : iso(start),
    end_time: iso(end),
  };
}

/** What the starter needs. */
export interface StartDeps {
  /** The store holding webhook bodies published by reference. */
  readonly bodies: ObjectStore;
  readonly starter: ExecutionStarter;
  /** The execution name of a meeting instance (the same uuid always gives the same name). */
  readonly executionName: (meetingUuid: string) => string;
  /** Why the meeting is correlated (correlationReasons in need.ts); no reason: it is skipped. */
  readonly reasons: (meeting: MeetingEndedInput) => Promise<readonly CorrelationReason[]>;
}

/** How one webhook event went through the starter (reason codes and names only, never payload text). */
export type StartOutcome =
  | { readonly status: 'started' | 'duplicate'; readonly execution: string; readonly reasons: readonly CorrelationReason[] }
  /** No correlation detection needs this meeting (need.ts): nothing started. */
  | { readonly status: 'skipped'; readonly execution: string }
  /** Not a meeting.ended event: nothing to start. */
  | { readonly status: 'ignored'; readonly event: string }
  /** Can never start (malformed detail, not an envelope, no meeting uuid): a retry cannot help. */
  | { readonly status: 'rejected'; readonly reason: string }
  /** May start later (body by reference not readable yet): the caller retries. */
  | { readonly status: 'retry'; readonly reason: string };

/**
 * Starts the correlation workflow for one bus event's detail (WebhookDetail, body inline or by reference) when it is
 * a meeting.ended event of a meeting a correlation detection needs (`skipped` otherwise). The execution is named
 * after the meeting instance, so Zoom's retries and the bus's at-least-once delivery start it once: a second start
 * of the same name is `duplicate`, not an error.
 */
export async function startCorrelation(detail: unknown, deps: StartDeps): Promise<StartOutcome> {
  const parsed = webhookDetailSchema.safeParse(detail);
  if (!parsed.success) return { status: 'rejected', reason: 'detail_malformed' };
  const body = await resolveWebhookBody(parsed.data, deps.bodies);
  if (!body.ok) return body.retryable ? { status: 'retry', reason: body.reason } : { status: 'rejected', reason: body.reason };
  let env: ZoomEnvelope;
  try {
    env = parseEnvelope(body.text);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { status: 'rejected', reason: 'not_envelope' };
  }
  if (env.event !== MEETING_ENDED_EVENT) return { status: 'ignored', event: env.event };
  const input = meetingEndedInput(env, parsed.data.receivedAt);
  if (input === undefined) return { status: 'rejected', reason: 'no_meeting_uuid' };
  const execution = deps.executionName(input.meeting_uuid);
  const reasons = await deps.reasons(input);
  if (reasons.length === 0) return { status: 'skipped', execution };
  return { status: await deps.starter.start(execution, input), execution, reasons };
}
