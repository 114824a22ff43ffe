import { describe, expect, it } from 'vitest';
import type { ScheduledDetection } from '#core/detect/detection.ts';
import { runAndDeliver } from '#core/detect/run-and-deliver.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { ScriptedEngine, scriptedDetection } from '../support/scripted-detections.ts';

const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);

const row = (user: string) => ({ first_seen: '2024-05-06T06:00:00.000Z', last_seen: '2024-05-06T06:30:00.000Z', user_email: user });

const [A, B, C] = ['zoom.test.a', 'zoom.test.b', 'zoom.test.c'].map((id) => scriptedDetection(id)) as [
  ScheduledDetection,
  ScheduledDetection,
  ScheduledDetection,
];

describe('runAndDeliver', () => {
  it("delivers each detection's alerts and counts its notified ones", async () => {
    const delivery = new MemoryAlertDelivery();
    await delivery.deliver((await runAndDeliver(new ScriptedEngine({ [A.id]: [row('ann@x.example')] }), new MemoryAlertDelivery(), [A], NOW)).alerts);
    const pass = await runAndDeliver(
      new ScriptedEngine({ [A.id]: [row('ann@x.example'), row('bo@x.example')], [B.id]: [row('cy@x.example')] }),
      delivery,
      [A, B, C],
      NOW,
    );
    expect(pass.alerts.map((a) => [a.detection_id, a.entities.user_email])).toEqual([
      [A.id, 'ann@x.example'],
      [A.id, 'bo@x.example'],
      [B.id, 'cy@x.example'],
    ]);
    expect(pass.delivered.map((d) => d.outcome)).toEqual(['suppressed', 'notified', 'notified']);
    expect(pass.summary).toEqual({
      now: '2024-05-06T07:08:09.000Z',
      alerts: 3,
      failed: 0,
      detections: [
        { detection: A.id, ok: true, alerts: 2, notified: 1, rows: 2, alertIds: pass.alerts.slice(0, 2).map((a) => a.alert_id) },
        { detection: B.id, ok: true, alerts: 1, notified: 1, rows: 1, alertIds: [pass.alerts[2]?.alert_id] },
        { detection: C.id, ok: true, alerts: 0, notified: 0, rows: 0, alertIds: [] },
      ],
    });
  });

  it('reports a failed query in its detection and still delivers the others', async () => {
    const delivery = new MemoryAlertDelivery();
    const pass = await runAndDeliver(
      new ScriptedEngine({ [A.id]: new Error('TABLE_NOT_FOUND'), [B.id]: [row('cy@x.example')] }),
      delivery,
      [A, B],
      NOW,
    );
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([B.id]);
    expect(pass.summary).toMatchObject({
      alerts: 1,
      failed: 1,
      detections: [
        { detection: A.id, ok: false, alerts: 0, error: 'TABLE_NOT_FOUND' },
        { detection: B.id, ok: true },
      ],
    });
  });

  it('fails the detections whose alerts a failed delivery carried, not the ones without alerts, and throws nothing', async () => {
    const delivery = new MemoryAlertDelivery();
    delivery.failNext = new Error('PutEvents failed: ThrottlingException');
    const pass = await runAndDeliver(new ScriptedEngine({ [A.id]: [row('ann@x.example')] }), delivery, [A, C], NOW);
    expect(pass.delivered).toEqual([]);
    expect(pass.summary).toMatchObject({
      alerts: 0,
      failed: 1,
      detections: [
        { detection: A.id, ok: false, alerts: 1, notified: 0, error: 'delivery failed: PutEvents failed: ThrottlingException' },
        { detection: C.id, ok: true, alerts: 0 },
      ],
    });
  });

  it('fails only the detection whose delivery failed: the next detection is still delivered', async () => {
    const delivery = new MemoryAlertDelivery();
    delivery.failNext = new Error('alert failed validation');
    const pass = await runAndDeliver(new ScriptedEngine({ [A.id]: [row('ann@x.example')], [B.id]: [row('cy@x.example')] }), delivery, [A, B], NOW);
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([B.id]);
    expect(pass.alerts.map((a) => a.detection_id)).toEqual([B.id]);
    expect(pass.delivered.map((d) => d.outcome)).toEqual(['notified']);
    expect(pass.summary).toMatchObject({
      alerts: 1,
      failed: 1,
      detections: [
        { detection: A.id, ok: false, alerts: 1, notified: 0, error: 'delivery failed: alert failed validation' },
        { detection: B.id, ok: true, alerts: 1, notified: 1 },
      ],
    });
  });

  it('does not call delivery when nothing was found', async () => {
    const delivery = new MemoryAlertDelivery();
    delivery.failNext = new Error('must not be called');
    const pass = await runAndDeliver(new ScriptedEngine({}), delivery, [A, B], NOW);
    expect(pass.summary.failed).toBe(0);
    expect(delivery.failNext).toBeDefined();
  });
});
