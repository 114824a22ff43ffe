import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import { DEFAULT_POLL_SETTINGS } from '#core/poll/run.ts';
import type { ZoomApi, ZoomPage, ZoomPageRequest } from '#core/ports.ts';
import { ZoomBudgetError, ZoomNotFoundError, ZoomPlanError } from '#core/zoom/errors.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { fromEnv, makeHandler, type PollerDeps } from '../../lambdas/handlers/scheduled-poller.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { capturedMetrics, RecordingLog } from '../fakes/recording-log.ts';
import { LEAK, MALFORMED_CREDENTIALS, consoleOutputOf, errorTexts, secretsOf } from '../support/malformed-secrets.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);
const CONTEXT = { awsRequestId: 'req-1' };

/** A Zoom API answering every listing with no items, or failing every call with `error`. */
class FakeZoomApi implements ZoomApi {
  readonly paths: string[] = [];
  constructor(private readonly error?: Error) {}
  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    this.paths.push(request.path);
    if (this.error) throw this.error;
    yield { items: [], page: 1, restarts: 0 };
  }
  async get<T>(): Promise<T> {
    throw this.error ?? new Error('not used');
  }
}

/** A dashboard listing three meetings (one with dial-in callers) whose budget allows one detail call. */
class BudgetedDashboard implements ZoomApi {
  private calls = 0;
  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    if (request.path === '/metrics/meetings') {
      const meetings = [
        { uuid: 'm1', topic: 'Board prep', start_time: '2024-05-06T05:00:00Z', has_pstn: true },
        { uuid: 'm2', topic: 'Sync', start_time: '2024-05-06T05:00:00Z', has_pstn: true },
        { uuid: 'm3', topic: 'Sync', start_time: '2024-05-06T05:00:00Z' },
      ];
      yield { items: meetings as T[], page: 1, restarts: 0 };
      return;
    }
    if (++this.calls > 1) throw new ZoomBudgetError('daily zoom api budget share spent', 1000);
    yield { items: [], page: 1, restarts: 0 };
  }
  async get<T>(): Promise<T> {
    throw new Error('not used');
  }
}

function setup(api: ZoomApi, plan: ZoomPlan = 'business') {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const writers: string[] = [];
  const deps: PollerDeps = {
    api: async () => api,
    plan,
    clock,
    leaseSeconds: 600,
    settings: DEFAULT_POLL_SETTINGS,
    state: new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-poller-')), 'state.json'), clock),
    newWriter: (writerId) => {
      writers.push(writerId);
      return new LakeWriter({ store, clock, newId: () => 'id', writerId });
    },
  };
  const log = new RecordingLog();
  const { sink, lines: metrics } = capturedMetrics(clock);
  const handler = makeHandler(deps, log, sink);
  return { handler, log, metrics, writers };
}

const metricNames = (line: string): string[] =>
  (JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } })._aws.CloudWatchMetrics.flatMap((d) =>
    d.Metrics.map((m) => m.Name),
  );

