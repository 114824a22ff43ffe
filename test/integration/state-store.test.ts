import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { StorageError } from '#core/errors.ts';
import { FileStateStore } from '#local/file-state-store.ts';
import { stateStoreContract } from '../contract/state-store.contract.ts';
import { awsJsonError, createAwsJsonServer } from '../fakes/aws-json-server.ts';
import { closeServer, deadEndpoint, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const dirs: string[] = [];
let server: Server;
let client: DynamoDBClient;
let queryCalls = 0;
let nextTable = 0;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zoomlake-state-'));
  dirs.push(dir);
  return dir;
}

/** The table the CDK storage stack creates: string keys pk/sk (TTL on expiresAt is not emulated, hence the checks). */
async function createTable(): Promise<string> {
  const tableName = `state-${nextTable++}`;
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
  return tableName;
}

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  client = new DynamoDBClient(loopbackClientConfig(await listenOnLoopback(server)));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queryCalls++;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});

afterAll(async () => {
  client?.destroy();
  if (server) await closeServer(server);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

stateStoreContract('DynamoStateStore on dynalite', async (clock) => {
  const table = await createTable();
  return { store: new DynamoStateStore(table, clock, client), reopen: () => new DynamoStateStore(table, clock, client) };
});

stateStoreContract('FileStateStore', async (clock) => {
  const file = path.join(await tempDir(), 'state', 'state.json');
  return { store: new FileStateStore(file, clock), reopen: () => new FileStateStore(file, clock) };
});

describe('DynamoStateStore', () => {
  it('really pages through the 1 MB query limit (the contract case is not trivially one page)', async () => {
    const store = new DynamoStateStore(await createTable(), new FakeClock(), client);
    const blob = 'y'.repeat(40_000);
    for (let i = 0; i < 30; i++) await store.put({ pk: 'BIG', sk: `ROW#${String(i).padStart(2, '0')}`, attrs: { blob } });
    const before = queryCalls;
    expect(await store.query('BIG', 'ROW#')).toHaveLength(30);
    expect(queryCalls - before).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['throttling', 400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', true],
    ['a 500', 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', true],
    ['a missing table', 400, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', false],
    ['a validation error', 400, 'com.amazon.coral.validate#ValidationException', false],
  ])('maps %s to a StorageError with the right retryable flag and no item content', async (_case, status, type, retryable) => {
    const failing = createAwsJsonServer(() => awsJsonError(status, type, 'secret-attr-value leaked'), 'application/x-amz-json-1.0');
    const failingClient = new DynamoDBClient(loopbackClientConfig(await listenOnLoopback(failing), 1));
    try {
      const store = new DynamoStateStore('state', new FakeClock(), failingClient);
      const calls: (() => Promise<unknown>)[] = [
        () => store.get('p', 's'),
        () => store.put({ pk: 'p', sk: 's', attrs: { token: 'secret-attr-value' } }),
        () => store.add('p', 's', 'n', 1),
        () => store.query('p', 'x'),
        () => store.delete('p', 's'),
      ];
      for (const call of calls) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect(err).toMatchObject({ retryable });
        expect(String((err as Error).message)).not.toContain('secret-attr-value');
      }
    } finally {
      failingClient.destroy();
      await closeServer(failing);
    }
  });

  it('maps a refused connection to a retryable StorageError', async () => {
    const down = new DynamoDBClient(loopbackClientConfig(await deadEndpoint(), 1));
    try {
      await expect(new DynamoStateStore('state', new FakeClock(), down).get('p', 's')).rejects.toMatchObject({
        name: 'StorageError',
        retryable: true,
      });
    } finally {
      down.destroy();
    }
  });
});

describe('FileStateStore', () => {
  it('writes a JSON file without leftover temp files and drops expired items from it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const clock = new FakeClock();
    const store = new FileStateStore(file, clock);
    await store.put({ pk: 'p', sk: 'short', attrs: {}, expiresAt: clock.now() / 1000 + 1 });
    clock.advance(5000);
    await store.put({ pk: 'p', sk: 'kept', attrs: { a: 1 } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, items: [{ pk: 'p', sk: 'kept', attrs: { a: 1 } }] });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it.each([
    ['not JSON', '{"version": 1, "items": ['],
    ['another format', '{"version": 2, "items": []}'],
    ['an item without keys', '{"version": 1, "items": [{"attrs": {}}]}'],
  ])('refuses a state file that is %s and leaves it untouched', async (_case, content) => {
    const file = path.join(await tempDir(), 'state.json');
    await writeFile(file, content);
    const store = new FileStateStore(file, new FakeClock());
    await expect(store.put({ pk: 'p', sk: 's', attrs: {} })).rejects.toMatchObject({ name: 'StorageError', retryable: false });
    await expect(store.get('p', 's')).rejects.toBeInstanceOf(StorageError);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it('keeps serving queued calls after one call in the queue failed', async () => {
    const store = new FileStateStore(path.join(await tempDir(), 'state.json'), new FakeClock());
    await store.put({ pk: 'p', sk: 's', attrs: { n: 'five' } });
    const [bad, good] = await Promise.allSettled([store.add('p', 's', 'n', 1), store.add('p', 's', 'm', 1)]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { name: 'StorageError' } });
    expect(good).toEqual({ status: 'fulfilled', value: 1 });
    expect((await store.get('p', 's'))?.attrs).toEqual({ n: 'five', m: 1 });
  });
});
