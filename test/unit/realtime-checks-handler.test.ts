import { describe, expect, it } from 'vitest';
import { compileSettings } from '#core/realtime/config.ts';
import { fromEnv, makeHandler } from '../../lambdas/handlers/realtime-checks.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';
import { T0, joinEvent, settingsEvent } from '../support/webhook-bodies.ts';
import { REGISTRY } from '../support/registry.ts';

const message = (id: string, body: string) => ({
  messageId: id,
  body: JSON.stringify({ source: 'zoomlake.webhook', 'detail-type': 'x', detail: { receivedAt: T0, body } }),
});

function setup() {
  const clock = new FakeClock(T0);
  const delivery = new MemoryAlertDelivery();
  const log = new RecordingLog();
  const handler = makeHandler(
    {
      state: new MemoryStateStore(clock),
      bodies: new MemoryObjectStore(),
      delivery,
      clock,
      registry: REGISTRY,
      settings: compileSettings({
        meetingStateHours: 72,
        idempotencyHours: 48,
        internalDomains: ['example.com'],
        sensitiveMeetingPatterns: ['board'],
        watchedUsers: [],
        minClientVersion: '6.0.0',
        supportNames: [],
      }),
    },
    log,
  );
  return { handler, delivery, log, lines: log.lines };
}

describe('realtime-checks handler', () => {
  it('processes a batch in order, reporting unreadable and malformed items as failures and logging no payload', async () => {
    const { handler, delivery, log, lines } = setup();
    const weak = settingsEvent({ in_meeting: { waiting_room: false } }, undefined);
    const result = await handler({
      Records: [
        message('1', weak),
        message('2', weak),
        { messageId: '3', body: 'not json' },
        { messageId: '4', body: JSON.stringify({ source: 'zoomlake.webhook', 'detail-type': 'x', detail: { receivedAt: T0 } }) },
        message('5', joinEvent({ name: 'Eve', topic: 'Board' })),
      ],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '3' }, { itemIdentifier: '4' }]);
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([
      'zoom.operation.security_setting_weakened',
      'zoom.participant.external_in_sensitive_meeting',
    ]);
    expect(JSON.parse(lines[0]!)).toEqual({
      records: 5,
      alertsNotified: 2,
      failed: 2,
      outcomes: { processed: 2, duplicate: 1, 'rejected:message_not_json': 1, 'rejected:detail_malformed': 1 },
    });
    expect(log.levels()).toEqual(['ERROR']);
    expect(log.text()).not.toContain('Eve');
  });

  it('fails the item when delivery throws, so the queue retries it', async () => {
    const { handler, delivery } = setup();
    delivery.failNext = new Error('bus down');
    const result = await handler({ Records: [message('1', settingsEvent({ in_meeting: { waiting_room: false } }, undefined))] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1' }]);
  });

  it.each([
    ['without the settings', { DETECTIONS_SHA256: 'a'.repeat(64) }, 'REALTIME_SETTINGS'],
    ['without the registry hash', { REALTIME_SETTINGS: '{}' }, 'DETECTIONS_SHA256'],
  ])('refuses an environment %s', (_n, extra, field) => {
    expect(() => fromEnv({ STATE_TABLE_NAME: 't', LAKE_BUCKET_NAME: 'b', ALERT_BUS_NAME: 'a', ...extra })).toThrow(field);
  });

  it('refuses a registry file that is not the one it was deployed with', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'zoomlake-bundle-')), 'detections.json');
    writeFileSync(file, '{"version":2,"detections":[],"queries":{}}');
    const env = { STATE_TABLE_NAME: 't', LAKE_BUCKET_NAME: 'b', ALERT_BUS_NAME: 'a', REALTIME_SETTINGS: '{}', DETECTIONS_SHA256: 'a'.repeat(64) };
    expect(() => fromEnv(env, file)).toThrow(/was deployed with a{64}: redeploy/);
  });
});
