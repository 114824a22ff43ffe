import type { DetectionRegistry } from '../detect/registry.ts';
import type { LakeWriter } from '../lake/writer.ts';
import type { AlertDelivery, Clock, QueryEngine, StateStore, ZoomApi } from '../ports.ts';
import type { ZoomPlan } from '../zoom/client.ts';
import type {
  CorrelationStep,
  ExposureSummary,
  FetchDetailsOutput,
  FetchParticipantsOutput,
  MeetingEndedInput,
  RaiseAlertsOutput,
} from './contract.ts';
import { isMeetingNotReady, notReadyDelayMs } from './not-ready.ts';
import type { CorrelationSettings } from './settings.ts';
import { correlate } from './steps/correlate.ts';
import { exposure } from './steps/exposure.ts';
import { detailsAvailable, fetchDetails } from './steps/fetch-details.ts';
import { fetchParticipants } from './steps/fetch-participants.ts';
import { participantsUnavailable } from './steps/participants-unavailable.ts';
import { raiseAlerts } from './steps/raise-alerts.ts';
import { storeExposure } from './steps/store-exposure.ts';

/** Everything the in-process runner needs: the union of the steps' dependencies, plus an injected sleep. */
export interface CorrelationRunDeps {
  readonly api: ZoomApi;
  readonly newWriter: () => LakeWriter;
  readonly query: QueryEngine;
  readonly state: StateStore;
  readonly clock: Clock;
  readonly delivery: AlertDelivery;
  readonly settings: CorrelationSettings;
  /** The detection registry: the correlation queries, the detections the steps raise and their parameters. */
  readonly registry: DetectionRegistry;
  readonly plan: ZoomPlan;
  /** Waits `ms` (a timer locally, a fake in tests); may reject to abandon the run. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Called as each step finishes (for logs and tests). @default none */
  readonly onStep?: (step: CorrelationStep | 'Wait' | 'ParticipantsUnavailable', detail: Readonly<Record<string, unknown>>) => void;
}

/** How a run ended. */
export type CorrelationRunResult =
  | {
      readonly status: 'completed';
      readonly participants: FetchParticipantsOutput;
      readonly details: FetchDetailsOutput;
      readonly exposure: ExposureSummary;
      readonly alerts: RaiseAlertsOutput;
    }
  /** The participant report never became ready within the retry bound: the alert of its own was raised. */
  | { readonly status: 'participants_unavailable'; readonly attempts: number; readonly alerts: RaiseAlertsOutput };

/** Runs `step`, retrying it while it throws MeetingNotReady: notReadyRetries more times, the wait doubling each time. */
async function withNotReadyRetry<T>(
  deps: CorrelationRunDeps,
  step: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; attempts: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: await step() };
    } catch (error) {
      if (!isMeetingNotReady(error)) throw error;
      if (attempt >= deps.settings.notReadyRetries) return { ok: false, attempts: attempt + 1 };
      await deps.sleep(notReadyDelayMs(deps.settings, attempt));
    }
  }
}

/**
 * The post-meeting correlation in one process, as the state machine runs it: Wait (waitSeconds) -> FetchParticipants
 * (MeetingNotReady retried; on giving up, the participants_unavailable alert is raised and the run stops) ->
 * FetchDetails on Business/Enterprise plans (same retry; on giving up the details count as unavailable) -> Exposure ->
 * wait until the summary's correlate_after -> Correlate -> RaiseAlerts. Other errors propagate (the execution fails).
 */
export async function runCorrelation(deps: CorrelationRunDeps, input: MeetingEndedInput): Promise<CorrelationRunResult> {
  const note = deps.onStep ?? (() => undefined);
  if (deps.settings.waitSeconds > 0) await deps.sleep(deps.settings.waitSeconds * 1000);
  note('Wait', { seconds: deps.settings.waitSeconds });

  const fetched = await withNotReadyRetry(deps, () => fetchParticipants(deps, input));
  if (!fetched.ok) {
    const alerts = await raiseAlerts(deps, participantsUnavailable(deps, input, fetched.attempts));
    note('ParticipantsUnavailable', { attempts: fetched.attempts });
    return { status: 'participants_unavailable', attempts: fetched.attempts, alerts };
  }
  note('FetchParticipants', { ...fetched.value });

  let details: FetchDetailsOutput = { details: 0, available: false };
  if (detailsAvailable(deps.plan)) {
    const got = await withNotReadyRetry(deps, () => fetchDetails(deps, input));
    if (got.ok) details = got.value;
    note('FetchDetails', { ...details });
  }

  const summary = await exposure(deps, input);
  await storeExposure(deps.state, summary);
  note('Exposure', { participants: summary.participants, external: summary.external_emails.length, unauthenticated: summary.unauthenticated.length });

  const waitMs = Date.parse(summary.correlate_after) - deps.clock.now();
  if (waitMs > 0) await deps.sleep(waitMs);
  const correlated = await correlate(deps, summary);
  note('Correlate', { alerts: correlated.alerts.length });

  const alerts = await raiseAlerts(deps, correlated);
  note('RaiseAlerts', { ...alerts });
  return { status: 'completed', participants: fetched.value, details, exposure: summary, alerts };
}
