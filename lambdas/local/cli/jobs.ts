import type { ScheduledDetection } from '#core/detect/detection.ts';
import { runAndDeliver, type DetectPass } from '#core/detect/run-and-deliver.ts';
import type { AlertDelivery, Clock, StateItem, StateStore, ZoomApi } from '#core/ports.ts';
import type { DayWindow } from '#core/poll/cursor.ts';
import { pollSource, type PollSettings, type SourceRun } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { ZoomAuthError, ZoomServerError } from '#core/zoom/errors.ts';
import { EnvSecretProvider } from '../adapters/env-secret-provider.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { localZoomApi } from '../pipeline/zoom-api.ts';
import { report } from './errors.ts';

/*
 * The work the CLI's one-shot commands (`poll`, `detect`) and the `run` service share: a polling pass in which every
 * source runs on its own, and a detection pass delivered like the scheduled runner's. Each pass leaves its outcome
 * in the state file, under STATUS_PK, for `zoomlake status`.
 */

/** Partition key of the local status items: `poll#<source>` and `detect`. */
export const STATUS_PK = 'local#status';

/** Zoom's API from the environment's ZOOM_* variables; throws SecretError naming the first one missing. */
export async function zoomApiFromEnv(rt: LocalRuntime, env: Readonly<Record<string, string | undefined>>): Promise<ZoomApi> {
  const secrets = new EnvSecretProvider(env);
  const credentials = {
    accountId: await secrets.getSecret('ZOOM_ACCOUNT_ID'),
    clientId: await secrets.getSecret('ZOOM_CLIENT_ID'),
    clientSecret: await secrets.getSecret('ZOOM_CLIENT_SECRET'),
  };
  return localZoomApi(rt, credentials, { oauthUrl: env.ZOOM_OAUTH_URL, apiBaseUrl: env.ZOOM_API_BASE_URL });
}

/** The poll settings the config implies. */
export function pollSettingsOf(rt: LocalRuntime): PollSettings {
  const { internalDomains, sensitiveMeetingPatterns, watchedUsers } = rt.config;
  return {
    risk: { internalDomains, sensitiveMeetingPatterns, watchedUsers },
    chatIncludeContent: rt.config.sources.chat_messages.includeContent,
    meetingActivityTypes: rt.config.sources.meeting_activities.activityTypes,
  };
}

/** One source's pass: how it ran, or the one line saying why it failed. */
export type PollResult =
  | { readonly source: string; readonly ok: true; readonly run: SourceRun }
  | { readonly source: string; readonly ok: false; readonly error: string; readonly notPolled?: true; readonly stopsPass?: true };

/** What a polling pass needs besides the runtime. */
export interface PollPass {
  readonly api: ZoomApi;
  readonly names: readonly string[];
  /** Names this process in the sources' leases. */
  readonly owner: string;
  readonly backfill?: DayWindow;
  /** @default rt.clock */
  readonly clock?: Clock;
  /** Called after each source, in order. */
  readonly onResult?: (result: PollResult) => void;
  /** Checked before each source: when true, the pass ends there (a service stopping). */
  readonly shouldStop?: () => boolean;
}

/** Whether an error fails every source alike (credentials refused, Zoom unreachable), so the rest are not tried. */
const failsEverySource = (error: unknown) => error instanceof ZoomAuthError || (error instanceof ZoomServerError && error.status === 0);

/**
 * Polls each named source in turn. A source that fails is reported in its result and the others still run, except
 * after a failure that every source would meet (credentials refused, Zoom unreachable): the remaining sources are
 * then reported with that failure without being tried (`notPolled`). Each outcome is recorded for `zoomlake status`.
 */
