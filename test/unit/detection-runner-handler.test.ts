import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '#core/alerts/alert.ts';
import { bundleSha256, detectionBundle, parseDetectionBundle, registryFromBundle } from '#core/detect/bundle.ts';
import { DetectionDefinitionError } from '#core/detect/detection.ts';
import { DetectionRegistry } from '#core/detect/registry.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { fromEnv, makeHandler, type RunnerDeps, type RunSummary } from '../../lambdas/handlers/detection-runner.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { capturedMetrics, RecordingLog } from '../fakes/recording-log.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { ScriptedEngine, scriptedDetection } from '../support/scripted-detections.ts';

const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);

const ONE = scriptedDetection('zoom.test.one');
const TWO = scriptedDetection('zoom.test.two', { severity: 'low' });
const ROW = { first_seen: '2024-05-06T06:00:00.000Z', last_seen: '2024-05-06T06:30:00.000Z', user_email: 'alice@outside.example', ip: '203.0.113.9' };

class FakePublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  failures = 0;
  async publish(events: readonly BusEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('PutEvents to event bus alerts failed: ThrottlingException');
    }
    this.events.push(...events);
  }
}

function setup(answers: Record<string, readonly Record<string, unknown>[] | Error> = {}) {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const engine = new ScriptedEngine(answers);
  const publisher = new FakePublisher();
  const writers: string[] = [];
  const state = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zoomlake-runner-')), 'state.json'), clock);
  const delivery = new SuppressingAlertDelivery({
    state,
    publisher,
    clock,
    windows: dedupWindowsOf([ONE, TWO]),
    writerId: 'detections',
    newWriter: (writerId) => {
      writers.push(writerId);
      return new LakeWriter({ store, clock, newId: () => `file${writers.length}`, writerId });
    },
  });
  const deps: RunnerDeps = { detections: new Map([ONE, TWO].map((d) => [d.id, d])), engine, delivery, clock };
  const log = new RecordingLog();
  const { sink, lines: metrics } = capturedMetrics(clock);
  const handler = makeHandler(deps, log, sink);
  return { handler, store, engine, publisher, writers, log, metrics };
}

const parsedMetrics = (lines: readonly string[]) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: unknown[] } });

