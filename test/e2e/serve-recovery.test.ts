import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import type { AlertDelivery, BusEvent } from '#core/ports.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { EXECUTION_PK, LocalCorrelation } from '#local/pipeline/correlation.ts';
import { makeLocalRealtime } from '#local/pipeline/realtime.ts';
import { makeLocalRuntime, type LocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '#local/pipeline/webhook-server.ts';
import { reportItem, ScriptedZoomApi } from '../support/correlation-fakes.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { CASES, REALTIME_TEST_CONFIG } from '../support/realtime-cases.ts';

/*
 * Events a crashed `serve` had spooled (acknowledged to Zoom) but not finished with go through the realtime checks
 * and the correlation when the next one starts, like live events, and each still counts once.
 */

const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CASE = CASES.find((c) => c.name === 'deactivated user joins')!;
const BODIES = [...(CASE.setup ?? []), ...CASE.events];
const asEvent = (body: string): BusEvent => ({
  source: 'zoomlake.webhook',
  detailType: (JSON.parse(body) as { event: string }).event,
  detail: { receivedAt: Date.now(), body },
});

const newDir = () => mkdtempSync(join(tmpdir(), 'zoomlake-recovery-'));
const runtime = (dir: string) => makeLocalRuntime(parseConfig(REALTIME_TEST_CONFIG), dir);

/** A restarted serve over `dir`, with the realtime checks (and the correlation when given). */
async function restart(dir: string, correlation?: (rt: LocalRuntime) => LocalCorrelation) {
  const rt = runtime(dir);
  const server = await startWebhookServer({
    pipeline: rt.webhookPipeline(),
    bodies: rt.store,
    clock: rt.clock,
    secret: 's',
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 60_000,
    receiver: { replayWindowSeconds: 5_400, maxBodyBytes: 256 * 1024, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
    realtime: makeLocalRealtime(rt, () => undefined),
    ...(correlation ? { correlation: correlation(rt) } : {}),
  });
  servers.push(server);
  return { rt, server };
}

const alertsIn = (rt: LocalRuntime) =>
  existsSync(rt.paths.alertsFile)
    ? readFileSync(rt.paths.alertsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { detail: { detection_id: string } }).detail.detection_id)
    : [];
const realtimeDeadLetters = (rt: LocalRuntime) => join(rt.paths.dir, 'state', 'realtime-dead-letters.jsonl');

async function eventsInLake(rt: LocalRuntime): Promise<number> {
  const engine = await rt.openQueryEngine();
  try {
    return Number((await engine.query('SELECT count(*) AS n FROM webhook_events')).rows[0]!.n);
  } finally {
    engine.close();
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 1_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A delivery that notes it was reached and never finishes (the process dies in it), after delivering when `deliverFirst`. */
function dyingDelivery(rt: LocalRuntime, deliverFirst: boolean): { delivery: AlertDelivery; reached: () => boolean } {
  let reached = false;
  const real = rt.alertDelivery();
  return {
    reached: () => reached,
    delivery: {
      deliver: async (alerts) => {
        if (deliverFirst) await real.deliver(alerts);
        reached = true;
        return new Promise(() => undefined);
      },
    },
  };
}

type BeforeCrash = readonly [string, (rt: LocalRuntime) => Promise<void>];

describe('serve recovery: realtime checks on spooled events', () => {
  it.each<BeforeCrash>([
    [
      'spooled but not yet checked',
      async (rt: LocalRuntime) => {
        await rt.webhookPipeline().publish(BODIES.map(asEvent));
      },
    ],
    [
      'spooled and checked, its alert delivered',
      async (rt: LocalRuntime) => {
        const pipeline = rt.webhookPipeline();
        const realtime = makeLocalRealtime(rt, () => undefined);
        await realtime.publisherAfter(pipeline).publish(BODIES.map(asEvent));
        await realtime.idle();
        expect(alertsIn(rt)).toEqual(CASE.expect);
      },
    ],
    ...[false, true].map(
      (deliverFirst) =>
        [
          `claimed by the checks, the process dying ${deliverFirst ? 'after' : 'before'} the alert was delivered`,
          async (rt: LocalRuntime) => {
            const dying = dyingDelivery(rt, deliverFirst);
            const realtime = makeLocalRealtime(rt, () => undefined, { delivery: dying.delivery });
            await realtime.publisherAfter(rt.webhookPipeline()).publish(BODIES.map(asEvent));
            await until('the checks to reach delivery', dying.reached);
            // The next process starts later than the claim was taken.
            await new Promise((r) => setTimeout(r, 5));
          },
        ] satisfies BeforeCrash,
    ),
  ])('an event %s before a crash raises its alert once after the restart', async (_name, beforeCrash) => {
    const dir = newDir();
    await beforeCrash(runtime(dir));
    const { rt, server } = await restart(dir);
    await server.flush();
    expect(alertsIn(rt)).toEqual(CASE.expect);
    expect(existsSync(realtimeDeadLetters(rt))).toBe(false);
    expect(await eventsInLake(rt)).toBe(BODIES.length);
  });
});

const ENDED_UUID = 'recovered-meeting==';
const ended = webhookBody({
  event: 'meeting.ended',
  eventTs: Date.now() - 60_000,
  payload: {
    account_id: 'acc',
    object: {
      id: '81234567890',
      uuid: ENDED_UUID,
      host_id: 'h1',
      topic: 'Board sync',
      start_time: new Date(Date.now() - 3_600_000).toISOString(),
      end_time: new Date(Date.now() - 60_000).toISOString(),
    },
  },
});

const HOST = reportItem(
  'Hana Host',
  'hana@example.com',
  new Date(Date.now() - 3_600_000).toISOString(),
  new Date(Date.now() - 60_000).toISOString(),
  'h1',
);

describe('serve recovery: correlation of a spooled meeting.ended', () => {
  it.each([
    ['never started', 1, async () => undefined],
    [
      'started by the crashed process and never finished',
      1,
      async (rt: LocalRuntime) => {
        await rt.state.put({ pk: EXECUTION_PK, sk: executionName(ENDED_UUID), attrs: { started_at: Date.now() - 1_000 } });
      },
    ],
    [
      'finished before the crash',
      0,
      async (rt: LocalRuntime) => {
        await rt.state.put({
          pk: EXECUTION_PK,
          sk: executionName(ENDED_UUID),
          attrs: { started_at: Date.now() - 2_000, finished_at: Date.now() - 1_000 },
        });
      },
    ],
  ])('a correlation %s runs %i time(s) after the restart', async (_name, runs, beforeCrash) => {
    const dir = newDir();
    const crashed = runtime(dir);
    await crashed.webhookPipeline().publish([asEvent(ended)]);
    await beforeCrash(crashed);
    const results: string[] = [];
    let correlation: LocalCorrelation | undefined;
    const { server } = await restart(
      dir,
      (rt) =>
        (correlation = new LocalCorrelation({
          rt,
          api: new ScriptedZoomApi({ report: [[[HOST]]], metrics: [[[]]] }),
          delivery: new MemoryAlertDelivery(),
          settings: { ...rt.config.correlation, waitSeconds: 0, notReadyRetries: 0, dataAccess: undefined },
          log: () => undefined,
          onResult: (input) => results.push(input.meeting_uuid),
        })),
    );
    await correlation!.idle();
    await server.flush();
    expect(results).toEqual(Array.from({ length: runs }, () => ENDED_UUID));
    // A second meeting.ended for the same instance (Zoom's retry) after the restart starts nothing new.
    correlation!.enqueue([asEvent(ended)]);
    await correlation!.idle();
    expect(results).toHaveLength(runs);
  });
});

describe('serve stop: correlation of a meeting.ended still waiting', () => {
  it('a correlation interrupted by a stop resumes at the next start and runs once', async () => {
    const dir = newDir();
    const results: string[] = [];
    const correlationOf = (waitSeconds: number) => (rt: LocalRuntime) =>
      new LocalCorrelation({
        rt,
        api: new ScriptedZoomApi({ report: [[[HOST]]], metrics: [[[]]] }),
        delivery: new MemoryAlertDelivery(),
        settings: { ...rt.config.correlation, waitSeconds, notReadyRetries: 0, dataAccess: undefined },
        log: () => undefined,
        onResult: (input) => results.push(input.meeting_uuid),
      });
    // The first serve receives the meeting.ended and stops while the correlation waits; the event goes to the lake.
    const first = await restart(dir, correlationOf(3_600));
    servers.splice(servers.indexOf(first.server), 1);
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(first.server.url, {
      method: 'POST',
      body: ended,
      headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature('s', ts, Buffer.from(ended)) },
    });
    expect(res.status).toBe(200);
    // Bounded: the run claims its execution, then waits its hour.
    for (let i = 0; i < 200 && (await first.rt.state.query(EXECUTION_PK)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.server.close();
    expect(results).toEqual([]);
    expect(await eventsInLake(first.rt)).toBe(1);

    // The next start resumes it (the spool is empty: the event is only in the lake) and it runs once.
    let correlation: LocalCorrelation | undefined;
    const second = await restart(dir, (rt) => (correlation = correlationOf(0)(rt)));
    await correlation!.idle();
    expect(results).toEqual([ENDED_UUID]);
    // Zoom's retry of the same meeting.ended afterwards starts nothing new, and neither does a third start.
    correlation!.enqueue([asEvent(ended)]);
    await correlation!.idle();
    await second.server.close();
    servers.splice(servers.indexOf(second.server), 1);
    let third: LocalCorrelation | undefined;
    await restart(dir, (rt) => (third = correlationOf(0)(rt)));
    await third!.idle();
    expect(results).toEqual([ENDED_UUID]);
  });
});
