import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { makeLocalCorrelation } from '../pipeline/correlation.ts';
import { EnvSecretProvider } from '../adapters/env-secret-provider.ts';
import { initLakeFolder } from '../pipeline/lake-folder.ts';
import { makeLocalRealtime } from '../pipeline/realtime.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '../pipeline/webhook-server.ts';

/** Where the receiver listens and where its lines go. */
export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress: one JSON line per request, flush and correlation step, and set-up notes. */
  readonly log: (line: string) => void;
  /** One line per alert raised by the realtime checks or the correlation. */
  readonly alert: (line: string) => void;
}

/** A running receiver, and how many spooled events it recovered at start. */
export interface Receiver {
  readonly server: WebhookServer;
  readonly recovered: number;
}

/**
 * The webhook half of the local pipeline, shared by `serve` and `run`: the receiver on POST /zoom/webhook (secret:
 * ZOOM_WEBHOOK_SECRET_TOKEN), the spool recovered first, the realtime checks on every accepted event and the
 * post-meeting correlation on every meeting.ended (Zoom API from ZOOM_*; off, with one line, without them).
 */
export async function startReceiver(rt: LocalRuntime, options: ReceiverOptions): Promise<Receiver> {
  const secret = await new EnvSecretProvider(options.env).getSecret('ZOOM_WEBHOOK_SECRET_TOKEN');
  initLakeFolder(rt.paths);
  const pipeline = rt.webhookPipeline();
  const recovered = await pipeline.recover();
  const realtime = makeLocalRealtime(rt, options.alert);
  const correlation = makeLocalCorrelation(rt, options.env, options.log, { echo: options.alert });
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock: rt.clock,
    secret,
    host: options.host,
    port: options.port,
    flushIntervalMs: 2_000,
    realtime,
    correlation,
    receiver: { ...rt.config.webhook, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: options.log,
  });
  return { server, recovered };
}
