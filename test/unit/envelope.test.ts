import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normaliseEpoch } from '#core/lake/cell-coercion.ts';
import { EnvelopeError, eventTimeOf, parseEnvelope, storedBody, webhookEventRow } from '#core/webhook/envelope.ts';

const RECEIVED = Date.UTC(2024, 2, 3, 4, 5, 6);

describe('parseEnvelope', () => {
  it.each([
    ['not JSON', '{"event":', 'body is not valid JSON'],
    ['a JSON array', '[1,2]', 'body is not a JSON object'],
    ['no event', '{"payload":{}}', 'body has no "event" name'],
    ['a blank event', '{"event":"  "}', 'body has no "event" name'],
    ['a non-object payload', '{"event":"x.y","payload":[]}', '"payload" is not an object'],
  ])('rejects %s', (_name, body, message) => {
    expect(() => parseEnvelope(body)).toThrow(new EnvelopeError(message));
  });

  it('never echoes the body in its error', () => {
    const secret = 'ssn-123-45-6789';
    const error = (() => {
      try {
        parseEnvelope(`{"event": 1, "x": "${secret}"}`);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain(secret);
  });

  it.each([
    ['bytes', new TextEncoder().encode('{"event":"meeting.started","event_ts":1700000000000,"payload":{"account_id":"a"}}')],
    ['a string', '{"event":"meeting.started","event_ts":1700000000000,"payload":{"account_id":"a"}}'],
  ])('parses %s', (_name, body) => {
    expect(parseEnvelope(body)).toEqual({ event: 'meeting.started', eventTs: 1_700_000_000_000, payload: { account_id: 'a' } });
  });

  it.each([
    ['a numeric string', '"1641884378841"', 1_641_884_378_841],
    ['seconds', '1641884378', 1_641_884_378_000],
    ['an impossible year (1979)', '"290112312321"', undefined],
    ['text', '"yesterday"', undefined],
    ['null', 'null', undefined],
  ])('keeps a verified event whose event_ts is %s', (_name, ts, expected) => {
    expect(parseEnvelope(`{"event":"workspace.created","event_ts":${ts},"payload":{}}`).eventTs).toBe(expected);
  });

  it('accepts an unknown event type and a missing payload', () => {
    expect(parseEnvelope('{"event":"brand.new_thing"}')).toEqual({ event: 'brand.new_thing', payload: {} });
  });
});

describe('normaliseEpoch', () => {
  it.each([
    [1_700_000_000, 1_700_000_000_000],
    [1_700_000_000_123, 1_700_000_000_123],
    [1_700_000_000.5, 1_700_000_000_500],
  ])('%d -> %d ms', (v, ms) => {
    expect(normaliseEpoch(v)).toBe(ms);
  });
});

describe('eventTimeOf', () => {
  it.each([
    ['event_ts first', { event: 'e', eventTs: 1_700_000_000_000, payload: { time_stamp: 1 } }, 1_700_000_000_000],
    ['payload.time_stamp next', { event: 'e', payload: { time_stamp: 1_690_000_000_000 } }, 1_690_000_000_000],
    ['object.date_time next', { event: 'e', payload: { object: { date_time: '2019-09-10T14:36:10Z' } } }, Date.UTC(2019, 8, 10, 14, 36, 10)],
    ['epoch seconds in time_stamp', { event: 'e', payload: { time_stamp: 1_690_000_000 } }, 1_690_000_000_000],
    ['receipt time when the payload time is garbage', { event: 'e', payload: { object: { date_time: 'garbage' } } }, RECEIVED],
    ['receipt time when the payload time is implausible', { event: 'e', payload: { time_stamp: '1979-03-11T00:00:00Z' } }, RECEIVED],
  ])('takes %s', (_name, env, expected) => {
    expect(eventTimeOf(env, RECEIVED)).toBe(expected);
  });
});

describe('webhookEventRow', () => {
  it('keeps a body without credentials byte for byte, with its hash and ids as strings', () => {
    const raw =
      '{"event":"recording.deleted","event_ts":1700000000000,"payload":{"account_id":"acc","operator":"o@x.com","operator_id":"op1","object":{"id":81234567890,"uuid":"/ab//c=="}}}\n';
    const row = webhookEventRow(storedBody(raw), parseEnvelope(raw), RECEIVED, 'trk');
    expect(row).toEqual({
      event: 'recording.deleted',
      event_ts: 1_700_000_000_000,
      event_time: 1_700_000_000_000,
      received_at: RECEIVED,
      account_id: 'acc',
      object_id: '81234567890',
      object_uuid: '/ab//c==',
      operator: 'o@x.com',
      operator_id: 'op1',
      tracking_id: 'trk',
      payload_sha256: createHash('sha256').update(raw, 'utf8').digest('hex'),
      raw,
    });
  });

  it('stores the masked body with the hash of the original, the same whether masked once or twice', () => {
    const raw = '{"event":"recording.completed","payload":{"object":{"id":1,"password":"Pa55"}},"download_token":"eyJtok.en"}';
    const once = storedBody(raw);
    expect(once.text).toBe('{"event":"recording.completed","payload":{"object":{"id":1,"password":"[redacted]"}},"download_token":"[redacted]"}');
    expect(once.sha256).toBe(createHash('sha256').update(raw, 'utf8').digest('hex'));
    expect(storedBody(once.text, once.sha256)).toEqual(once);
    const row = webhookEventRow(once, parseEnvelope(once.text), RECEIVED);
    expect(row).toMatchObject({ raw: once.text, payload_sha256: once.sha256 });
  });
});
