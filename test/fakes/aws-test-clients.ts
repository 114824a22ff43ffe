import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** Dummy credentials: loopback emulators accept any signature. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-secret' };

/** SDK client settings that point a client at a loopback endpoint with no real AWS involved. */
export function loopbackClientConfig(endpoint: string, maxAttempts = 3) {
  return { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts };
}

/** Starts `server` on 127.0.0.1 with a free port and returns its base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Closes a server, failing loudly if it does not close. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function deadEndpoint(): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer();
  const url = await listenOnLoopback(server);
  await closeServer(server);
  return url;
}