describe('detection-runner handler', () => {
  it('runs the named detection for a run ending now and returns its alerts in the summary', async () => {
    const { handler, engine } = setup({ 'zoom.test.one': [ROW] });
    const summary = await handler({ detections: ['zoom.test.one'] });
    expect(engine.calls).toEqual([{ id: 'zoom.test.one', params: ['2024-05-06T07:08:09.000Z'] }]);
    expect(summary).toMatchObject({
      now: '2024-05-06T07:08:09.000Z',
      alerts: 1,
      failed: 0,
      detections: [{ detection: 'zoom.test.one', ok: true, alerts: 1, rows: 1 }],
    });
  });

  it('reruns a past window when the input gives `now`', async () => {
    const { handler, engine } = setup();
    const summary = await handler({ detections: ['zoom.test.two'], now: '2024-04-01T00:00:00Z' });
    expect(engine.calls).toEqual([{ id: 'zoom.test.two', params: ['2024-04-01T00:00:00.000Z'] }]);
    expect(summary.now).toBe('2024-04-01T00:00:00.000Z');
  });

  it('writes every alert to the alerts table with writer id `detections`', async () => {
    const { handler, store, writers } = setup({ 'zoom.test.one': [ROW, { ...ROW, user_email: 'bob@outside.example' }] });
    await handler({ detections: ['zoom.test.one'] });
    expect(writers).toEqual(['detections']);
    expect(await store.list('')).toEqual(['zoom/alerts/dt=2024-05-06/detections-file1.parquet']);
  });

  it('publishes each alert to the bus as source zoomlake, detail-type Zoom Security Alert, detail the alert', async () => {
    const { handler, publisher } = setup({ 'zoom.test.one': [ROW] });
    const summary = await handler({ detections: ['zoom.test.one'] });
    expect(publisher.events).toHaveLength(1);
    const [event] = publisher.events;
    expect(event).toMatchObject({ source: 'zoomlake', detailType: 'Zoom Security Alert' });
    const alert = event?.detail as Alert;
    expect(alert).toMatchObject({
      alert_id: summary.detections[0]?.alertIds[0],
      detection_id: 'zoom.test.one',
      title: 'Title of zoom.test.one',
      severity: 'high',
      source: 'scheduled',
      entities: { user_email: 'alice@outside.example' },
      evidence: [ROW],
      mitre: ['T1078'],
      runbook: 'Ask the user.',
    });
  });

  it('logs one summary line at INFO with counts and ids, never evidence values', async () => {
    const { handler, log } = setup({ 'zoom.test.one': [ROW], 'zoom.test.two': [] });
    const summary = await handler({ detections: ['zoom.test.one', 'zoom.test.two'] });
    expect(log.levels()).toEqual(['INFO']);
    expect(log.fields()).toEqual([summary]);
    for (const value of Object.values(ROW).slice(2)) expect(log.text()).not.toContain(value);
  });

  it('reports AlertsRaised per detection as EMF in namespace zoomlake, dimension Detection, only when above zero', async () => {
    const { handler, metrics } = setup({ 'zoom.test.one': [ROW] });
    await handler({ detections: ['zoom.test.one', 'zoom.test.two'] });
    // zoom.test.two raised nothing: no data point, so its metrics cost nothing that month (docs/cost.md).
    expect(parsedMetrics(metrics)).toEqual([
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [{ Namespace: 'zoomlake', Dimensions: [['Detection']], Metrics: [{ Name: 'AlertsRaised', Unit: 'Count' }] }],
        },
        Detection: 'zoom.test.one',
        AlertsRaised: 1,
      },
    ]);
  });

  it('writes and publishes nothing for a detection without findings', async () => {
    const { handler, store, publisher, writers } = setup();
    await handler({ detections: ['zoom.test.one'] });
    expect(writers).toEqual([]);
    expect(await store.list('')).toEqual([]);
    expect(publisher.events).toEqual([]);
  });

  it('notifies a finding once: the next run inside the dedup window counts it as a repeat and publishes nothing', async () => {
    const { handler, publisher } = setup({ 'zoom.test.one': [ROW] });
    const first = await handler({ detections: ['zoom.test.one'] });
    const second = await handler({ detections: ['zoom.test.one'] });
    expect(publisher.events).toHaveLength(1);
    expect(first.detections.map((d) => [d.alerts, d.notified])).toEqual([[1, 1]]);
    expect(second.detections.map((d) => [d.alerts, d.notified])).toEqual([[1, 0]]);
  });

  it('still delivers the other detections when one query fails, then throws naming the failed one', async () => {
    const { handler, publisher, log, metrics } = setup({
      'zoom.test.one': new Error('Athena query q-1 failed: TABLE_NOT_FOUND'),
      'zoom.test.two': [ROW],
    });
    await expect(handler({ detections: ['zoom.test.one', 'zoom.test.two'] })).rejects.toThrow(
      /1 of 2 detection\(s\) failed: zoom\.test\.one: Athena query q-1 failed: TABLE_NOT_FOUND/,
    );
    expect(publisher.events.map((e) => (e.detail as Alert).detection_id)).toEqual(['zoom.test.two']);
    expect(log.levels()).toEqual(['ERROR']);
    const summary = log.fields()[0] as unknown as RunSummary;
    expect(summary).toMatchObject({
      alerts: 1,
      failed: 1,
      detections: [
        { detection: 'zoom.test.one', ok: false, error: 'Athena query q-1 failed: TABLE_NOT_FOUND' },
        { detection: 'zoom.test.two', ok: true },
      ],
    });
    expect(parsedMetrics(metrics).map((m) => [m.Detection, m.AlertsRaised, m.DetectionFailed])).toEqual([
      ['zoom.test.one', undefined, 1],
      ['zoom.test.two', 1, undefined],
    ]);
  });

  it('fails a detection whose alerts the bus refused, after writing them to the lake', async () => {
    const { handler, store, publisher, metrics } = setup({ 'zoom.test.one': [ROW] });
    publisher.failures = 1;
    await expect(handler({ detections: ['zoom.test.one'] })).rejects.toThrow(/zoom\.test\.one: delivery failed: PutEvents .* ThrottlingException/);
    expect(await store.list('zoom/alerts/')).toHaveLength(1);
    expect(parsedMetrics(metrics)[0]).toEqual(expect.objectContaining({ Detection: 'zoom.test.one', DetectionFailed: 1 }));
    expect(parsedMetrics(metrics)[0]).not.toHaveProperty('AlertsRaised');
  });

  it('fails a detection whose lake write failed and publishes none of its alerts', async () => {
    const { handler, store, publisher } = setup({ 'zoom.test.one': [ROW] });
    store.failNext = 1;
    await expect(handler({ detections: ['zoom.test.one'] })).rejects.toThrow(/zoom\.test\.one: delivery failed/);
    expect(publisher.events).toEqual([]);
  });

  it('refuses an unknown detection id before running anything', async () => {
    const { handler, engine } = setup();
    await expect(handler({ detections: ['zoom.test.one', 'zoom.test.nope'] })).rejects.toThrow(
      /unknown detection\(s\) zoom\.test\.nope; deployed: zoom\.test\.one, zoom\.test\.two/,
    );
    expect(engine.calls).toEqual([]);
  });

  it.each([
    ['no detections key', {}],
    ['an empty list', { detections: [] }],
    ['a non-string id', { detections: [1] }],
    ['a `now` that is not ISO-8601', { detections: ['zoom.test.one'], now: 'yesterday' }],
  ])('rejects input with %s', async (_name, event) => {
    const { handler, engine } = setup();
    await expect(handler(event)).rejects.toThrow();
    expect(engine.calls).toEqual([]);
  });
});

