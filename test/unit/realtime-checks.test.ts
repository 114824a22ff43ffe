import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { REALTIME_IDS as D } from '#core/realtime/catalog.ts';
import { processRealtimeBody, processRealtimeDetail, type RealtimeDeps } from '#core/realtime/process.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';
import { T0, joinEvent, settingsEvent, userEvent } from '../support/webhook-bodies.ts';
import { CASES, REALTIME_TEST_CONFIG, alice, guests } from '../support/realtime-cases.ts';

const CONFIG = parseConfig(REALTIME_TEST_CONFIG);
const REGISTRY = loadRegistry(CONFIG.detections);

function setup() {
  const clock = new FakeClock(T0 + 5_000);
  const delivery = new MemoryAlertDelivery();
  const state = new MemoryStateStore(clock);
  const deps: RealtimeDeps = {
    state,
    bodies: new MemoryObjectStore(),
    delivery,
    clock,
    registry: REGISTRY,
    settings: compileSettings({ ...CONFIG, ...CONFIG.realtime }),
  };
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
    [
      'a signed-in external',
      [
        joinEvent({ uuid: 'b1', name: 'Eve', email: 'Eve@Evil.test', id: 'x1', topic: 'Board Q3', at: T0 - 1_000 }),
        joinEvent({ uuid: 'b2', name: 'Eve', email: 'Eve@Evil.test', id: 'x1', topic: 'Board Q4' }),
      ],
      'eve@evil.test',
    ],
    ['an unauthenticated guest without email', [joinEvent({ name: ' Zoë Smith ', topic: 'Board Q4' })], 'guest:zoë smith'],
  ])('keys %s in a sensitive meeting as the scheduled detection does', async (_n, bodies, key) => {
    const { delivery, send } = setup();
    for (const body of bodies) await send(body);
    expect(delivery.notified.map((a) => a.dedup_key)).toEqual([key]);
  });

  it('treats a join before the host as a join and a wait for the host as a waiting-room join; a risk alert raises its own warning', async () => {
    const { delivery, send } = setup();
    // Shaped like Zoom's samples: no email, no IP, no join time; participant.id only when signed in.
    const beforeHost = (event: string, uuid: string, participant: object) =>
      webhookBody({
        event,
        eventTs: T0,
        payload: { account_id: 'acc', object: { id: '81234567890', uuid, host_id: 'host-1', topic: 'Board Q4', type: 2, duration: 60, participant } },
      });
    expect((await send(beforeHost('meeting.participant_jbh_joined', 'j1', { user_name: 'Zoë Smith', customer_key: 'ck' }))).status).toBe('processed');
    expect((await send(beforeHost('webinar.participant_jbh_waiting', 'j2', { id: 'unknown-zoom-user', user_name: 'Visitor' }))).status).toBe(
      'processed',
    );
    const risk = webhookBody({
      event: 'meeting.risk_alert',
      eventTs: T0,
      payload: {
        account_id: 'acc',
        object: { id: 1, uuid: 'j3', host_id: 'host-1', host_email: 'h@example.com', armn_details: { meeting_url: 'https://zoom.us/j/1?pwd=x' } },
      },
    });
    expect((await send(risk)).status).toBe('processed');
    expect(delivery.notified.map((a) => [a.detection_id, a.dedup_key]).sort()).toEqual(
      [
        [D.externalInSensitiveMeeting, 'guest:zoë smith'],
        [D.waitingRoomUnknownExternal, expect.stringContaining('j2')],
        ['zoom.meeting.risk_alert', '1||warning'],
      ].sort(),
    );
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
    for (const body of guests(8, { ip: (i) => `198.51.100.${i}` })) {
      await send(body);
      await send(body);
    }
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([D.joinBurst]);
    expect(await state.query('rt#meeting#inst-1==', 'ipjoin#')).toHaveLength(8);
    expect(delivery.notified[0]!.evidence[0]).toMatchObject({ peak_distinct_ips: 4, first_seen: new Date(T0).toISOString() });
  });

  it('fires on the join that completes a window, from joins delivered out of order', async () => {
    const { delivery, send } = setup();
    const joins = guests(4, { ip: (i) => `198.51.100.${i}` });
    for (const body of [joins[3]!, joins[0]!, joins[2]!]) await send(body);
    expect(delivery.notified).toEqual([]);
    await send(joins[1]!);
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([D.joinBurst]);
  });

  it('runs the checks again when delivery failed, without counting the join twice', async () => {
    const { delivery, send, state } = setup();
    const events = guests(4, { ip: (i) => `198.51.100.${i}` });
    for (const body of events.slice(0, 3)) await send(body);
    delivery.failNext = new Error('bus down');
    await expect(send(events[3]!)).rejects.toThrow('bus down');
    expect((await send(events[3]!)).status).toBe('processed');
    expect(delivery.notified.map((a) => a.detection_id)).toEqual([D.joinBurst]);
    expect(await state.query('rt#meeting#inst-1==', 'ipjoin#')).toHaveLength(4);
  });

  it("judges a join against the account state at the join's own time, not at delivery", async () => {
    const { delivery, send } = setup();
    await send(userEvent('user.deactivated', 'bob@example.com', { id: 'u-bob', at: T0 }));
    await send(joinEvent({ uuid: 'early', name: 'Bob B', email: 'bob@example.com', id: 'u-bob', at: T0 - 3_600_000 }));
    expect(delivery.notified).toEqual([]);
    await send(joinEvent({ uuid: 'late', name: 'Bob B', email: 'bob@example.com', id: 'u-bob', at: T0 + 60_000 }));
    expect(delivery.notified.map((a) => [a.detection_id, a.entities.meeting_uuid])).toEqual([[D.joinAfterDeactivation, 'late']]);
    expect(delivery.notified[0]!.evidence[0]).toMatchObject({ deactivated_at: new Date(T0).toISOString() });
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
    ['taken before the current owner started: taken over at once', -1, 'processed'],
    ['taken after the current owner started: still in flight', 0, 'retry'],
  ])('a claim %s', async (_n, claimOffsetMs, status) => {
    const { clock, deps, state } = setup();
    const body = settingsEvent({ in_meeting: { waiting_room: false } }, undefined);
    const { createHash } = await import('node:crypto');
    const pk = `rt#event#${createHash('sha256').update(body).digest('hex')}`;
    await state.put({ pk, sk: 'claim', attrs: { state: 'processing', claimed_at: clock.now() + claimOffsetMs } });
    const owned = { ...deps, claimsStaleBefore: clock.now() };
    expect((await processRealtimeBody(body, clock.now(), owned)).status).toBe(status);
  });

  it.each([
    ['a malformed detail', { nope: true }, { status: 'rejected', reason: 'detail_malformed' }],
    ['a body that is not an envelope', { receivedAt: T0, body: '[1]' }, { status: 'rejected', reason: 'not_envelope' }],
    [
      'an event the checks ignore',
      { receivedAt: T0, body: '{"event":"meeting.sharing_started","payload":{}}' },
      { status: 'ignored', event: 'meeting.sharing_started' },
    ],
    [
      'a body reference not stored yet',
      { receivedAt: T0, bodyRef: { key: 'webhook-bodies/dt=2026-11-25/x.json', sha256: 'a'.repeat(64), bytes: 3 } },
      { status: 'retry', reason: 'body_missing' },
    ],
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
