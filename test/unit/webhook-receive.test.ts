import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { receiveWebhook, type ReceiverDeps, type WebhookHttpRequest } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const SECRET = 'test-secret-token';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const TS = String(NOW / 1000);

class RecordingBus implements EventPublisher {
  readonly events: BusEvent[] = [];
  fail = false;
  async publish(events: readonly BusEvent[]): Promise<void> {
    if (this.fail) throw new StorageError('injected publish failure', true);
    this.events.push(...events);
  }
}

function setup(overrides: Partial<ReceiverDeps['options']> = {}) {
  const bus = new RecordingBus();
  const bodies = new MemoryObjectStore();
  const deps: ReceiverDeps = {
    publisher: bus,
    bodies,
    clock: { now: () => NOW },
    secret: async () => SECRET,
    options: { replayWindowSeconds: 5_400, maxBodyBytes: 64 * 1024, inlineBodyBytes: 8 * 1024, ...overrides },
  };
  return { bus, bodies, deps };
}

function signed(body: string | Uint8Array, headers: Record<string, string> = {}): WebhookHttpRequest {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers: { 'x-zm-signature': zoomSignature(SECRET, TS, bytes), 'x-zm-request-timestamp': TS, ...headers } };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const event = (name: string, top: Record<string, unknown> = {}) =>
  webhookBody({ event: name, eventTs: NOW - 1000, payload: { account_id: 'a', object: { id: 1 } } }, top);

