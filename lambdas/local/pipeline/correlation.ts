import { localZoomApi } from './zoom-api.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import { compileCorrelationFilter, correlationReasons, type CorrelationFilter } from '#core/correlate/need.ts';
import { runCorrelation, type CorrelationRunResult } from '#core/correlate/run.ts';
import { MEETING_ENDED_EVENT, startCorrelation } from '#core/correlate/start.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import type { CorrelationSettings, DataAccessSource } from '#core/correlate/settings.ts';
import { ConditionFailedError } from '#core/errors.ts';
import type { AlertDelivery, BusEvent, EventPublisher, QueryEngine, ZoomApi } from '#core/ports.ts';
import { WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import { oneFile } from '../adapters/duckdb-paths.ts';
import { DuckDbQueryEngine } from '../adapters/duckdb-query-engine.ts';
import { emptyView, LOCAL_TABLE_EXTENSIONS, localViews, readerOf, type LocalView } from './local-tables.ts';
import type { LocalRuntime } from './runtime.ts';

/** The state item standing for a started execution: its name is unique, like a Step Functions execution name. */
export const EXECUTION_PK = 'correlation#execution';
// Step Functions keeps a Standard execution's name taken for 90 days after it ends.
const EXECUTION_TTL_SECONDS = 90 * 86_400;
const CREDENTIALS = ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'] as const;

/** A run abandoned because the server is stopping. */
class CorrelationStoppedError extends Error {
  override readonly name = 'CorrelationStopped';
}

/** What a LocalCorrelation is built from. */
export interface LocalCorrelationDeps {
  readonly rt: LocalRuntime;
  readonly api: ZoomApi;
  readonly delivery: AlertDelivery;
  readonly settings: CorrelationSettings;
  /** The data-access file exposed as the view `settings.dataAccess.table`. @default none */
  readonly dataAccessFile?: string;
  /** One JSON line per run event (started, duplicate, completed, failed); never payloads. */
  readonly log: (line: string) => void;
  /** Called with each finished run, e.g. by tests. @default none */
  readonly onResult?: (input: MeetingEndedInput, result: CorrelationRunResult) => void;
}

/** The local view standing for the configured data-access table: the file, or no rows when it does not exist (yet). */
export function dataAccessView(source: DataAccessSource, file: string): LocalView {
  const reader = readerOf(file);
  if (reader === undefined || !existsSync(file)) {
    return emptyView(source.table, { [source.userColumn]: 'VARCHAR', [source.timeColumn]: 'TIMESTAMP', [source.resourceColumn]: 'VARCHAR' });
  }
  return { name: source.table, sql: `SELECT * FROM ${reader}(${oneFile(file)})` };
}

/**
 * The local counterpart of bus rule -> Step Functions for meeting.ended: each accepted meeting.ended of a meeting a
 * correlation detection needs (need.ts, the starter Lambda's rule) starts the correlation runner in this process, once
 * per meeting instance (a conditional put on the execution name, as Step Functions refuses a second execution of one
 * name), after `waitSeconds`. Runs go on in the background; `idle()` waits for them, `close()` abandons the ones still
 * waiting and releases their names.
 */
export class LocalCorrelation {
  private readonly runs = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  /** Which meetings need correlating (need.ts); a data-access source counts only when its local file is configured. */
  private readonly filter: CorrelationFilter;
  /** Resolves once the realtime checks have seen every event accepted so far (their live state decides). */
  private settled: () => Promise<void> = () => Promise.resolve();

  constructor(private readonly deps: LocalCorrelationDeps) {
    const { config } = deps.rt;
    this.filter = compileCorrelationFilter({
      meetings: config.correlation.meetings,
      dataAccess: deps.settings.dataAccess !== undefined,
      sensitiveMeetingPatterns: config.sensitiveMeetingPatterns,
      watchedUsers: config.watchedUsers,
    });
  }

  /**
   * Decides which meetings to correlate only once `settled` resolves: the realtime checks, which record each meeting's
   * outsiders, have then processed every event accepted before its meeting.ended, however fast a replay posts them.
   */
  decideAfter(settled: () => Promise<void>): void {
    this.settled = settled;
  }

  /** A publisher that hands events to `inner` and, once it accepted them, starts a run for each meeting.ended. */
  publisherAfter(inner: EventPublisher): EventPublisher {
    return {
      publish: async (events) => {
        await inner.publish(events);
        this.enqueue(events);
      },
    };
  }

  /** Starts a run for every meeting.ended among the events; returns at once. */
  enqueue(events: readonly BusEvent[]): void {
    for (const event of events) {
      if (event.detailType !== MEETING_ENDED_EVENT || this.abort.signal.aborted) continue;
      const run = this.start(event.detail).catch((error: unknown) =>
        this.deps.log(JSON.stringify({ correlation: 'failed', reason: error instanceof Error ? error.name : 'unknown' })),
      );
      this.runs.add(run);
      void run.finally(() => this.runs.delete(run));
    }
  }

  /** Resolves when every started run has finished (including runs started meanwhile). */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  /** Abandons runs still waiting (their names are released, so the meeting can be correlated later) and waits for the rest. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private sleep = (ms: number): Promise<void> =>
    new Promise((resolveSleep, reject) => {
      const { signal } = this.abort;
      if (signal.aborted) return reject(new CorrelationStoppedError('stopping'));
      const onAbort = () => {
        clearTimeout(timer);
        reject(new CorrelationStoppedError('stopping'));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolveSleep();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  /**
   * Claims the execution name as Step Functions would: a conditional put, so a second start of one name is
   * `duplicate`. One process owns the folder, so an execution started before this process and never finished died
   * with the process before it (a crash; a stop releases the name): it is started again, as its event is replayed
   * from the spool.
   */
  private async claim(execution: string, startedAt: number): Promise<'started' | 'duplicate'> {
    const { rt } = this.deps;
    const item = {
      pk: EXECUTION_PK,
      sk: execution,
      attrs: { started_at: startedAt },
      expiresAt: Math.floor(startedAt / 1000) + EXECUTION_TTL_SECONDS,
    };
    try {
      await rt.state.put(item, { kind: 'notExists' });
      return 'started';
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
    const current = await rt.state.get(EXECUTION_PK, execution);
    const previous = current?.attrs.started_at;
    if (current?.attrs.finished_at !== undefined || typeof previous !== 'number' || previous >= this.deps.rt.startedAt) return 'duplicate';
    try {
      await rt.state.put(item, { kind: 'attrEquals', name: 'started_at', value: previous });
      return 'started';
    } catch (error) {
      if (error instanceof ConditionFailedError) return 'duplicate';
      throw error;
    }
  }

  /**
   * Starts again every execution a stop interrupted (kept by `keepForResume`), as if its meeting.ended had just
   * arrived; the claim, taken before this process started, is taken over. Returns how many were resumed.
   */
  async resume(): Promise<number> {
    const { rt } = this.deps;
    const kept = (await rt.state.query(EXECUTION_PK)).filter(
      (item) => item.attrs.finished_at === undefined && typeof item.attrs.resume_detail === 'string',
    );
    for (const item of kept) {
      this.enqueue([
        { source: WEBHOOK_EVENT_SOURCE, detailType: MEETING_ENDED_EVENT, detail: JSON.parse(item.attrs.resume_detail as string) as unknown },
      ]);
    }
    return kept.length;
  }

  /** Keeps a stopped execution's event with its claim for `resume`; false when it cannot (the name is then released). */
  private async keepForResume(execution: string, startedAt: number, detail: unknown): Promise<boolean> {
    const { rt } = this.deps;
    try {
      await rt.state.put({
        pk: EXECUTION_PK,
        sk: execution,
        attrs: { started_at: startedAt, resume_detail: JSON.stringify(detail) },
        expiresAt: Math.floor(startedAt / 1000) + EXECUTION_TTL_SECONDS,
      });
      return true;
    } catch {
      await rt.state.delete(EXECUTION_PK, execution).catch(() => undefined);
      return false;
    }
  }

  /** Marks a claimed execution finished: its name stays taken, and a later process does not run it again. */
  private async finish(execution: string, startedAt: number): Promise<void> {
    const { rt } = this.deps;
    await rt.state.put({
      pk: EXECUTION_PK,
      sk: execution,
      attrs: { started_at: startedAt, finished_at: rt.clock.now() },
      expiresAt: Math.floor(startedAt / 1000) + EXECUTION_TTL_SECONDS,
    });
  }

  private async start(detail: unknown): Promise<void> {
    const { rt, log } = this.deps;
    let input: MeetingEndedInput | undefined;
    // The same start as the starter Lambda's, with this process as the "state machine".
    await this.settled();
    const startedAt = rt.clock.now();
    const outcome = await startCorrelation(detail, {
      bodies: rt.store,
      executionName,
      reasons: (meeting) => correlationReasons(meeting, rt.state, this.filter),
      starter: { start: (name, started) => ((input = started), this.claim(name, startedAt)) },
    });
    if (outcome.status !== 'started' || input === undefined) {
      if (outcome.status !== 'ignored')
        log(
          JSON.stringify({ correlation: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : { execution: outcome.execution }) }),
        );
      return;
    }
    const { execution, reasons } = outcome;
    log(JSON.stringify({ correlation: 'started', execution, reasons, waitSeconds: this.deps.settings.waitSeconds }));

    let engine: Promise<DuckDbQueryEngine> | undefined;
    const query: QueryEngine = { query: async (sql, params) => (await (engine ??= this.openEngine())).query(sql, params) };
    try {
      const result = await runCorrelation(
        {
          api: this.deps.api,
          newWriter: () => rt.writer('correlation'),
          query,
          state: rt.state,
          clock: rt.clock,
          delivery: this.deps.delivery,
          settings: this.deps.settings,
          registry: rt.registry,
          plan: rt.config.planTier,
          sleep: this.sleep,
        },
        input,
      );
      await this.finish(execution, startedAt);
      log(
        JSON.stringify(
          result.status === 'completed'
            ? {
                correlation: 'completed',
                execution,
                participants: result.participants.participants,
                details: result.details.details,
                ...result.alerts,
              }
            : { correlation: 'participants_unavailable', execution, attempts: result.attempts, ...result.alerts },
        ),
      );
      this.deps.onResult?.(input, result);
    } catch (error) {
      if (error instanceof CorrelationStoppedError) {
        // Its meeting.ended has left the spool for the lake: the event is kept with the claim, and the next start resumes it.
        const kept = await this.keepForResume(execution, startedAt, detail);
        return log(JSON.stringify({ correlation: 'stopped', execution, resumes: kept }));
      }
      // A failed execution keeps its name, as in Step Functions: the same meeting is not run again.
      await this.finish(execution, startedAt).catch(() => undefined);
      const message = error instanceof Error ? error.message.slice(0, 300) : '';
      log(JSON.stringify({ correlation: 'failed', execution, reason: error instanceof Error ? error.name : 'unknown', message }));
    } finally {
      await engine?.then(
        (e) => e.close(),
        () => undefined,
      );
    }
  }

  private openEngine(): Promise<DuckDbQueryEngine> {
    const { rt, settings, dataAccessFile } = this.deps;
    const views: LocalView[] = localViews(rt.config, rt.registry.detections);
    if (settings.dataAccess !== undefined && dataAccessFile !== undefined) {
      if (!existsSync(dataAccessFile))
        this.deps.log(JSON.stringify({ correlation: 'warning', reason: 'data_access_file_missing', file: dataAccessFile }));
      views.push(dataAccessView(settings.dataAccess, dataAccessFile));
    }
    return DuckDbQueryEngine.open({ lakeDir: rt.paths.lakeDir, views });
  }
}

/** What makeLocalCorrelation may replace, for tests. */
export interface LocalCorrelationOptions {
  readonly echo?: (line: string) => void;
  readonly onResult?: LocalCorrelationDeps['onResult'];
}

/**
 * The post-meeting correlation of `zoomlake serve`: the Zoom API from the environment (ZOOM_ACCOUNT_ID,
 * ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET; ZOOM_API_BASE_URL and ZOOM_OAUTH_URL for the simulator), alerts to
 * `<dir>/alerts.jsonl`. Undefined, after one log line saying why, when correlation is off or credentials are missing.
 */
export function makeLocalCorrelation(
  rt: LocalRuntime,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
  options: LocalCorrelationOptions = {},
): LocalCorrelation | undefined {
  const { correlation } = rt.config;
  if (!correlation.enabled) return undefined;
  if (rt.config.planTier === 'free') {
    log('zoomlake serve: post-meeting correlation is off: the free plan has no report API to read participants from');
    return undefined;
  }
  const missing = CREDENTIALS.filter((name) => !env[name]);
  if (missing.length > 0) {
    log(
      `zoomlake serve: post-meeting correlation is off: set ${missing.join(', ')} (and ZOOM_API_BASE_URL, ZOOM_OAUTH_URL for the simulator) to turn it on`,
    );
    return undefined;
  }
  const api = localZoomApi(
    rt,
    { accountId: env.ZOOM_ACCOUNT_ID!, clientId: env.ZOOM_CLIENT_ID!, clientSecret: env.ZOOM_CLIENT_SECRET! },
    { oauthUrl: env.ZOOM_OAUTH_URL, apiBaseUrl: env.ZOOM_API_BASE_URL },
  );
  const { localFile, ...source } = correlation.dataAccess ?? {};
  let settings: CorrelationSettings = { ...correlation, dataAccess: undefined };
  let dataAccessFile: string | undefined;
  if (correlation.dataAccess !== undefined) {
    if (localFile === undefined) {
      log('zoomlake serve: correlation.dataAccess has no localFile, so the host data-access correlation is skipped locally');
    } else if (readerOf(localFile) === undefined) {
      log(`zoomlake serve: correlation.dataAccess.localFile must end in ${LOCAL_TABLE_EXTENSIONS}; the host data-access correlation is skipped`);
    } else {
      settings = { ...correlation, dataAccess: source as DataAccessSource };
      dataAccessFile = resolve(localFile);
    }
  }
  const delivery = rt.alertDelivery(options.echo ? { echo: options.echo } : {});
  return new LocalCorrelation({
    rt,
    api,
    delivery,
    settings,
    ...(dataAccessFile ? { dataAccessFile } : {}),
    log,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
}
