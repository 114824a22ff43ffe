import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { MEETING_ENDED_EVENT } from '#core/correlate/start.ts';
import { pollSource, type SourceRun } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { Clock } from '#core/ports.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { makeLocalCorrelation } from '../pipeline/correlation.ts';
import { makeLocalRealtime } from '../pipeline/realtime.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { startWebhookServer } from '../pipeline/webhook-server.ts';
import { localZoomApi } from '../pipeline/zoom-api.ts';
import { pollSettingsOf } from './jobs.ts';
import type { ZoomSimulator } from '../zoom-simulator/server.ts';

/*
 * A generated organisation replayed through the local pipeline, as `zoomlake demo` and the second-org run do: the
 * pollers read the Zoom API simulator, the webhooks are signed and posted to the local webhook server (realtime checks,
 * correlations), and the alerts it notified are read back.
 */

/** The credentials the simulator accepts. */
export const SIM_CREDENTIALS = { accountId: 'sim-account-id', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' };
const POLL_ORDER = ['users', 'activities', 'operation_logs', 'meetings', 'participant_details', 'recordings', 'meeting_activities'] as const;
/** Meeting ends posted before the replay waits for their correlations: keeps a handful of DuckDB engines open at once. */
const CORRELATION_BATCH = 8;

/** Polls every source from the simulator over the days `window`, as the lease holder `owner`. */
export async function pollSimulated(
  rt: LocalRuntime,
  sim: ZoomSimulator,
  window: { readonly from: string; readonly to: string },
  clock: Clock,
  owner: string,
): Promise<SourceRun[]> {
  const api = localZoomApi(rt, SIM_CREDENTIALS, { oauthUrl: sim.oauthUrl, apiBaseUrl: sim.apiBaseUrl }, clock);
  // The simulated organisation's chat is not replayed: its text stays out whatever the config says.
  const settings = { ...pollSettingsOf(rt), chatIncludeContent: false };
  const deps = { api, plan: rt.config.planTier, state: rt.state, clock, newWriter: () => rt.writer('poller'), owner, leaseSeconds: 3_600, settings };
  const runs: SourceRun[] = [];
  for (const name of POLL_ORDER) runs.push(await pollSource(POLL_SOURCES[name]!, deps, window));
  return runs;
}

/** What posting the webhooks did: accepted, refused (by event and status), and correlations by outcome. */
export interface WebhookReplay {
  readonly posted: number;
  readonly refused: number;
  readonly refusedEvents: Readonly<Record<string, number>>;
  readonly correlations: Readonly<Record<string, number>>;
}

/**
 * Signs and posts `webhooks` in order to a local webhook server on loopback, with realtime checks and correlation,
 * then waits until every event is written and every correlation has finished.
 */
export async function replayWebhooks(
  rt: LocalRuntime,
  sim: ZoomSimulator,
  webhooks: readonly { readonly event: string; readonly body: string }[],
  clock: Clock,
): Promise<WebhookReplay> {
  const secret = randomBytes(24).toString('base64url');
  const pipeline = rt.webhookPipeline();
  await pipeline.recover();
  const realtime = makeLocalRealtime(rt, () => undefined);
  const correlations: Record<string, number> = {};
  const env = {
    ZOOM_ACCOUNT_ID: SIM_CREDENTIALS.accountId,
    ZOOM_CLIENT_ID: SIM_CREDENTIALS.clientId,
    ZOOM_CLIENT_SECRET: SIM_CREDENTIALS.clientSecret,
    ZOOM_OAUTH_URL: sim.oauthUrl,
    ZOOM_API_BASE_URL: sim.apiBaseUrl,
  };
  const correlation = makeLocalCorrelation(rt, env, (line) => {
    if (!line.startsWith('{')) return;
    const status = (JSON.parse(line) as { correlation?: string }).correlation;
    if (status) correlations[status] = (correlations[status] ?? 0) + 1;
  });
  if (!correlation) throw new Error('the config turns the post-meeting correlation off');
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock,
    secret,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 2_000,
    realtime,
    correlation,
    receiver: { ...rt.config.webhook, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
  });
  let posted = 0;
  let refused = 0;
  let ended = 0;
  const refusedEvents: Record<string, number> = {};
  try {
    for (const w of webhooks) {
      const ts = String(Math.floor(clock.now() / 1000));
      const res = await fetch(server.url, {
        method: 'POST',
        body: w.body,
        headers: {
          'content-type': 'application/json',
          'x-zm-request-timestamp': ts,
          'x-zm-signature': zoomSignature(secret, ts, Buffer.from(w.body, 'utf8')),
        },
      });
      await res.arrayBuffer();
      if (res.status === 200) posted++;
      else {
        refused++;
        const key = `${w.event} ${res.status}`;
        refusedEvents[key] = (refusedEvents[key] ?? 0) + 1;
      }
      // Real meetings end minutes apart; pacing the replay keeps the number of concurrent correlations small.
      if (w.event === MEETING_ENDED_EVENT && ++ended % CORRELATION_BATCH === 0) await correlation.idle();
    }
    await server.flush();
    await correlation.idle();
  } finally {
    await server.close();
  }
  return { posted, refused, refusedEvents, correlations };
}

/** The alerts the pipeline notified (alerts.jsonl), oldest first. */
export function notifiedAlerts<A extends { readonly first_seen: string }>(rt: LocalRuntime): A[] {
  if (!existsSync(rt.paths.alertsFile)) return [];
  return readFileSync(rt.paths.alertsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { detail: A }).detail)
    .sort((a, b) => (a.first_seen < b.first_seen ? -1 : a.first_seen > b.first_seen ? 1 : 0));
}
