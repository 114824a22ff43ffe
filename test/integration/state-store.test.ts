import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { StateItem } from '#core/ports.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { stateStoreContract } from '../contract/state-store.contract.ts';
import { awsJsonError, createAwsJsonServer } from '../fakes/aws-json-server.ts';
import { closeServer, createStateTable, deadEndpoint, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { drivenSync } from '../support/driven-sync.ts';

const dirs: string[] = [];
let server: Server;
let client: DynamoDBClient;
let queryCalls = 0;
let nextTable = 0;

/** A copy of a state file's snapshot, journal and lock, as a process killed right now would leave them. */
function crashImage(file: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zoomlake-state-crash-'));
  dirs.push(dir);
  for (const suffix of ['', '.journal', '.lock']) {
    if (existsSync(file + suffix)) copyFileSync(file + suffix, path.join(dir, path.basename(file) + suffix));
  }
  return path.join(dir, path.basename(file));
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zoomlake-state-'));
  dirs.push(dir);
  return dir;
}

/** The table the CDK storage stack creates: string keys pk/sk (TTL on expiresAt is not emulated, hence the checks). */
async function createTable(): Promise<string> {
  return createStateTable(client, `state-${nextTable++}`);
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
  // Instances on one path in one process share the open file, so reopen() reads a copy of the files, as after a crash.
  return { store: new FileStateStore(file, clock), reopen: () => new FileStateStore(crashImage(file), clock) };
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
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
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
  it('journals writes, and close() folds the journal into the snapshot without expired items, temp or lock files', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const clock = new FakeClock();
    const store = new FileStateStore(file, clock);
    await store.put({ pk: 'p', sk: 'short', attrs: {}, expiresAt: clock.now() / 1000 + 1 });
    clock.advance(5000);
    await store.put({ pk: 'p', sk: 'kept', attrs: { a: 1 } });
    expect(await readdir(dir)).toEqual(['state.json.journal', 'state.json.lock']);
    expect((await readFile(`${file}.journal`, 'utf8')).trim().split('\n')).toHaveLength(2);
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, items: [{ pk: 'p', sk: 'kept', attrs: { a: 1 } }] });
    expect(await readFile(`${file}.journal`, 'utf8')).toBe('');
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.journal']);
    expect(await store.get('p', 'kept')).toEqual({ pk: 'p', sk: 'kept', attrs: { a: 1 } });
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

describe('FileStateStore journal', () => {
  const START_S = Date.UTC(2024, 0, 1) / 1000;

  /** Every live item, by partition, as the store answers for them. */
  async function view(store: FileStateStore, pks: readonly string[]): Promise<Record<string, StateItem[]>> {
    return Object.fromEntries(await Promise.all(pks.map(async (pk) => [pk, await store.query(pk)] as const)));
  }

  /** A deterministic mix of puts, adds, deletes and conditional writes over a small key space. */
  async function churn(store: FileStateStore, clock: FakeClock, ops: number): Promise<string[]> {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pks = ['A', 'B', 'C'];
    for (let i = 0; i < ops; i++) {
      const pk = pks[next(pks.length)]!;
      const sk = `k${next(20)}`;
      const ttl = next(3) === 0 ? { expiresAt: START_S + next(120) } : {};
      const op = next(5);
      if (op === 0) await store.put({ pk, sk, attrs: { i, tags: [`t${i}`], flag: i % 2 === 0, none: null }, ...ttl });
      else if (op === 1) await store.add(pk, sk, 'n', next(9) - 4, ttl).catch((e: unknown) => expect(e).toBeInstanceOf(StorageError));
      else if (op === 2) await store.delete(pk, sk);
      else if (op === 3)
        await store.put({ pk, sk, attrs: { first: i } }, { kind: 'notExists' }).catch((e: unknown) => expect(e).toBeInstanceOf(ConditionFailedError));
      else
        await store
          .delete(pk, sk, { kind: 'attrEquals', name: 'i', value: i - 1 })
          .catch((e: unknown) => expect(e).toBeInstanceOf(ConditionFailedError));
      if (i % 50 === 0) clock.advance(1000);
    }
    return pks;
  }

  it('reads back the same view after many writes, from the files of a crashed process and after close()', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const store = new FileStateStore(file, clock);
    const pks = await churn(store, clock, 600);
    const expected = await view(store, pks);
    expect(Object.values(expected).flat().length).toBeGreaterThan(10);
    expect(await view(new FileStateStore(crashImage(file), clock), pks)).toEqual(expected);
    await store.close();
    expect(await view(new FileStateStore(crashImage(file), clock), pks)).toEqual(expected);
  });

  it.each([
    ['half a JSON line', '{"put":{"pk":"p","sk":"torn","att'],
    ['a whole line cut before its newline', '{"put":{"pk":"p","sk":"torn","attrs":{}}'],
    ['zero bytes the file system left', '\0\0\0\0\0\0'],
    ['half a line ending in a newline', '{"put":{"pk":"p","sk":"to\n'],
  ])('ignores a torn last line (%s) and cuts it off so later appends are kept', async (_case, torn) => {
    const clock = new FakeClock();
    const file = path.join(await tempDir(), 'state.json');
    const store = new FileStateStore(file, clock);
    await store.put({ pk: 'p', sk: 'a', attrs: { v: 1 } });
    await store.add('p', 'b', 'n', 2, { expiresAt: START_S + 60 });
    const crashed = crashImage(file);
    await appendFile(`${crashed}.journal`, torn);
    const recovered = new FileStateStore(crashed, clock);
    expect((await recovered.query('p')).map((item) => item.sk)).toEqual(['a', 'b']);
    await recovered.put({ pk: 'p', sk: 'c', attrs: {} });
    expect(await readFile(`${crashed}.journal`, 'utf8')).not.toContain(torn);
    const again = new FileStateStore(crashImage(crashed), clock);
    expect(await again.query('p')).toEqual([
      { pk: 'p', sk: 'a', attrs: { v: 1 } },
      { pk: 'p', sk: 'b', attrs: { n: 2 }, expiresAt: START_S + 60 },
      { pk: 'p', sk: 'c', attrs: {} },
    ]);
  });

  it('refuses a journal damaged before its last line and leaves it untouched', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const journal = '{"put":{"pk":"p","sk":"a","attrs":{}}}\n{"put":{"pk":"p",\n{"del":["p","a"]}\n';
    await writeFile(`${file}.journal`, journal);
    const store = new FileStateStore(file, new FakeClock());
    await expect(store.get('p', 'a')).rejects.toMatchObject({
      name: 'StorageError',
      retryable: false,
      message: expect.stringContaining('damaged line'),
    });
    await expect(store.put({ pk: 'p', sk: 'b', attrs: {} })).rejects.toBeInstanceOf(StorageError);
    expect(await readFile(`${file}.journal`, 'utf8')).toBe(journal);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('compacts once the journal passes its bound, keeping every live item and its expiry', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const store = new FileStateStore(file, clock);
    await store.put({ pk: 'T', sk: 'gone', attrs: {}, expiresAt: START_S + 1 });
    await store.put({ pk: 'T', sk: 'later', attrs: { x: 'y' }, expiresAt: START_S + 86_400 });
    await store.add('T', 'count', 'n', 5, { expiresAt: START_S + 3_600 });
    clock.advance(2000);
    const blob = 'z'.repeat(20_000);
    let written = 0;
    for (let i = 0; i < 80; i++) {
      await store.put({ pk: 'BIG', sk: `r${i % 10}`, attrs: { blob, i } });
      written += 20_000;
    }
    expect(written).toBeGreaterThan(1024 * 1024);
    expect((await stat(`${file}.journal`)).size).toBeLessThan(1024 * 1024);
    const snapshot = JSON.parse(await readFile(file, 'utf8')) as { items: StateItem[] };
    expect(snapshot.items.find((item) => item.sk === 'later')).toEqual({ pk: 'T', sk: 'later', attrs: { x: 'y' }, expiresAt: START_S + 86_400 });
    expect(snapshot.items.find((item) => item.sk === 'gone')).toBeUndefined();
    const expected = await view(store, ['T', 'BIG']);
    expect(expected.T).toEqual([
      { pk: 'T', sk: 'count', attrs: { n: 5 }, expiresAt: START_S + 3_600 },
      { pk: 'T', sk: 'later', attrs: { x: 'y' }, expiresAt: START_S + 86_400 },
    ]);
    expect(expected.BIG?.map((item) => item.attrs.i)).toEqual([70, 71, 72, 73, 74, 75, 76, 77, 78, 79]);
    expect(await view(new FileStateStore(crashImage(file), clock), ['T', 'BIG'])).toEqual(expected);
    clock.advance(3_600_000);
    expect(await new FileStateStore(crashImage(file), clock).get('T', 'count')).toBeUndefined();
  });

  it('replays a journal over the snapshot it was folded into without changing anything (crash between the two steps)', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const store = new FileStateStore(file, clock);
    const pks = await churn(store, clock, 200);
    const expected = await view(store, pks);
    const journal = await readFile(`${file}.journal`);
    await store.close();
    const crashed = crashImage(file);
    await writeFile(`${crashed}.journal`, journal);
    expect(await view(new FileStateStore(crashed, clock), pks)).toEqual(expected);
  });

  it('refuses a state file another live process holds, and takes over a lock its dead owner left', async () => {
    const file = path.join(await tempDir(), 'state.json');
    await writeFile(`${file}.lock`, `${process.ppid}\n`);
    await expect(new FileStateStore(file, new FakeClock()).put({ pk: 'p', sk: 's', attrs: {} })).rejects.toMatchObject({
      name: 'StorageError',
      retryable: false,
      message: expect.stringContaining(`in use by process ${process.ppid}`),
    });
    expect(existsSync(`${file}.journal`)).toBe(false);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${file}.lock`, `${dead}\n`);
    const store = new FileStateStore(file, new FakeClock());
    await store.put({ pk: 'p', sk: 's', attrs: {} });
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await store.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('shares one queue between instances on one path, so their adds stay atomic', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const [a, b] = [new FileStateStore(file, clock), new FileStateStore(file, clock)];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).add('p', 's', 'n', 1)));
    expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await new FileStateStore(crashImage(file), clock).add('p', 's', 'n', 1)).toBe(21);
  });
});

describe('FileStateStore group commit', () => {
  it('answers concurrent writes only after the sync covering them, with fewer syncs than writes, conditions unchanged', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const driven = drivenSync();
    const store = new FileStateStore(file, clock, { sync: driven.sync });
    await store.put({ pk: 'clean', sk: 's', attrs: { v: 1 } });
    const entered = driven.hold();
    const settled: string[] = [];
    const track = <T>(name: string, call: Promise<T>) => call.finally(() => settled.push(name));
    const N = 20;
    const puts = Array.from({ length: N }, (_, i) => track(`put${i}`, store.put({ pk: `p${i}`, sk: 's', attrs: { i } })));
    const claims = [0, 1].map((i) => track(`claim${i}`, store.put({ pk: 'claim', sk: 's', attrs: { by: i } }, { kind: 'notExists' })));
    const dirtyRead = track('dirtyRead', store.get('p0', 's'));
    await entered;
    // A partition no pending write touched answers at once; everything that wrote or read a pending write waits.
    expect(await store.get('clean', 's')).toEqual({ pk: 'clean', sk: 's', attrs: { v: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toEqual([]);
    driven.release();
    await Promise.all(puts);
    const [first, second] = await Promise.allSettled(claims);
    expect(first).toEqual({ status: 'fulfilled', value: undefined });
    expect(second).toMatchObject({ status: 'rejected', reason: { name: 'ConditionFailedError' } });
    expect(await dirtyRead).toEqual({ pk: 'p0', sk: 's', attrs: { i: 0 } });
    // The first sync held the first write; the other writes all waited for the next one.
    expect(driven.calls()).toBeLessThanOrEqual(3);
    const reopened = new FileStateStore(crashImage(file), clock);
    for (let i = 0; i < N; i++) expect(await reopened.get(`p${i}`, 's')).toEqual({ pk: `p${i}`, sk: 's', attrs: { i } });
    expect((await reopened.get('claim', 's'))?.attrs).toEqual({ by: 0 });
  });

  it('fails every write a failed sync covered with a one-line StorageError, keeps what was durable, and serves the next calls', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const clock = new FakeClock();
    const driven = drivenSync();
    const store = new FileStateStore(file, clock, { sync: driven.sync });
    await store.put({ pk: 'kept', sk: 's', attrs: { v: 1 } });
    const entered = driven.hold();
    driven.failNext();
    const failing = Array.from({ length: 5 }, (_, i) => store.put({ pk: `lost${i}`, sk: 's', attrs: { i } }));
    await entered;
    driven.release();
    for (const result of await Promise.allSettled(failing)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { name: 'StorageError', message: `could not write state file ${file}: EIO` } });
    }
    await store.put({ pk: 'after', sk: 's', attrs: { v: 2 } });
    expect(await store.get('kept', 's')).toEqual({ pk: 'kept', sk: 's', attrs: { v: 1 } });
    const reopened = new FileStateStore(crashImage(file), clock);
    expect(await reopened.get('kept', 's')).toEqual({ pk: 'kept', sk: 's', attrs: { v: 1 } });
    expect(await reopened.get('after', 's')).toEqual({ pk: 'after', sk: 's', attrs: { v: 2 } });
  });
});
