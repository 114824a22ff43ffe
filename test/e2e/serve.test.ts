import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { main } from '#local/cli/main.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '#local/pipeline/webhook-server.ts';

const SECRET = 'local-test-secret';
const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(dir = mkdtempSync(join(tmpdir(), 'zoomlake-serve-')), maxBodyBytes = 64 * 1024) {
  const rt = makeLocalRuntime(parseConfig({}), dir);
  const pipeline = rt.webhookPipeline();
  await pipeline.recover();
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock: rt.clock,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 60_000,
    receiver: { replayWindowSeconds: 5_400, maxBodyBytes, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
  });
  servers.push(server);
  return { rt, server, dir };
}

function post(url: string, body: string, opts: { secret?: string; ts?: number } = {}) {
  const ts = String(Math.floor((opts.ts ?? Date.now()) / 1000));
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature': zoomSignature(opts.secret ?? SECRET, ts, Buffer.from(body, 'utf8')),
    },
    body,
  });
}

const joined = (name: string, email: string, at: string) =>
  webhookBody({
    event: 'meeting.participant_joined',
    eventTs: Date.parse(at),
    payload: {
      account_id: 'acc',
      object: {
        id: '81234567890',
        uuid: 'inst-1==',
        host_id: 'h1',
        topic: 'Board sync',
        type: 2,
        participant: { user_id: '16778240', user_name: name, id: '', participant_uuid: `p-${name}`, join_time: at, email, public_ip: '203.0.113.9' },
      },
    },
  });

describe('zoomlake serve', () => {
  it('lands posted events in the lake, typed rows included, each delivery read once', async () => {
    const { rt, server } = await start();
    const a = joined('Zoë Ñúñez 日本', '', '2026-11-25T10:00:00Z');
    expect((await post(server.url, a)).status).toBe(200);
    expect((await post(server.url, a)).status).toBe(200); // Zoom's retry of the same delivery
    expect((await post(server.url, joined('Sam', 'sam@example.com', '2026-11-25T10:01:00Z'))).status).toBe(200);
    await server.flush();
    const engine = await rt.openQueryEngine();
    try {
      const raw = await engine.query('SELECT count(*) AS n FROM webhook_events_raw');
      const events = await engine.query('SELECT count(*) AS n FROM webhook_events');
      const typed = await engine.query('SELECT user_name, email, public_ip, meeting_id FROM participant_events ORDER BY event_time');
      expect([Number(raw.rows[0]!.n), Number(events.rows[0]!.n)]).toEqual([3, 2]);
      expect(typed.rows).toEqual([
        { user_name: 'Zoë Ñúñez 日本', email: null, public_ip: '203.0.113.9', meeting_id: '81234567890' },
        { user_name: 'Sam', email: 'sam@example.com', public_ip: '203.0.113.9', meeting_id: '81234567890' },
      ]);
    } finally {
      engine.close();
    }
  });

  it.each([
    ['a forged signature', (url: string) => post(url, joined('x', '', '2026-11-25T10:00:00Z'), { secret: 'wrong' }), 401],
    ['a replayed old request', (url: string) => post(url, joined('x', '', '2026-11-25T10:00:00Z'), { ts: Date.now() - 2 * 3600_000 }), 401],
    ['a body that is not JSON', (url: string) => post(url, '{"event":'), 400],
    ['an oversized body', (url: string) => post(url, JSON.stringify({ event: 'x.y', pad: 'p'.repeat(70_000) })), 413],
    ['a GET on the webhook path', (url: string) => fetch(url), 405],
  ])('answers %s with %i and stores nothing', async (_name, send, status) => {
    const { rt, server } = await start();
    expect((await send(server.url)).status).toBe(status);
    await server.flush();
    expect(await rt.store.list('zoom/')).toEqual([]);
  });

  it('answers url_validation and /healthz', async () => {
    const { server } = await start();
    const res = await post(server.url, webhookBody({ event: 'endpoint.url_validation', eventTs: Date.now(), payload: { plainToken: 'tok' } }));
    expect(await res.json()).toEqual({ plainToken: 'tok', encryptedToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const health = await fetch(server.url.replace('/zoom/webhook', '/healthz'));
    expect(health.status).toBe(200);
  });

  it('recovers accepted events a crashed server had not written yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-serve-'));
    const rt = makeLocalRuntime(parseConfig({}), dir);
    const crashed = rt.webhookPipeline();
    await crashed.publish([
      {
        source: 'zoomlake.webhook',
        detailType: 'meeting.started',
        detail: {
          receivedAt: Date.now(),
          body: webhookBody({ event: 'meeting.started', eventTs: Date.UTC(2026, 10, 25), payload: { object: { id: 5 } } }),
        },
      },
    ]);
    // No flush: the process "dies" here. A new server recovers the spool on start.
    const { server } = await start(dir);
    await server.flush();
    const engine = await rt.openQueryEngine();
    try {
      expect((await engine.query("SELECT object_id FROM webhook_events WHERE event = 'meeting.started'")).rows).toEqual([{ object_id: '5' }]);
    } finally {
      engine.close();
    }
  });

  it('refuses to start without the webhook secret, naming the variable', async () => {
    let err = '';
    const code = await main(['serve', '--port', '0', '--dir', mkdtempSync(join(tmpdir(), 'zoomlake-serve-'))], {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
      env: {},
      untilStopped: async () => undefined,
    });
    expect(code).toBe(2);
    expect(err).toContain('ZOOM_WEBHOOK_SECRET_TOKEN');
  });

  it('serve then hunt through the CLI shows the posted event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-serve-'));
    let out = '';
    let stop: () => void = () => undefined;
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        out += t;
      },
      env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
      untilStopped: () =>
        new Promise<void>((resolve) => {
          stop = resolve;
        }),
    };
    const serving = main(['serve', '--port', '0', '--dir', dir], io);
    for (let i = 0; i < 100 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (\S+)/.exec(out)![1]!;
    expect((await post(url, joined('Dana', 'dana@example.com', '2026-11-25T09:00:00Z'))).status).toBe(200);
    stop();
    expect(await serving).toBe(0);
    let hunted = '';
    await main(['hunt', '--json', '--dir', dir, 'SELECT user_name FROM participant_events'], {
      ...io,
      out: (t) => {
        hunted += t;
      },
    });
    expect(hunted.trim()).toBe('{"user_name":"Dana"}');
  });
});