export async function pollSources(rt: LocalRuntime, pass: PollPass): Promise<PollResult[]> {
  const clock = pass.clock ?? rt.clock;
  const deps = {
    api: pass.api,
    plan: rt.config.planTier,
    state: rt.state,
    clock,
    newWriter: () => rt.writer('poller'),
    owner: pass.owner,
    leaseSeconds: 3_600,
    settings: pollSettingsOf(rt),
  };
  const results: PollResult[] = [];
  let accountFailure: string | undefined;
  for (const name of pass.names) {
    if (pass.shouldStop?.()) break;
    const source = POLL_SOURCES[name];
    if (!source) throw new Error(`unknown poll source ${name}`);
    const started = clock.now();
    let result: PollResult;
    if (accountFailure !== undefined) {
      result = { source: name, ok: false, error: `not polled: ${accountFailure}`, notPolled: true };
    } else {
      try {
        result = { source: name, ok: true, run: await pollSource(source, deps, pass.backfill) };
      } catch (error) {
        const message = report(error).message;
        const stopsPass = failsEverySource(error);
        result = stopsPass ? { source: name, ok: false, error: message, stopsPass } : { source: name, ok: false, error: message };
        if (stopsPass) accountFailure = message;
      }
    }
    await recordStatus(
      rt.state,
      `poll#${name}`,
      started,
      clock.now(),
      result.ok
        ? {
            outcome: result.run.status,
            windows: result.run.windows,
            records: result.run.records,
            rejected: result.run.rejected,
            reason: result.run.reason ?? null,
            warnings: result.run.warnings?.count ?? 0,
          }
        : { outcome: 'failed', reason: result.error },
    );
    results.push(result);
    pass.onResult?.(result);
  }
  return results;
}

/** One line for a source's run. */
export function pollLine(run: SourceRun): string {
  const b = run.budget;
  const budget =
    b && (run.skipped > 0 || b.backlog > 0 || Object.values(b.droppedByClass).some((n) => n > 0))
      ? `, ${run.skipped} skipped for budget (high ${b.skippedByClass.high}, elevated ${b.skippedByClass.elevated}, routine ${b.skippedByClass.routine}), ` +
        `${b.backlog} in backlog, ${b.droppedByClass.high + b.droppedByClass.elevated + b.droppedByClass.routine} dropped`
      : '';
  const warnings = run.warnings ? `, ${run.warnings.count} warning${run.warnings.count === 1 ? '' : 's'} (first: ${run.warnings.first[0]})` : '';
  return (
    `${run.source}: ${run.status}, ${run.windows} windows, ${run.records} records, ${run.rejected} rejected${budget}${warnings}` +
    (run.reason ? ` (${run.reason})` : '')
  );
}

/**
 * Runs the detections over the lake up to `nowMs` and delivers their alerts as the scheduled runner does
 * (runAndDeliver: a repeat inside its detection's dedup window is counted, not re-notified; one failing detection
 * does not stop the others). Recorded for `zoomlake status`.
 */
export async function detectOnce(
  rt: LocalRuntime,
  detections: readonly ScheduledDetection[],
  nowMs: number,
  delivery: AlertDelivery = rt.alertDelivery(),
): Promise<DetectPass> {
  const started = rt.clock.now();
  const engine = await rt.openQueryEngine();
  let pass;
  try {
    pass = await runAndDeliver(engine, delivery, detections, nowMs);
  } finally {
    engine.close();
  }
  const failed = pass.summary.detections.filter((d) => !d.ok).map((d) => d.detection);
  await recordStatus(rt.state, 'detect', started, rt.clock.now(), {
    outcome: failed.length === 0 ? 'ok' : 'failed',
    detections: detections.length,
    alerts: pass.alerts.length,
    notified: pass.delivered.filter((d) => d.outcome === 'notified').length,
    failed,
  });
  return pass;
}

async function recordStatus(
  state: StateStore,
  sk: string,
  startedAt: number,
  endedAt: number,
  detail: Record<string, StateItem['attrs'][string]>,
): Promise<void> {
  await state.put({ pk: STATUS_PK, sk, attrs: { ...detail, startedAt, endedAt } });
}
