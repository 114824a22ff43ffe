import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { LocalWebhookPipeline } from '#local/pipeline/webhook-pipeline.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '#local/pipeline/webhook-server.ts';
import { signedHeaders } from '../support/signed-post.ts';
import { drivenSync, type DrivenSync } from '../support/driven-sync.ts';
import { joinEvent } from '../support/webhook-bodies.ts';

const SECRET = 'group-commit-secret';
const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(sync: DrivenSync['sync']) {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-group-commit-'));
  const rt = makeLocalRuntime(parseConfig({}), dir);
  const spool = join(rt.paths.dir, 'state', 'webhook-spool.jsonl');
  const pipeline = new LocalWebhookPipeline(
    spool,
    join(rt.paths.dir, 'state', 'webhook-dead-letters.jsonl'),
    () => rt.writer('webhook-writer'),
    rt.store,
    {
      sync,
    },
  );
  const log: string[] = [];
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock: rt.clock,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 3_600_000,
    receiver: { replayWindowSeconds: 5_400, maxBodyBytes: 64 * 1024, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: (line) => log.push(line),
  });
  servers.push(server);
  const spooledNames = async () =>
    (await readFile(spool, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          (JSON.parse(JSON.parse(line).detail.body) as { payload: { object: { participant: { user_name: string } } } }).payload.object.participant
            .user_name,
      );
  return { server, pipeline, spooledNames, log };
}

/** Posts a signed join of participant `name`; resolves with the status and the body. */
async function post(url: string, name: string): Promise<{ status: number; body: string }> {
  const body = joinEvent({ name, uuid: `m-${name}==` });
  const res = await fetch(url, { method: 'POST', headers: signedHeaders(SECRET, body), body });
  return { status: res.status, body: await res.text() };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
};

describe('zoomlake serve: one fdatasync for many concurrent webhooks', () => {
  it('answers no request before the sync covering its event finished, and covers concurrent events with fewer syncs than events', async () => {
    const driven = drivenSync();
    const { server, pipeline, spooledNames } = await start(driven.sync);
    const N = 20;
    const entered = driven.hold();
    const answered: string[] = [];
    const requests = Array.from({ length: N }, (_, i) => post(server.url, `guest-${i}`).then((r) => (answered.push(`guest-${i}`), r)));
    await entered;
    // Every event is appended (pending) while the first sync is held; none may be answered yet.
    await until(() => pipeline.pendingCount === N);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toEqual([]);
    driven.release();
    const results = await Promise.all(requests);
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
    // The first sync took what was appended when it started; every later event waited for one more.
    expect(driven.calls()).toBeLessThanOrEqual(2);
    expect((await spooledNames()).sort()).toEqual(Array.from({ length: N }, (_, i) => `guest-${i}`).sort());
  });

  it('answers 503 to every request a failed sync covered, keeps the events acknowledged before, and accepts the next ones', async () => {
    const driven = drivenSync();
    const { server, pipeline, spooledNames, log } = await start(driven.sync);
    expect((await post(server.url, 'before')).status).toBe(200);

    const entered = driven.hold();
    driven.failNext();
    const failing = Array.from({ length: 5 }, (_, i) => post(server.url, `lost-${i}`));
    await entered;
    await until(() => pipeline.pendingCount === 6);
    driven.release();
    for (const result of await Promise.all(failing)) {
      expect(result.status).toBe(503);
      expect(result.body).toBe('{"error":"temporarily unavailable"}');
    }
    expect(log.filter((l) => l.includes('"publish_failed"'))).toHaveLength(5);

    expect((await Promise.all(['after-1', 'after-2'].map((name) => post(server.url, name)))).map((r) => r.status)).toEqual([200, 200]);
    // The spool was rebuilt from the acknowledged events before the next append: no failed event in it, none lost.
    expect((await spooledNames()).sort()).toEqual(['after-1', 'after-2', 'before']);
    expect(pipeline.pendingCount).toBe(3);
    const flushed = await pipeline.flush();
    expect(flushed).toEqual({ written: 3, retrying: 0, deadLettered: 0 });
  });
});
