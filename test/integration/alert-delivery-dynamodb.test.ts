import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { alertId, type Alert } from '#core/alerts/alert.ts';
import { SuppressingAlertDelivery, suppressionKey } from '#core/alerts/suppressing-delivery.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent } from '#core/ports.ts';
import { closeServer, createStateTable, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

let server: Server;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  client = new DynamoDBClient(loopbackClientConfig(await listenOnLoopback(server)));
  await createStateTable(client, 'state');
});

afterAll(async () => {
  client.destroy();
  await closeServer(server);
});

const T0 = Date.UTC(2026, 10, 20, 12);
const alert = (source: Alert['source'], dedup: string): Alert => ({
  alert_id: alertId('zoom.participant.join_after_deactivation', dedup, T0, 86_400_000),
  detection_id: 'zoom.participant.join_after_deactivation',
  title: 'Join after deactivation',
  severity: 'high',
  source,
  first_seen: new Date(T0).toISOString(),
  last_seen: new Date(T0).toISOString(),
  dedup_key: dedup,
  entities: { user_email: dedup },
  evidence: [],
  mitre: ['T1078'],
  runbook: 'r',
});

describe('SuppressingAlertDelivery over DynamoDB (dynalite)', () => {
  it('notifies once when scheduled and realtime deliveries of one alert race, counting every raise', async () => {
    const clock = new FakeClock(T0);
    const state = new DynamoStateStore('state', clock, client);
    const events: BusEvent[] = [];
    const store = new MemoryObjectStore();
    const delivery = new SuppressingAlertDelivery({
      state,
      clock,
      windows: { byDetection: {} },
      publisher: {
        publish: async (e) => {
          events.push(...e);
        },
      },
      newWriter: (writerId) => new LakeWriter({ store, clock, newId: () => String(store.objects.size), writerId }),
    });
    const dedup = 'gone@acme.example';
    const results = (
      await Promise.all(Array.from({ length: 8 }, (_, i) => delivery.deliver([alert(i % 2 ? 'realtime' : 'scheduled', dedup)])))
    ).flat();
    expect(results.filter((r) => r.outcome === 'notified')).toHaveLength(1);
    expect(events).toHaveLength(1);
    const key = suppressionKey('zoom.participant.join_after_deactivation', dedup);
    expect((await state.get(key.pk, key.sk))?.attrs.count).toBe(8);
    expect((await state.get(key.pk, key.sk))?.expiresAt).toBe((T0 + 86_400_000) / 1000);
  });
});