describe('the detections bundle', () => {
  const registry = new DetectionRegistry([ONE, TWO], { 'exposure-flags': 'SELECT 1' });
  const text = detectionBundle(registry);
  const sha = bundleSha256(text);

  it('round-trips every detection, its parameter values and the named queries', () => {
    const back = parseDetectionBundle(text);
    expect(back.detections).toEqual([ONE, TWO]);
    expect(back.queries).toEqual({ 'exposure-flags': 'SELECT 1' });
    expect(registryFromBundle(text, sha).detections.map((d) => d.id)).toEqual(['zoom.test.one', 'zoom.test.two']);
  });

  it('refuses a file that is not the one the function was deployed with', () => {
    expect(() => registryFromBundle(text, '0'.repeat(64))).toThrow(/detections\.json has sha256 [0-9a-f]{64}, the function was deployed with 0{64}/);
  });

  const one = JSON.parse(detectionBundle(new DetectionRegistry([ONE]))) as { detections: { meta: Record<string, unknown>; values: unknown }[] };
  it.each([
    ['text that is not JSON', 'nope', /not valid JSON/],
    ['a wrong version', JSON.stringify({ version: 1, detections: [], queries: {} }), /malformed: version/],
    [
      'an invalid detection, named',
      detectionBundle(new DetectionRegistry([ONE])).replace('"high"', '"urgent"'),
      /detection zoom\.test\.one: invalid detection\.yml: severity/,
    ],
    [
      'a duplicate id',
      JSON.stringify({ ...one, queries: {}, detections: [...one.detections, ...one.detections] }),
      /detection zoom\.test\.one is defined twice/,
    ],
    [
      'values for an undeclared parameter',
      JSON.stringify({ ...one, queries: {}, detections: [{ ...one.detections[0], values: { min_ips: 3 } }] }),
      /has values for min_ips/,
    ],
  ])('rejects %s', (_name, bad, error) => {
    expect(() => parseDetectionBundle(bad)).toThrow(DetectionDefinitionError);
    expect(() => parseDetectionBundle(bad)).toThrow(error);
  });

  it('is read from beside the function by fromEnv and checked against DETECTIONS_SHA256', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zl-runner-')), 'detections.json');
    writeFileSync(file, text);
    const env = {
      ATHENA_WORKGROUP: 'zoomlake',
      GLUE_DATABASE: 'zoomlake',
      LAKE_BUCKET_NAME: 'lake',
      ALERT_BUS_NAME: 'alerts',
      STATE_TABLE_NAME: 'state',
      DETECTIONS_SHA256: sha,
      ATHENA_TIMEOUT_SECONDS: '600',
    };
    expect([...fromEnv(env, file).detections.keys()]).toEqual(['zoom.test.one', 'zoom.test.two']);
    expect(() => fromEnv({ ...env, DETECTIONS_SHA256: 'f'.repeat(64) }, file)).toThrow(/deployed with f{64}/);
    expect(() => fromEnv({ ...env, ALERT_BUS_NAME: undefined }, file)).toThrow(/ALERT_BUS_NAME/);
    expect(() => fromEnv({ ...env, STATE_TABLE_NAME: undefined }, file)).toThrow(/STATE_TABLE_NAME/);
  });
});