describe('scheduled-poller handler', () => {
  it('logs the run and reports the cursor advanced for an ok run', async () => {
    const { handler, log, metrics, writers } = setup(new FakeZoomApi());
    const run = await handler({ source: 'users' }, CONTEXT);
    expect(run).toMatchObject({ source: 'users', status: 'ok', windows: 1 });
    expect(log.fields()).toEqual([run]);
    expect(log.levels()).toEqual(['INFO']);
    expect(metrics).toHaveLength(1);
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({
      Source: 'users',
      CursorAdvanced: 1,
      _aws: { Timestamp: NOW, CloudWatchMetrics: [{ Namespace: 'zoomlake', Dimensions: [['Source']] }] },
    });
    expect(metricNames(metrics[0] ?? '')).toEqual(['CursorAdvanced']);
    expect(writers).toEqual(['poller-users']);
  });

  it('emits SourceDisabled and no cursor advance when the plan lacks the API', async () => {
    const { handler, log, metrics } = setup(new FakeZoomApi(new ZoomPlanError('not on this plan', { status: 400, code: 200, endpoint: 'api' })));
    const run = await handler({ source: 'activities' }, CONTEXT);
    expect(run.status).toBe('disabled');
    expect(log.records).toMatchObject([{ level: 'WARN', fields: { source: 'activities', status: 'disabled' } }]);
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ Source: 'activities', SourceDisabled: 1, CursorAdvanced: 0 });
    expect(metricNames(metrics[0] ?? '').sort()).toEqual(['CursorAdvanced', 'SourceDisabled']);
  });

  it('logs a run that kept rows past refused recording settings at WARN, with the warnings', async () => {
    const api: ZoomApi = {
      async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
        const live = request.query?.trash !== 'true';
        const items = live ? [{ uuid: 'r==', start_time: '2024-05-06T05:00:00Z', recording_files: [{ id: 'f1' }] }] : [];
        yield { items: items as T[], page: 1, restarts: 0 };
      },
      async get<T>(): Promise<T> {
        throw new ZoomNotFoundError('GET /meetings/r%3D%3D/recordings/settings: not found (404 code 3301)', {
          status: 404,
          code: 3301,
          endpoint: 'api',
        });
      },
    };
    const { handler, log, metrics } = setup(api);
    const run = await handler({ source: 'recordings', from: '2024-05-06', to: '2024-05-06' }, CONTEXT);
    expect(run).toMatchObject({ status: 'ok', records: 1, warnings: { count: 1 } });
    expect(log.records).toMatchObject([
      { level: 'WARN', message: 'poll run with warnings', fields: { source: 'recordings', warnings: { count: 1 } } },
    ]);
    expect(log.text()).toContain('recording sharing settings of meeting r== not read');
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ Source: 'recordings', CursorAdvanced: 1 });
  });

  it('reports meeting_activities disabled on a plan without it, without calling Zoom', async () => {
    const api = new FakeZoomApi();
    const { handler, log, metrics } = setup(api, 'pro');
    const run = await handler({ source: 'meeting_activities' }, CONTEXT);
    expect(run).toMatchObject({ status: 'disabled', reason: expect.stringContaining('planTier is pro') as unknown });
    expect(api.paths).toEqual([]);
    expect(log.records).toMatchObject([{ level: 'WARN', fields: { source: 'meeting_activities', status: 'disabled' } }]);
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ Source: 'meeting_activities', SourceDisabled: 1, CursorAdvanced: 0 });
  });

  it('logs what the budget skipped by risk class and emits BudgetSkipped for participant details', async () => {
    const api = new BudgetedDashboard();
    const { handler, log, metrics } = setup(api);
    const run = await handler({ source: 'participant_details' }, CONTEXT);
    expect(run).toMatchObject({ status: 'stopped', skipped: 2, budget: { skippedByClass: { high: 0, elevated: 1, routine: 1 }, backlog: 2 } });
    expect(log.fields()[0]).toMatchObject({ source: 'participant_details', skipped: 2, budget: { skippedByClass: { elevated: 1, routine: 1 } } });
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({
      Source: 'participant_details',
      CursorAdvanced: 1,
      BudgetSkipped: 2,
      BudgetSkippedRisky: 1,
      BacklogDropped: 0,
    });
    expect(metricNames(metrics[0] ?? '').sort()).toEqual(['BacklogDropped', 'BudgetSkipped', 'BudgetSkippedRisky', 'CursorAdvanced']);
    expect(log.text()).not.toContain('Board');
  });

  it('backfills exactly the given day range', async () => {
    const api = new FakeZoomApi();
    const { handler } = setup(api);
    const run = await handler({ source: 'activities', from: '2024-05-01', to: '2024-05-02' }, CONTEXT);
    expect(run.status).toBe('ok');
    expect(run.windows).toBeGreaterThan(0);
  });

  it('rejects an unknown source', async () => {
    const { handler, log } = setup(new FakeZoomApi());
    await expect(handler({ source: 'chat_files' }, CONTEXT)).rejects.toThrow(/unknown source "chat_files"/);
    expect(log.records).toEqual([]);
  });

  it('rejects a backfill with only one end', async () => {
    const { handler } = setup(new FakeZoomApi());
    await expect(handler({ source: 'activities', from: '2024-05-01' }, CONTEXT)).rejects.toThrow(/both from and to/);
  });

  it('throws unexpected errors so the schedule retries them', async () => {
    const { handler, log } = setup(new FakeZoomApi(new Error('socket hang up')));
    await expect(handler({ source: 'activities' }, CONTEXT)).rejects.toThrow('socket hang up');
    expect(log.records).toEqual([]);
  });

  it.each(MALFORMED_CREDENTIALS)('fails on a credentials secret that is $name, naming the secret and never quoting it', async ({ raw, says }) => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoomlake/zoom-AbCdEf';
    const env = {
      ZOOM_CREDENTIALS_SECRET_ARN: arn,
      ZOOM_PLAN: 'pro',
      API_BUDGET_SHARE: '0.25',
      STATE_TABLE_NAME: 'state',
      LAKE_BUCKET_NAME: 'lake',
      LEASE_SECONDS: '600',
      INTERNAL_DOMAINS: '[]',
      SENSITIVE_MEETING_PATTERNS: '[]',
      WATCHED_USERS: '[]',
      CHAT_INCLUDE_CONTENT: 'false',
      MEETING_ACTIVITY_TYPES: '["Remote Control"]',
    };
    // The Lambda entry point's own log and metric writers (console.log, stdout), captured.
    const handler = makeHandler(fromEnv(env, secretsOf({ [arn]: raw })));
    let error: unknown;
    const output = await consoleOutputOf(async () => {
      error = await handler({ source: 'activities' }, CONTEXT).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(error).toMatchObject({ name: 'SecretError', retryable: false });
    expect((error as Error).message).toMatch(new RegExp(`^secret "${arn}" `));
    expect((error as Error).message).toMatch(says);
    for (const text of [...errorTexts(error), ...output]) expect(text).not.toContain(LEAK);
  });

  it('builds its dependencies from the environment the construct sets', () => {
    const env = {
      ZOOM_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoom',
      ZOOM_PLAN: 'pro',
      API_BUDGET_SHARE: '0.25',
      STATE_TABLE_NAME: 'state',
      LAKE_BUCKET_NAME: 'lake',
      LEASE_SECONDS: '600',
      INTERNAL_DOMAINS: '["example.com"]',
      SENSITIVE_MEETING_PATTERNS: '["board"]',
      WATCHED_USERS: '["ceo@example.com"]',
      CHAT_INCLUDE_CONTENT: 'false',
      MEETING_ACTIVITY_TYPES: '["Remote Control"]',
    };
    expect(fromEnv(env)).toMatchObject({
      plan: 'pro',
      leaseSeconds: 600,
      settings: {
        risk: { internalDomains: ['example.com'], sensitiveMeetingPatterns: ['board'], watchedUsers: ['ceo@example.com'] },
        chatIncludeContent: false,
        meetingActivityTypes: ['Remote Control'],
      },
    });
    expect(fromEnv({ ...env, CHAT_INCLUDE_CONTENT: 'true' }).settings.chatIncludeContent).toBe(true);
    expect(fromEnv({ ...env, MEETING_ACTIVITY_TYPES: '["User Join","Remote Control"]' }).settings.meetingActivityTypes).toEqual([
      'User Join',
      'Remote Control',
    ]);
    expect(() => fromEnv({ ...env, MEETING_ACTIVITY_TYPES: '["Screen Share"]' })).toThrow(
      /^MEETING_ACTIVITY_TYPES must be a JSON array of: All Activities,/,
    );
    expect(() => fromEnv({ ...env, MEETING_ACTIVITY_TYPES: '[]' })).toThrow('MEETING_ACTIVITY_TYPES must name at least one activity type');
    expect(() => fromEnv({ ...env, MEETING_ACTIVITY_TYPES: '["All Activities","User Join"]' })).toThrow(/"All Activities" already includes/);
    expect(() => fromEnv({ ...env, WATCHED_USERS: 'ceo@example.com' })).toThrow('WATCHED_USERS must be a JSON array of strings');
    expect(() => fromEnv({ ...env, SENSITIVE_MEETING_PATTERNS: '["(bad"]' })).toThrow(/sensitiveMeetingPatterns\.0: "\(bad"/);
    expect(() => fromEnv({ ...env, CHAT_INCLUDE_CONTENT: 'yes' })).toThrow();
    expect(() => fromEnv({ ...env, ZOOM_PLAN: 'gold' })).toThrow();
    expect(() => fromEnv({ ...env, API_BUDGET_SHARE: '1.5' })).toThrow();
    expect(() => fromEnv({ ...env, STATE_TABLE_NAME: '' })).toThrow();
  });
});
