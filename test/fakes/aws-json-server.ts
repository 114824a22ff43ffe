import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './aws-test-clients.ts';

/** What a fake answers to one AWS JSON-protocol call. */
export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

/** Answers one call, given the operation from `X-Amz-Target` (e.g. `AWSEvents.PutEvents`) and the parsed body. */
export type JsonHandler = (target: string, body: unknown) => JsonReply | Promise<JsonReply>;

/** Largest request body a fake accepts; larger is a test bug, not a payload to buffer. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** An AWS error reply in the JSON protocols' shape. */
export function awsJsonError(status: number, type: string, message: string): JsonReply {
  return { status, body: { __type: type, message } };
}

/** An HTTP server speaking the AWS JSON 1.0/1.1 protocol shape: POST /, `X-Amz-Target`, JSON in and out. */
export function createAwsJsonServer(handler: JsonHandler, contentType = 'application/x-amz-json-1.1'): Server {
  return createServer((req, res) => {
    void (async () => {
      let reply: JsonReply;
      try {
        const target = req.headers['x-amz-target'];
        if (req.method !== 'POST' || typeof target !== 'string') {
          reply = awsJsonError(400, 'UnknownOperationException', 'expected POST with X-Amz-Target');
        } else {
          reply = await handler(target, JSON.parse(await readBody(req)));
        }
      } catch (err) {
        reply = awsJsonError(500, 'InternalFailure', err instanceof Error ? err.message : 'fake failed');
      }
      const payload = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    })();
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large for the fake');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A server that answers every request with the same status and raw body (for error-mapping tests). */
export function createFixedReplyServer(status: number, body: string, headers: Record<string, string> = {}): Server {
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
    });
  });
}

/** A loopback fake of one AWS JSON-protocol service: subclasses answer each `X-Amz-Target` in `handle`. */
export abstract class AwsJsonFake {
  private readonly server: Server;

  constructor(contentType?: string) {
    this.server = createAwsJsonServer((target, body) => this.handle(target, body), contentType);
  }

  /** Starts listening on 127.0.0.1 and returns the endpoint URL. */
  start(): Promise<string> {
    return listenOnLoopback(this.server);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** The reply to one request. */
  protected abstract handle(target: string, body: unknown): JsonReply;
}
