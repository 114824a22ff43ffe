import { describe, expect, it } from 'vitest';
import { REALTIME_DETECTIONS as D } from '#core/realtime/catalog.ts';
import { processRealtimeBody, processRealtimeDetail, type RealtimeDeps } from '#core/realtime/process.ts';
import { compileSettings, DEFAULT_THRESHOLDS, type RealtimeSettings } from '#core/realtime/settings.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';
import { T0, joinEvent, settingsEvent } from '../support/realtime-bodies.ts';
import { CASES, alice, guests } from '../support/realtime-cases.ts';

const SETTINGS: RealtimeSettings = {
  ...DEFAULT_THRESHOLDS,
  internalDomains: ['example.com'],
  sensitiveMeetingPatterns: ['board', 'm&a|merger'],
  watchedUsers: ['ceo@example.com'],
  minClientVersion: '6.0.0',
  burstParticipantsPerMinute: 5,
  burstIpsPerMinute: 3,
};

function setup(settings: RealtimeSettings = SETTINGS) {
  const clock = new FakeClock(T0 + 5_000);
  const delivery = new MemoryAlertDelivery();
  const state = new MemoryStateStore(clock);
  const deps: RealtimeDeps = { state, bodies: new MemoryObjectStore(), delivery, clock, settings: compileSettings(settings) };
  const send = (body: string) => processRealtimeBody(body, clock.now(), deps);
  return { clock, delivery, state, deps, send };
}

describe('realtime checks', () => {
  it.each(CASES)('$name', async ({ setup: scene = [], events, expect: expected }) => {
    const { delivery, send } = setup();
    for (const body of scene) expect((await send(body)).status).toBe('processed');
    for (const body of events) {
      expect((await send(body)).status).toBe('processed');
      expect((await send(body)).status).toBe('duplicate');
    }
    expect(delivery.notified.map((a) => a.detection_id).sort()).toEqual([...expected].sort());
    for (const a of delivery.notified) expect(a.source).toBe('realtime');
  });

  it.each([
    ['a signed-in external', joinEvent({ name: 'Eve', email: 'Eve@Evil.test', id: 'x1', topic: 'Board Q4' }), 'eve@evil.test'],
    ['an unauthenticated guest without email', joinEvent({ name: ' Zoë Smith ', topic: 'Board Q4' }), 'guest:zoë smith'],
  ])('keys %s in a sensitive meeting as the scheduled detection does', async (_n, body, key) => {
    const { delivery, send } = setup();
    await send(body);
    expect(delivery.notified.map((a) => a.dedup_key)).toEqual([key]);
  });

  it('keys a weakened setting by operator and setting name, merging paths of one setting', async () => {
    const { delivery, send } = setup();
    await send(settingsEvent({ in_meeting: { waiting_room: false }, meeting_security: { waiting_room: false } }, {}));
    expect(delivery.notified.map((a) => [a.dedup_key, a.evidence[0]!.details])).toEqual([
      ['admin@example.com|waiting_room', 'in_meeting.waiting_room: (not sent) -> false | meeting_security.waiting_room: (not sent) -> false'],
    ]);
  });

  it('names the impersonated user and the meeting in the alert', async () => {
    const { delivery, send } = setup();
    await send(alice);
    await send(joinEvent({ uuid: 'inst-9', name: 'Alice Anders', ip: '203.0.113.5' }));
    const [alert] = delivery.notified;
    expect(alert?.dedup_key).toBe('inst-9|Alice Anders||alice@example.com');
    expect(alert?.entities).toEqual({ user_name: 'Alice Anders', meeting_id: '81234567890', meeting_uuid: 'inst-9', ip_address: '203.0.113.5' });
  });

  it('raises a burst once per meeting however many joins follow, and counts a redelivered join once', async () => {
    const { delivery, send, state } = setup();
    for (const body of guests(8)) {
      await send(body);
      await send(body);
    }
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([D.joinBurst.id]);
    const minute = Math.floor(T0 / 60_000);
    expect((await state.get('rt#meeting#inst-1==', `burst#${minute}`))?.attrs.participants).toBe(8);
  });

  it('runs the checks again when delivery failed, without counting the join twice', async () => {
    const { delivery, send, state } = setup();
    const events = guests(6);
    for (const body of events.slice(0, 5)) await send(body);
    delivery.failNext = new Error('bus down');
    await expect(send(events[5]!)).rejects.toThrow('bus down');
    expect((await send(events[5]!)).status).toBe('processed');
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([D.joinBurst.id]);
    expect((await state.get('rt#meeting#inst-1==', `burst#${Math.floor(T0 / 60_000)}`))?.attrs.participants).toBe(6);
  });

  it('asks for a retry while another delivery of the same event is in flight, and takes over a stale claim', async () => {
    const { clock, send, state } = setup();
    const body = settingsEvent({ in_meeting: { waiting_room: false } }, undefined);
    const { createHash } = await import('node:crypto');
    const pk = `rt#event#${createHash('sha256').update(body).digest('hex')}`;
    await state.put({ pk, sk: 'claim', attrs: { state: 'processing', claimed_at: clock.now() } });
    expect(await send(body)).toEqual({ status: 'retry', reason: 'in_progress' });
    clock.advance(5 * 60_000);
    expect((await send(body)).status).toBe('processed');
  });

  it.each([
    ['a malformed detail', { nope: true }, { status: 'rejected', reason: 'detail_malformed' }],
    ['a body that is not an envelope', { receivedAt: T0, body: '[1]' }, { status: 'rejected', reason: 'not_envelope' }],
    ['an event the checks ignore', { receivedAt: T0, body: '{"event":"meeting.sharing_started","payload":{}}' }, { status: 'ignored', event: 'meeting.sharing_started' }],
    ['a body reference not stored yet', { receivedAt: T0, bodyRef: { key: 'webhook-bodies/dt=2026-11-25/x.json', sha256: 'a'.repeat(64), bytes: 3 } }, { status: 'retry', reason: 'body_missing' }],
  ])('answers %s', async (_n, detail, outcome) => {
    const { deps } = setup();
    expect(await processRealtimeDetail(detail, deps)).toEqual(outcome);
  });

  it('reads a body published by reference', async () => {
    const { deps, delivery } = setup();
    const body = settingsEvent({ in_meeting: { waiting_room: false } }, undefined);
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = `webhook-bodies/dt=2026-11-25/${sha256}.json`;
    await deps.bodies.put(key, Buffer.from(body));
    expect((await processRealtimeDetail({ receivedAt: T0, bodyRef: { key, sha256, bytes: body.length } }, deps)).status).toBe('processed');
    expect(delivery.notified).toHaveLength(1);
  });
});
