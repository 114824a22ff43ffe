import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, ObjectStore } from '#core/ports.ts';
import { receiveWebhook, type ReceiverOptions, type WebhookResult } from '#core/webhook/receive.ts';
import type { LocalCorrelation } from './correlation.ts';
import type { LocalRealtime } from './realtime.ts';
import type { LocalWebhookPipeline } from './webhook-pipeline.ts';

/** What the local webhook receiver needs. */
export interface WebhookServerOptions {
  readonly pipeline: LocalWebhookPipeline;
  readonly bodies: ObjectStore;
  readonly clock: Clock;
  readonly secret: string;
  readonly receiver: ReceiverOptions;
  readonly host: string;
  readonly port: number;
  /** How often buffered events are written to the lake. */
  readonly flushIntervalMs: number;
  /** Runs the realtime checks on every accepted event, after it is spooled. @default none */
  readonly realtime?: LocalRealtime;
  /** Starts the post-meeting correlation on every accepted meeting.ended, after it is spooled. @default none */
  readonly correlation?: LocalCorrelation;
  /** One line per request: outcome, reason code, event, bytes; never bodies or signatures. */
  readonly log: (line: string) => void;
  /**
   * How long close() lets requests in flight finish before it cuts their connections (a client that stalls
   * mid-body must not hold shutdown, and the buffered events, hostage). @default 5000
   */
  readonly closeGraceMs?: number;
}

/** A running local receiver. */
export interface WebhookServer {
  /** `http://host:port/zoom/webhook` */
  readonly url: string;
  /** Writes everything received so far to the lake, after the realtime checks have seen it. */
  flush(): Promise<void>;
  /**
   * Stops accepting requests, lets those in flight finish (cutting them after `closeGraceMs`), writes what is
   * buffered, closes the spool, and closes. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

// How much of a refused body is read and dropped so the client, still sending, gets its 413 rather than a reset.
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body. Past `limit` bytes the rest is read and dropped (the caller answers 413 once it ends, and
 * the connection stays usable); past `limit` + DRAIN_BYTES the connection is cut. Rejects when the client goes
 * away mid-body.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | 'too_large'> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', reject).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks = [];
      if (size <= limit + DRAIN_BYTES) return;
      done();
      req.destroy();
      resolve('too_large');
    };
    const onEnd = () => {
      done();
      resolve(size > limit ? 'too_large' : Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      reject(new Error('client closed the connection mid-body'));
    };
    req.on('data', onData).on('end', onEnd).on('error', reject).on('close', onClose);
  });
}

/**
 * Starts the local Zoom webhook receiver: `POST /zoom/webhook` runs the same core as the Lambda
 * (receiveWebhook), `GET /healthz` answers 200. Events are written to the lake every `flushIntervalMs`.
 * It recovers the pipeline's spool first (a no-op when the caller already did) and hands the recovered events to
 * the realtime checks and the correlation, ahead of any new one.
 */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const checked = opts.realtime ? opts.realtime.publisherAfter(opts.pipeline) : opts.pipeline;
  const realtime = opts.realtime;
  if (realtime) opts.correlation?.decideAfter(() => realtime.idle());
  const publisher = opts.correlation ? opts.correlation.publisherAfter(checked) : checked;
  const deps = { publisher, bodies: opts.bodies, clock: opts.clock, secret: async () => opts.secret, options: opts.receiver };
  const flush = async () => {
    await opts.realtime?.idle();
    const result = await opts.pipeline.flush();
    if (result.written + result.retrying + result.deadLettered > 0) opts.log(JSON.stringify({ flush: result }));
  };

  // Events a crashed run spooled go through the checks and correlation before any new request is accepted.
  await opts.pipeline.recover();
  const recovered = opts.pipeline.takeRecovered();
  opts.realtime?.enqueue(recovered);
  opts.correlation?.enqueue(recovered);
  if (recovered.length > 0) opts.log(JSON.stringify({ recovered: recovered.length }));
  // Correlations the last stop interrupted (their events already in the lake) start again.
  const resumed = (await opts.correlation?.resume()) ?? 0;
  if (resumed > 0) opts.log(JSON.stringify({ correlation: 'resumed', executions: resumed }));

  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: string) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz' && req.method === 'GET') return reply(200, JSON.stringify({ status: 'ok', pending: opts.pipeline.pendingCount }));
    if (path !== '/zoom/webhook') return reply(404, '{"error":"not found"}');
    if (req.method !== 'POST') return reply(405, '{"error":"method not allowed"}');
    const handling = (async () => {
      let result: WebhookResult;
      try {
        const body = await readBody(req, opts.receiver.maxBodyBytes);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
        result =
          body === 'too_large'
            ? { status: 413, body: '{"error":"payload too large"}', outcome: 'too_large', bytes: opts.receiver.maxBodyBytes + 1 }
            : await receiveWebhook({ headers, body }, deps);
      } catch (error) {
        result = {
          status: 500,
          body: '{"error":"internal error"}',
          outcome: 'publish_failed',
          reason: error instanceof Error ? error.name : 'unknown',
          bytes: 0,
        };
      }
      opts.log(JSON.stringify({ status: result.status, outcome: result.outcome, reason: result.reason, event: result.event, bytes: result.bytes }));
      reply(result.status, result.body);
    })();
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const timer = setInterval(
    () => void flush().catch((e: unknown) => opts.log(JSON.stringify({ flushError: e instanceof Error ? e.name : 'unknown' }))),
    opts.flushIntervalMs,
  );

  const stopAccepting = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections with no request in flight would hold close() open; requests in flight get the grace period.
    server.closeIdleConnections();
    let grace: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      grace = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, opts.closeGraceMs ?? 5_000);
    });
    await Promise.race([closed, cut]);
    clearTimeout(grace);
    await closed;
    // A request whose connection was cut may still be publishing: the final flush must see its event.
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  let closing: Promise<void> | undefined;

  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/zoom/webhook`,
    flush,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        await stopAccepting();
        await opts.correlation?.close();
        try {
          await flush();
        } finally {
          await opts.pipeline.close();
        }
      })()),
  };
}
