import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import type { BusEvent } from '#core/ports.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';

const RECEIVED = Date.UTC(2026, 10, 25, 12);
const started = (id: number): BusEvent => ({
  source: 'zoomlake.webhook',
  detailType: 'meeting.started',
  detail: { receivedAt: RECEIVED, body: webhookBody({ event: 'meeting.started', eventTs: RECEIVED - id * 1000, payload: { object: { id } } }) },
});
/** A spool line as an earlier run wrote it. */
const line = (id: number) => JSON.stringify({ id: `spooled-${id}`, detailType: 'meeting.started', detail: started(id).detail }) + '\n';
/** The first `n` bytes of a line: what a crash mid-append leaves. */
const torn = (id: number, n = 40) => line(id).slice(0, n);

function setup(spool: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-pipeline-'));
  mkdirSync(join(dir, 'state'), { recursive: true });
  const spoolFile = join(dir, 'state', 'webhook-spool.jsonl');
  writeFileSync(spoolFile, spool);
  const rt = makeLocalRuntime(parseConfig({}), dir);
  return { rt, spoolFile };
}

async function lakeIds(rt: ReturnType<typeof makeLocalRuntime>): Promise<{ raw: number; ids: string[] }> {
  const engine = await rt.openQueryEngine();
  try {
    const raw = await engine.query('SELECT count(*) AS n FROM webhook_events_raw');
    const { rows } = await engine.query('SELECT object_id FROM webhook_events ORDER BY object_id');
    return { raw: Number(raw.rows[0]!.n), ids: rows.map((r) => String(r.object_id)) };
  } finally {
    engine.close();
  }
}

describe('LocalWebhookPipeline recovery', () => {
  it.each([
    ['whole lines', line(1) + line(2), ['1', '2']],
    ['a torn last line', line(1) + line(2) + torn(3), ['1', '2']],
    ['a torn last line that is only a few bytes', line(1) + torn(3, 3), ['1']],
    ['an unreadable line in the middle', line(1) + '{"id":"x", not json\n' + line(2), ['1', '2']],
    // What the spool looked like after a crash under the old recovery: the next acknowledged event glued to the torn line.
    ['an acknowledged line glued to a torn one', line(1) + torn(3) + line(2), ['1', '2']],
    ['an empty spool', '', []],
  ])('%s: every acknowledged event survives a crash after the next publish, once', async (_name, spool, recoveredIds) => {
    const { rt, spoolFile } = setup(spool);
    const first = rt.webhookPipeline();
    expect(await first.recover()).toBe(recoveredIds.length);
    // The spool holds whole lines only before anything new is appended.
    expect(
      readFileSync(spoolFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(recoveredIds.map((id) => `spooled-${id}`));
    await first.publish([started(9)]);

    // Crash: no flush. A new process recovers the same files.
    const second = rt.webhookPipeline();
    expect(await second.recover()).toBe(recoveredIds.length + 1);
    expect(await second.flush()).toEqual({ written: recoveredIds.length + 1, retrying: 0, deadLettered: 0 });
    expect(await lakeIds(rt)).toEqual({ raw: recoveredIds.length + 1, ids: [...recoveredIds, '9'] });
    expect(readFileSync(spoolFile, 'utf8')).toBe('');
  });

  it('hands recovered events on once, oldest first and before events published after recovery, with their detail-types', async () => {
    const { rt } = setup(line(1) + line(2) + JSON.stringify({ id: 'older-spool', detail: started(3).detail }) + '\n');
    const pipeline = rt.webhookPipeline();
    expect(await pipeline.recover()).toBe(3);
    expect(await pipeline.recover()).toBe(0);
    await pipeline.publish([started(4)]);
    expect(pipeline.takeRecovered()).toEqual([
      { source: 'zoomlake.webhook', detailType: 'meeting.started', detail: started(1).detail },
      { source: 'zoomlake.webhook', detailType: 'meeting.started', detail: started(2).detail },
      { source: 'zoomlake.webhook', detailType: 'zoom.unnamed_event', detail: started(3).detail },
    ]);
    expect(pipeline.takeRecovered()).toEqual([]);
    expect(pipeline.pendingCount).toBe(4);
  });

  it('recovering after publishing in the same process reads nothing twice', async () => {
    const { rt } = setup(line(1));
    const pipeline = rt.webhookPipeline();
    await pipeline.publish([started(2)]);
    expect(await pipeline.recover()).toBe(1);
    expect(await pipeline.flush()).toEqual({ written: 2, retrying: 0, deadLettered: 0 });
    expect((await lakeIds(rt)).raw).toBe(2);
  });
});
