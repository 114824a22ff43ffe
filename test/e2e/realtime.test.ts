import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { makeLocalRealtime } from '#local/pipeline/realtime.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '#local/pipeline/webhook-server.ts';
import { CASES, REALTIME_TEST_CONFIG } from '../support/realtime-cases.ts';
import { T0 } from '../support/webhook-bodies.ts';
import { main } from '#local/cli/main.ts';

const SECRET = 'realtime-test-secret';
const CONFIG = REALTIME_TEST_CONFIG;
const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-realtime-'));
  const rt = makeLocalRuntime(parseConfig(CONFIG), dir);
  const console: string[] = [];
  const realtime = makeLocalRealtime(rt, (line) => console.push(line));
  const server = await startWebhookServer({
    pipeline: rt.webhookPipeline(),
    bodies: rt.store,
    clock: rt.clock,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 60_000,
    receiver: { replayWindowSeconds: 5_400, maxBodyBytes: 256 * 1024, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
    realtime,
  });
  servers.push(server);
  const alerts = () =>
    existsSync(rt.paths.alertsFile)
      ? readFileSync(rt.paths.alertsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { detail: { detection_id: string; source: string } })
      : [];
  return { server, alerts, console, rt };
}

async function post(url: string, body: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(body, 'utf8')),
    },
  });
  expect(res.status).toBe(200);
}

describe('zoomlake serve: realtime checks', () => {
  it.each(CASES)('$name', async ({ setup = [], events, expect: expected }) => {
    const { server, alerts, console } = await start();
    for (const body of setup) await post(server.url, body);
    // Zoom's retry of every delivery: the same signed body again.
    for (const body of events) {
      await post(server.url, body);
      await post(server.url, body);
    }
    await server.flush();
    const raised = alerts().map((a) => a.detail);
    expect(raised.map((a) => a.detection_id).sort()).toEqual([...expected].sort());
    expect(raised.every((a) => a.source === 'realtime')).toBe(true);
    expect(console.filter((l) => l.startsWith('ALERT '))).toHaveLength(expected.length);
  });

  it('writes notified alerts to the alerts table too', async () => {
    const { server, rt } = await start();
    const c = CASES.find((x) => x.name === 'signed-in external joins a second board meeting')!;
    for (const body of [...(c.setup ?? []), ...c.events]) await post(server.url, body);
    await server.flush();
    const engine = await rt.openQueryEngine();
    try {
      expect((await engine.query('SELECT detection_id, alert_source, dedup_key FROM alerts')).rows).toEqual([
        { detection_id: 'zoom.participant.external_in_sensitive_meeting', alert_source: 'realtime', dedup_key: 'eve@evil.test' },
      ]);
    } finally {
      engine.close();
    }
  });
});

describe('one finding raised in real time and by its scheduled detection', () => {
  it.each([
    ['deactivated user joins', 'zoom.participant.join_after_deactivation'],
    ['unauthenticated internal-looking guest joins a merger call', 'zoom.participant.external_in_sensitive_meeting'],
  ])('%s: %s notifies once', async (name, detectionId) => {
    const { server, alerts, rt } = await start();
    const c = CASES.find((x) => x.name === name)!;
    for (const body of [...(c.setup ?? []), ...c.events]) await post(server.url, body);
    await server.flush();
    expect(alerts().map((a) => a.detail.detection_id)).toEqual([detectionId]);

    // The webhooks are in the lake now; the scheduled detection finds the same thing with the same dedup key.
    const configFile = join(rt.paths.dir, 'zoomlake.config.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    let out = '';
    let err = '';
    const code = await main(
      [
        'detect',
        '--json',
        '--detection',
        detectionId,
        '--dir',
        rt.paths.dir,
        '--config',
        configFile,
        '--now',
        new Date(T0 + 3_600_000).toISOString(),
      ],
      {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        env: {},
        untilStopped: async () => undefined,
      },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const scheduled = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { detection_id: string; dedup_key: string });
    expect(scheduled.map((a) => a.detection_id)).toEqual([detectionId]);
    // Raised twice, notified once: alerts.jsonl still holds only the realtime one.
    expect(alerts().map((a) => [a.detail.detection_id, a.detail.source])).toEqual([[detectionId, 'realtime']]);
  });
});
