import { createServer, type Server } from 'node:http';
import type { ReceivedRequest } from './sigv4-verifier.ts';
import { closeServer, listenOnLoopback } from './aws-test-clients.ts';

/** What the server does with one request: answer with a status and body, or never answer. */
export type S3Reply = { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> } | 'hang';

/** Largest request body the server accepts; larger is a test bug. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** An S3 error reply in S3's XML shape. */
export function s3Error(status: number, code: string, message = 'error'): { readonly status: number; readonly body: string } {
  return { status, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>` };
}

/**
 * A loopback HTTP server that records every request and answers the n-th with `replies[n]` (the last reply repeats),
 * for checking what an S3 client sends and how it takes S3's answers.
 */
export class S3RecordingServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly server: Server;

  constructor(private readonly replies: readonly S3Reply[]) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large for the fake'));
        else chunks.push(chunk);
      });
      req.on('end', () => {
        const reply = this.replies[Math.min(this.requests.length, this.replies.length - 1)] ?? { status: 200 };
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: Buffer.concat(chunks) });
        if (reply === 'hang') return;
        const body = reply.body ?? '';
        res.writeHead(reply.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...reply.headers });
        res.end(body);
      });
    });
  }

  /** Starts listening on 127.0.0.1 and returns the endpoint URL. */
  start(): Promise<string> {
    return listenOnLoopback(this.server);
  }

  /** Stops the server, cutting any request it left hanging. */
  close(): Promise<void> {
    return closeServer(this.server);
  }
}
