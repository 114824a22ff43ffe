import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertId, type Alert } from '#core/alerts/alert.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { alertConsoleLine, dedupWindowsOf, localAlertDelivery } from '#local/pipeline/alerts.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const alert: Alert = {
  alert_id: alertId('zoom.a.b', 'k', Date.UTC(2026, 0, 1), 3_600_000),
  detection_id: 'zoom.a.b',
  title: 'T',
  severity: 'low',
  source: 'realtime',
  first_seen: '2026-01-01T00:00:00.000Z',
  last_seen: '2026-01-01T00:00:00.000Z',
  dedup_key: 'k',
  entities: { user_email: 'u@x.example', ip_address: '198.51.100.1' },
  evidence: [{ secret_looking: 'row' }],
  mitre: [],
  runbook: 'r',
};

describe('local alerts', () => {
  it.each([
    [
      [
        { id: 'zoom.a.b', dedup: { key: ['x'], window: '30m' } },
        { id: 'zoom.c.d', dedup: { key: ['y'], window: '7d' } },
      ],
      { 'zoom.a.b': 1_800_000, 'zoom.c.d': 604_800_000 },
    ],
    [[], {}],
  ])("dedupWindowsOf reads each detection's window", (detections, byDetection) => {
    expect(dedupWindowsOf(detections)).toEqual({ byDetection });
  });

  it('writes a notified alert to alerts.jsonl and echoes one line without evidence; a repeat writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zl-local-alerts-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 1));
    const store = new MemoryObjectStore();
    const echoed: string[] = [];
    const delivery = localAlertDelivery({
      state: new FileStateStore(join(dir, 'state.json'), clock),
      clock,
      alertsFile: join(dir, 'alerts.jsonl'),
      newWriter: (writerId) => new LakeWriter({ store, clock, newId: () => 'x', writerId }),
      windows: { byDetection: { 'zoom.a.b': 3_600_000 } },
      echo: (l) => echoed.push(l),
    });
    expect((await delivery.deliver([alert, alert])).map((r) => r.outcome)).toEqual(['notified', 'suppressed']);
    const lines = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { time: '2026-01-01T01:00:00.000Z', source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { ...alert, count: 1, evidence_total: 1 } },
    ]);
    expect(echoed).toEqual(['ALERT LOW zoom.a.b: T (user_email=u@x.example ip_address=198.51.100.1)']);
    expect(alertConsoleLine({ ...alert, entities: {}, count: 1, evidence_total: 1 })).toBe('ALERT LOW zoom.a.b: T');
  });
});