describe('receiveWebhook', () => {
  it('publishes a verified event with its raw body and answers 200 after the bus accepted it', async () => {
    const { bus, deps } = setup();
    const raw = event('meeting.started');
    const result = await receiveWebhook(signed(raw, { 'x-zm-trackingid': 'trk-1' }), deps);
    expect(result).toMatchObject({ status: 200, outcome: 'accepted', event: 'meeting.started' });
    expect(bus.events).toEqual([
      {
        source: 'zoomlake.webhook',
        detailType: 'meeting.started',
        time: NOW,
        detail: { receivedAt: NOW, trackingId: 'trk-1', payloadSha256: sha256(raw), body: raw },
      },
    ]);
  });

  it('verifies the original bytes, then publishes the body with credentials masked and the hash of the original', async () => {
    const { bus, deps } = setup();
    const raw = webhookBody({
      event: 'meeting.created',
      eventTs: NOW - 1000,
      payload: { object: { id: 1, password: 'Pa55-w0rd', join_url: 'https://zoom.us/j/1?pwd=c21EQzg0' } },
    });
    expect((await receiveWebhook(signed(raw), deps)).status).toBe(200);
    const detail = bus.events[0]!.detail as { body: string; payloadSha256: string };
    expect(detail.payloadSha256).toBe(sha256(raw));
    expect(JSON.parse(detail.body)).toEqual({
      event: 'meeting.created',
      event_ts: NOW - 1000,
      payload: { object: { id: 1, password: '[redacted]', join_url: 'https://zoom.us/j/1?pwd=[redacted]' } },
    });
  });

  it('keeps unknown event types', async () => {
    const { bus, deps } = setup();
    expect((await receiveWebhook(signed(event('brand_new.thing')), deps)).status).toBe(200);
    expect(bus.events.map((e) => e.detailType)).toEqual(['brand_new.thing']);
  });

  it('answers url_validation inline with the encrypted token and publishes nothing', async () => {
    const { bus, deps } = setup();
    const result = await receiveWebhook(
      signed(webhookBody({ event: 'endpoint.url_validation', eventTs: NOW, payload: { plainToken: 'abc123' } })),
      deps,
    );
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ plainToken: 'abc123', encryptedToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(bus.events).toEqual([]);
  });

  it.each([
    ['a missing signature', (r: WebhookHttpRequest) => ({ ...r, headers: { 'x-zm-request-timestamp': TS } })],
    ['a forged signature', (r: WebhookHttpRequest) => ({ ...r, headers: { ...r.headers, 'x-zm-signature': 'v0=' + 'a'.repeat(64) } })],
    [
      'a stale timestamp',
      () => {
        const old = String(NOW / 1000 - 5_401);
        const b = new TextEncoder().encode(event('meeting.started'));
        return { body: b, headers: { 'x-zm-signature': zoomSignature(SECRET, old, b), 'x-zm-request-timestamp': old } };
      },
    ],
    ['a body changed after signing', (r: WebhookHttpRequest) => ({ ...r, body: new TextEncoder().encode(event('meeting.deleted')) })],
  ])('answers 401 with no detail and stores nothing for %s', async (_name, mutate) => {
    const { bus, bodies, deps } = setup();
    const result = await receiveWebhook(mutate(signed(event('meeting.started'))), deps);
    expect({ status: result.status, body: result.body }).toEqual({ status: 401, body: '{"error":"unauthorized"}' });
    expect(bus.events).toEqual([]);
    expect(bodies.objects.size).toBe(0);
  });

  it.each([
    ['not JSON', '{"event":"meeting.started",', 'body is not valid JSON'],
    ['JSON but not an envelope', '{"hello":"world"}', 'body has no "event" name'],
    ['url_validation without a token', JSON.stringify({ event: 'endpoint.url_validation', payload: {} }), 'url_validation without plainToken'],
    ['nested 100k levels deep', '['.repeat(100_000) + ']'.repeat(100_000), 'body is not a JSON object'],
  ])('answers 400 to a signed body that is %s', async (_name, raw, reason) => {
    const { bus, deps } = setup({ maxBodyBytes: 1024 * 1024 });
    const result = await receiveWebhook(signed(raw), deps);
    expect(result).toMatchObject({ status: 400, body: '{"error":"invalid body"}', reason });
    expect(bus.events).toEqual([]);
  });

  it('answers 400 to a signed body that is not UTF-8', async () => {
    const { bus, deps } = setup();
    const bytes = new Uint8Array([...new TextEncoder().encode('{"event":"x.y","payload":{"n":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}}')]);
    expect(await receiveWebhook(signed(bytes), deps)).toMatchObject({ status: 400, reason: 'body is not UTF-8' });
    expect(bus.events).toEqual([]);
  });

  it('answers 413 above the size limit without checking the signature', async () => {
    const { bus, deps } = setup({ maxBodyBytes: 100 });
    const result = await receiveWebhook({ body: new Uint8Array(101), headers: {} }, deps);
    expect(result).toMatchObject({ status: 413, outcome: 'too_large' });
    expect(bus.events).toEqual([]);
  });

  it('sends a body larger than a bus entry by reference through the object store', async () => {
    const { bus, bodies, deps } = setup();
    const raw = event('recording.completed', { padding: 'x'.repeat(10_000) });
    expect((await receiveWebhook(signed(raw), deps)).status).toBe(200);
    const detail = bus.events[0]!.detail as { bodyRef: { key: string; sha256: string; bytes: number } };
    expect(detail.bodyRef.key).toMatch(/^webhook-bodies\/dt=2026-11-26\/[0-9a-f]{64}\.json$/);
    expect(Buffer.from(bodies.objects.get(detail.bodyRef.key)!).toString('utf8')).toBe(raw);
    expect(detail).not.toHaveProperty('body');
  });

  it('stores a by-reference body masked: its reference names the stored bytes, payloadSha256 the original', async () => {
    const { bus, bodies, deps } = setup();
    const raw = event('recording.completed', { download_token: 'eyJ.dl-token.sig', padding: 'x'.repeat(10_000) });
    expect((await receiveWebhook(signed(raw), deps)).status).toBe(200);
    const detail = bus.events[0]!.detail as { payloadSha256: string; bodyRef: { key: string; sha256: string; bytes: number } };
    const stored = bodies.objects.get(detail.bodyRef.key)!;
    const text = Buffer.from(stored).toString('utf8');
    expect(text).not.toContain('eyJ.dl-token.sig');
    expect(JSON.parse(text)).toMatchObject({ download_token: '[redacted]' });
    expect(detail.bodyRef).toMatchObject({ sha256: sha256(text), bytes: stored.byteLength });
    expect(detail.payloadSha256).toBe(sha256(raw));
  });

  it('answers 503 when publishing fails, so Zoom retries', async () => {
    const { bus, deps } = setup();
    bus.fail = true;
    expect(await receiveWebhook(signed(event('meeting.started')), deps)).toMatchObject({
      status: 503,
      outcome: 'publish_failed',
      reason: 'StorageError',
    });
  });

  it('answers 503 when the by-reference body cannot be stored, and publishes nothing', async () => {
    const { bus, bodies, deps } = setup();
    bodies.failNext = 1;
    expect((await receiveWebhook(signed(event('recording.completed', { padding: 'x'.repeat(10_000) })), deps)).status).toBe(503);
    expect(bus.events).toEqual([]);
  });

  it('answers 503 when the secret cannot be read', async () => {
    const { deps } = setup();
    const result = await receiveWebhook(signed(event('meeting.started')), {
      ...deps,
      secret: async () => {
        throw new Error('denied');
      },
    });
    expect(result).toMatchObject({ status: 503, outcome: 'secret_unavailable' });
  });

  it('publishes the same detail for a retried delivery, so the lake can de-duplicate it', async () => {
    const { bus, deps } = setup();
    const raw = event('meeting.ended');
    await receiveWebhook(signed(raw), deps);
    await receiveWebhook(signed(raw), deps);
    expect(bus.events[0]!.detail).toEqual(bus.events[1]!.detail);
  });

  it('never returns the secret or the signature in any reply', async () => {
    const { deps } = setup();
    const req = signed(event('meeting.started'));
    for (const r of [req, { ...req, headers: {} }, signed('{')]) {
      const result = await receiveWebhook(r, deps);
      expect(result.body).not.toContain(SECRET);
      expect(result.body).not.toContain(req.headers['x-zm-signature']!.slice(3));
    }
  });
});
