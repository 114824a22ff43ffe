import * as z from 'zod';
import type { DetectionRegistry } from '../detect/registry.ts';
import { ZoomlakeError } from '../errors.ts';
import type { AlertDelivery, Clock } from '../ports.ts';
import { MEETING_NOT_READY, type ExposureSummary, type MeetingEndedInput } from './contract.ts';
import { correlate, type CorrelateDeps } from './steps/correlate.ts';
import { exposure, type ExposureDeps } from './steps/exposure.ts';
import { fetchDetails } from './steps/fetch-details.ts';
import type { FetchDeps } from './steps/fetch-pages.ts';
import { fetchParticipants } from './steps/fetch-participants.ts';
import { participantsUnavailable } from './steps/participants-unavailable.ts';
import { raiseAlerts } from './steps/raise-alerts.ts';

/*
 * The state machine's task payloads and their dispatch to the core steps, shared by the task Lambda and the test that
 * runs the synthesized definition locally. A payload names its task; the definition builds it with Parameters.
 */

/** Every task state of the workflow: the contract's steps plus ParticipantsUnavailable (the give-up path's alert). */
export const CORRELATION_TASKS = ['FetchParticipants', 'FetchDetails', 'Exposure', 'Correlate', 'RaiseAlerts', 'ParticipantsUnavailable'] as const;
export type CorrelationTask = (typeof CORRELATION_TASKS)[number];

/**
 * The error name a task throws for a failure worth retrying (throttling, a storage or Athena hiccup, a Zoom 5xx):
 * the definition retries it with backoff. Other errors fail the execution; MeetingNotReady keeps its own name.
 */
export const RETRYABLE_TASK_ERROR = 'CorrelationRetryable';

/** A retryable failure of a task, named so Step Functions' Retry can match it (the Lambda's errorType is the name). */
export class RetryableTaskError extends Error {
  constructor(cause: Error) {
    super(`${cause.name}: ${cause.message}`, { cause });
    this.name = RETRYABLE_TASK_ERROR;
  }
}

const meetingSchema = z.object({
  meeting_uuid: z.string().min(1),
  meeting_id: z.string().nullable(),
  host_id: z.string().nullable(),
  topic: z.string().nullable(),
  start_time: z.iso.datetime({ offset: true }).nullable(),
  end_time: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<MeetingEndedInput>;

const summarySchema = z.object({
  meeting_uuid: z.string().min(1),
  meeting_id: z.string().nullable(),
  topic: z.string().nullable(),
  host_email: z.string().nullable(),
  start_time: z.string().nullable(),
  end_time: z.string(),
  participants: z.number().int().nonnegative(),
  external_emails: z.array(z.string()),
  unauthenticated: z.array(z.string()),
  impersonation: z.array(z.object({ display_name: z.string(), matches_email: z.string() })),
  brief_joins: z.number().int().nonnegative(),
  distinct_ips: z.number().int().nonnegative(),
  countries: z.array(z.string()),
  sensitive_topic: z.boolean(),
  watched_host: z.boolean(),
  correlate_after: z.string(),
  stored_until: z.number().int().positive(),
}) satisfies z.ZodType<ExposureSummary>;

/** A task payload as the definition's Parameters build it. */
export const taskPayloadSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('FetchParticipants'), meeting: meetingSchema }),
  z.object({ task: z.literal('FetchDetails'), meeting: meetingSchema }),
  z.object({ task: z.literal('Exposure'), meeting: meetingSchema }),
  z.object({ task: z.literal('Correlate'), summary: summarySchema }),
  z.object({ task: z.literal('RaiseAlerts'), alerts: z.array(z.unknown()) }),
  z.object({ task: z.literal('ParticipantsUnavailable'), meeting: meetingSchema, attempts: z.number().int().positive() }),
]);
export type TaskPayload = z.infer<typeof taskPayloadSchema>;

/** What the tasks need; a task Lambda has only its own task's part (its role grants nothing else). */
export interface TaskDeps {
  /** For FetchParticipants and FetchDetails; async since the Zoom client needs the credentials secret. */
  readonly fetch?: () => Promise<FetchDeps>;
  readonly exposure?: ExposureDeps;
  readonly correlate?: CorrelateDeps;
  /** For RaiseAlerts and ParticipantsUnavailable. */
  readonly alerts?: { readonly delivery: AlertDelivery; readonly clock: Clock; readonly registry: DetectionRegistry };
}

/** Which part of TaskDeps each task uses. */
export const TASK_DEPS: Readonly<Record<CorrelationTask, keyof TaskDeps>> = {
  FetchParticipants: 'fetch',
  FetchDetails: 'fetch',
  Exposure: 'exposure',
  Correlate: 'correlate',
  RaiseAlerts: 'alerts',
  ParticipantsUnavailable: 'alerts',
};

function need<T>(dep: T | undefined, task: CorrelationTask): T {
  if (dep === undefined) throw new ZoomlakeError(`this function does not run the ${task} task (it needs ${TASK_DEPS[task]} dependencies)`, false);
  return dep;
}

async function dispatch(payload: TaskPayload, deps: TaskDeps): Promise<unknown> {
  switch (payload.task) {
    case 'FetchParticipants':
      return fetchParticipants(await need(deps.fetch, payload.task)(), payload.meeting);
    case 'FetchDetails':
      return fetchDetails(await need(deps.fetch, payload.task)(), payload.meeting);
    case 'Exposure':
      return exposure(need(deps.exposure, payload.task), payload.meeting);
    case 'Correlate':
      return correlate(need(deps.correlate, payload.task), payload.summary);
    case 'RaiseAlerts':
      return raiseAlerts(need(deps.alerts, payload.task), { alerts: payload.alerts });
    case 'ParticipantsUnavailable': {
      const alerts = need(deps.alerts, payload.task);
      return raiseAlerts(alerts, participantsUnavailable(alerts, payload.meeting, payload.attempts));
    }
  }
}

/**
 * Runs one task of the workflow on its payload and returns the step's output (the state the definition stores).
 * Throws a clear error for an invalid payload; MeetingNotReady as itself; a retryable failure as RetryableTaskError.
 */
export async function runCorrelationTask(payload: unknown, deps: TaskDeps): Promise<unknown> {
  const parsed = taskPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new ZoomlakeError(
      `invalid correlation task payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      false,
    );
  }
  try {
    return await dispatch(parsed.data, deps);
  } catch (error) {
    if (error instanceof Error && error.name !== MEETING_NOT_READY && error instanceof ZoomlakeError && error.retryable)
      throw new RetryableTaskError(error);
    throw error;
  }
}
