import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

/**
 * Creates a DynamoDB table with pk/sk string keys (the state table's shape) and waits until it is ACTIVE: dynalite
 * answers CreateTable while the table is still CREATING (even with createTableMs 0 the switch to ACTIVE is a later
 * write), so a request right after it can see ResourceNotFoundException on a loaded machine. Bounded.
 */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  for (let attempt = 0; ; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return tableName;
    if (attempt >= 200) throw new Error(`table ${tableName} is still ${Table?.TableStatus} after 200 checks`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
