import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import type { ZoomApi, ZoomPage, ZoomPageRequest } from '#core/zoom/client.ts';
import { ZoomPlanError } from '#core/zoom/errors.ts';
import { FileStateStore } from '#local/file-state-store.ts';
import { fromEnv, makeHandler, type PollerDeps } from '../../lambdas/handlers/zoom-poller.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
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

function setup(api: ZoomApi) {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const writers: string[] = [];
  const deps: PollerDeps = {
    api: async () => api, plan: 'business', clock, leaseSeconds: 600,
    state: new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-poller-')), 'state.json'), clock),
    newWriter: (writerId) => {
      writers.push(writerId);
      return new LakeWriter({ store, clock, newId: () => 'id', writerId });
    },
  };
  const logs: string[] = [];
  const metrics: string[] = [];
  const handler = makeHandler(deps, (l) => logs.push(l), (m) => metrics.push(m));
  return { handler, logs, metrics, writers };
}

const metricNames = (line: string): string[] =>
  (JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } })._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));

describe('zoom-poller handler', () => {
  it('logs the run and reports the cursor advanced for an ok run', async () => {
    const { handler, logs, metrics, writers } = setup(new FakeZoomApi());
    const run = await handler({ source: 'users' }, CONTEXT);
    expect(run).toMatchObject({ source: 'users', status: 'ok', windows: 1 });
    expect(logs.map((l) => JSON.parse(l) as unknown)).toEqual([run]);
    expect(metrics).toHaveLength(1);
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ Source: 'users', CursorAdvanced: 1, _aws: { Timestamp: NOW, CloudWatchMetrics: [{ Namespace: 'zoomlake', Dimensions: [['Source']] }] } });
    expect(metricNames(metrics[0] ?? '')).toEqual(['CursorAdvanced']);
    expect(writers).toEqual(['poller-users']);
  });

  it('emits SourceDisabled and no cursor advance when the plan lacks the API', async () => {
    const { handler, logs, metrics } = setup(new FakeZoomApi(new ZoomPlanError('not on this plan', { status: 400, code: 200, endpoint: 'api' })));
    const run = await handler({ source: 'activities' }, CONTEXT);
    expect(run.status).toBe('disabled');
    expect(JSON.parse(logs[0] ?? '')).toMatchObject({ source: 'activities', status: 'disabled' });
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ Source: 'activities', SourceDisabled: 1, CursorAdvanced: 0 });
    expect(metricNames(metrics[0] ?? '').sort()).toEqual(['CursorAdvanced', 'SourceDisabled']);
  });

  it('backfills exactly the given day range', async () => {
    const api = new FakeZoomApi();
    const { handler } = setup(api);
    const run = await handler({ source: 'activities', from: '2024-05-01', to: '2024-05-02' }, CONTEXT);
    expect(run.status).toBe('ok');
    expect(run.windows).toBeGreaterThan(0);
  });

  it('rejects an unknown source', async () => {
    const { handler, logs } = setup(new FakeZoomApi());
    await expect(handler({ source: 'chat_messages' }, CONTEXT)).rejects.toThrow(/unknown source "chat_messages"/);
    expect(logs).toEqual([]);
  });

  it('rejects a backfill with only one end', async () => {
    const { handler } = setup(new FakeZoomApi());
    await expect(handler({ source: 'activities', from: '2024-05-01' }, CONTEXT)).rejects.toThrow(/both from and to/);
  });

  it('throws unexpected errors so the schedule retries them', async () => {
    const { handler, logs } = setup(new FakeZoomApi(new Error('socket hang up')));
    await expect(handler({ source: 'activities' }, CONTEXT)).rejects.toThrow('socket hang up');
    expect(logs).toEqual([]);
  });

  it('builds its dependencies from the environment the construct sets', () => {
    const env = {
      ZOOM_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoom', ZOOM_PLAN: 'pro', API_BUDGET_SHARE: '0.25',
      STATE_TABLE_NAME: 'state', LAKE_BUCKET_NAME: 'lake', LEASE_SECONDS: '600',
    };
    expect(fromEnv(env)).toMatchObject({ plan: 'pro', leaseSeconds: 600 });
    expect(() => fromEnv({ ...env, ZOOM_PLAN: 'gold' })).toThrow();
    expect(() => fromEnv({ ...env, API_BUDGET_SHARE: '1.5' })).toThrow();
    expect(() => fromEnv({ ...env, STATE_TABLE_NAME: '' })).toThrow();
  });
});
